import XCTest

@testable import ConvKitData

final class DatasetTests: XCTestCase {
    /// Two samples of 2 channels × 1 × 2: channel 0 holds 0, 1, 2, 3; channel 1 holds 10 four times.
    private func tiny() throws -> Dataset {
        try Dataset(name: "tiny", images: [0, 1, 10, 10, 2, 3, 10, 10], labels: [1, 0], channels: 2, height: 1,
                    width: 2, classNames: ["a", "b", "c"])
    }

    func testShapeAndCounts() throws {
        let dataset = try tiny()
        XCTAssertEqual(dataset.count, 2)
        XCTAssertEqual(dataset.imageSize, 4)
        XCTAssertEqual(dataset.classCounts(), [1, 1, 0])
    }

    func testChannelStatistics() throws {
        let statistics = try tiny().channelStatistics()
        XCTAssertEqual(statistics.mean[0], 1.5, accuracy: 1e-6)
        XCTAssertEqual(statistics.std[0], Float(1.25).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(statistics.mean[1], 10, accuracy: 1e-6)
        XCTAssertEqual(statistics.std[1], 0, accuracy: 1e-6)
    }

    func testInconsistentInputIsRejected() {
        assertDataError(try Dataset(name: "d", images: [0, 1, 2], labels: [0], channels: 1, height: 2, width: 2,
                                    classNames: ["a"]),
                        contains: ["3 floats do not make 1 images of 1×2×2"])
        assertDataError(try Dataset(name: "d", images: [0], labels: [2], channels: 1, height: 1, width: 1,
                                    classNames: ["a", "b"]),
                        contains: ["label 2 of sample 0 is outside 0..<2"])
        assertDataError(try Dataset(name: "d", images: [], labels: [], channels: 0, height: 1, width: 1,
                                    classNames: ["a"]),
                        contains: ["zero or negative size"])
    }

    func testNormalizationNeedsOnePositiveStdPerChannel() {
        assertDataError(try ChannelStatistics(mean: [0], std: [1]).validate(channels: 3), contains: ["for images of 3"])
        assertDataError(try ChannelStatistics(mean: [0], std: [0]).validate(channels: 1), contains: ["std 0.0"])
    }

    func testSyntheticDataIsSeededBalancedAndInRange() throws {
        let generator = SyntheticDataset(trainCount: 40, testCount: 10, channels: 3, height: 4, width: 5, classes: 4,
                                         seed: 9)
        let first = try generator.make()
        let again = try generator.make()
        var reseeded = generator
        reseeded.seed = 10
        XCTAssertEqual(first.train.images, again.train.images)
        XCTAssertNotEqual(first.train.images, try reseeded.make().train.images)
        XCTAssertNotEqual(first.train.images[..<60], first.test.images[..<60])
        XCTAssertEqual(first.train.classCounts(), [10, 10, 10, 10])
        XCTAssertEqual(first.test.count, 10)
        XCTAssertEqual(first.train.imageSize, 60)
        XCTAssertTrue(first.train.images.allSatisfy { $0 >= 0 && $0 <= 1 })
        assertDataError(try SyntheticDataset(classes: 0).make(), contains: ["positive counts"])
    }

    func testSyntheticSamplesOfAClassResembleEachOther() throws {
        let splits = try SyntheticDataset(trainCount: 30, testCount: 3, noise: 0.1, seed: 2).make()
        func distance(_ a: Int, _ b: Int) -> Float {
            let size = splits.train.imageSize
            return zip(splits.train.images[(a * size)..<((a + 1) * size)], splits.train.images[(b * size)..<((b + 1) * size)])
                .map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        }
        // Samples 0 and 10 share class 0; sample 1 is class 1.
        XCTAssertLessThan(distance(0, 10) * 2, distance(0, 1))
    }
}
