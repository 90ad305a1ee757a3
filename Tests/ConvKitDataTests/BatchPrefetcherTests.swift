import XCTest

@testable import ConvKitData

final class BatchPrefetcherTests: XCTestCase {
    private func epochs(_ range: Range<Int>, batchSize: Int = 7) throws -> [EpochBatches] {
        let dataset = try SyntheticDataset(trainCount: 50, testCount: 1, channels: 3, height: 8, width: 8, seed: 4)
            .make().train
        let options = BatchOptions(batchSize: batchSize, seed: 21,
                                   augmentation: Augmentation(horizontalFlip: true, cropPadding: 2,
                                                              maxRotationDegrees: 8, maxZoom: 0.1),
                                   normalization: dataset.channelStatistics())
        return try range.map { try EpochBatches(dataset: dataset, options: options, epoch: $0) }
    }

    func testPrefetchedBatchesEqualTheSynchronousOnes() throws {
        let plan = try epochs(0..<3)
        let synchronous = plan.flatMap { Array($0) }
        for depth in [1, 3] {
            let prefetched = Array(BatchPrefetcher(epochs: plan, depth: depth))
            XCTAssertEqual(prefetched.count, 3 * 8)
            XCTAssertEqual(prefetched, synchronous, "depth \(depth)")
            XCTAssertEqual(prefetched.map(\.epoch), plan.flatMap { epoch in Array(repeating: epoch.epoch, count: epoch.count) })
        }
    }

    func testOneEpochConvenienceAndEnd() throws {
        let prefetcher = BatchPrefetcher(try epochs(0..<1, batchSize: 50)[0])
        XCTAssertEqual(prefetcher.next()?.count, 50)
        XCTAssertNil(prefetcher.next())
        XCTAssertNil(prefetcher.next())
    }

    func testProducerRunsAheadSoASlowConsumerDoesNotWait() throws {
        let prefetcher = BatchPrefetcher(epochs: try epochs(0..<1), depth: 8)
        _ = prefetcher.next()
        Thread.sleep(forTimeInterval: 0.5)
        let waitedBefore = prefetcher.waitSeconds
        while prefetcher.next() != nil {}
        XCTAssertEqual(prefetcher.waitSeconds, waitedBefore, "the queue should have been full after 0.5 s")
    }

    func testDroppingAPrefetcherEarlyStopsItsThread() throws {
        let plan = try epochs(0..<20)
        for _ in 0..<10 {
            let prefetcher = BatchPrefetcher(epochs: plan, depth: 2)
            XCTAssertEqual(prefetcher.next()?.step, 0)
        }
    }
}
