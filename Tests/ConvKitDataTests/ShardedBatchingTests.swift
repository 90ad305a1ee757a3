import XCTest

@testable import ConvKitData

/// ``DataShard``: replicas' batches of one step are, together, the batch of one process with
/// the global batch size; ``Dataset/share(_:)`` covers a set once.
final class ShardedBatchingTests: XCTestCase {
    private func dataset(count: Int = 40) throws -> Dataset {
        let images = (0..<count).flatMap { sample in (0..<4).map { Float(sample) + Float($0) / 10 } }
        return try Dataset(name: "numbered", images: images, labels: (0..<count).map { Int32($0 % 3) }, channels: 1,
                           height: 2, width: 2, classNames: ["a", "b", "c"])
    }

    func testTheShardsOfAStepMakeTheGlobalBatch() throws {
        let data = try dataset()
        let augmentation = Augmentation(horizontalFlip: true, cropPadding: 1)
        let global = try EpochBatches(dataset: data, options: BatchOptions(batchSize: 12, dropLast: true, seed: 5,
                                                                         augmentation: augmentation), epoch: 2)
        let shards = try (0..<3).map { index in
            try EpochBatches(dataset: data, options: BatchOptions(batchSize: 4, dropLast: true, seed: 5, augmentation: augmentation,
                                                                  shard: DataShard(index: index, count: 3)), epoch: 2)
        }
        XCTAssertEqual(global.count, 3)
        XCTAssertEqual(shards.map(\.count), [3, 3, 3])
        XCTAssertEqual(shards[1].globalBatchSize, 12)
        for step in 0..<global.count {
            let whole = global.batch(at: step)
            let parts = shards.map { $0.batch(at: step) }
            XCTAssertEqual(parts.flatMap(\.sampleIndices), whole.sampleIndices)
            XCTAssertEqual(parts.flatMap(\.labels), whole.labels)
            XCTAssertEqual(parts.flatMap(\.images), whole.images, "the same augmentation for each sample")
        }
    }

    func testShardsNeedDropLastAndAValidIndex() throws {
        let data = try dataset()
        XCTAssertThrowsError(try EpochBatches(dataset: data, options: BatchOptions(batchSize: 4, shard: DataShard(index: 0, count: 2)),
                                              epoch: 0))
        XCTAssertThrowsError(try EpochBatches(dataset: data, options: BatchOptions(batchSize: 4, dropLast: true,
                                                                                   shard: DataShard(index: 2, count: 2)), epoch: 0))
    }

    func testSharesCoverTheSetOnceInOrder() throws {
        let data = try dataset(count: 10)
        let shares = try (0..<3).map { try data.share(DataShard(index: $0, count: 3)) }
        XCTAssertEqual(shares.map(\.count), [3, 3, 4])
        XCTAssertEqual(shares.flatMap(\.labels), data.labels)
        XCTAssertEqual(shares.flatMap(\.images), data.images)
        XCTAssertEqual(try data.share(.whole).count, 10)
        XCTAssertEqual(try dataset(count: 1).share(DataShard(index: 0, count: 2)).count, 0, "more shards than samples")
        XCTAssertThrowsError(try data.share(DataShard(index: 3, count: 3)))
    }
}
