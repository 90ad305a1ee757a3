import XCTest

@testable import ConvKitData

/// Loads the real Fashion-MNIST from Debian's `dataset-fashion-mnist`
/// (scripts/install-deps.sh installs it). Without it this test fails, with
/// the install hint, rather than passing silently.
final class FashionMNISTTests: XCTestCase {
    func testRealFashionMNIST() throws {
        let splits: DatasetSplits
        do {
            splits = try DatasetKind.fashionMNIST.load()
        } catch {
            XCTFail("Fashion-MNIST could not be loaded: \(error)")
            return
        }
        for (dataset, count) in [(splits.train, 60000), (splits.test, 10000)] {
            XCTAssertEqual(dataset.count, count)
            XCTAssertEqual([dataset.channels, dataset.height, dataset.width], [1, 28, 28])
            XCTAssertEqual(dataset.images.count, count * 28 * 28)
            XCTAssertTrue(dataset.labels.allSatisfy { (0...9).contains($0) })
            XCTAssertEqual(dataset.classCounts(), Array(repeating: count / 10, count: 10))
        }
        let statistics = splits.train.channelStatistics()
        XCTAssertEqual(statistics.mean[0], 0.2860, accuracy: 1e-3)
        XCTAssertEqual(statistics.std[0], 0.3530, accuracy: 1e-3)
    }
}
