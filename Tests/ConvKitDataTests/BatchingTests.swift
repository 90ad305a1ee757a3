import XCTest

@testable import ConvKitData

final class BatchingTests: XCTestCase {
    /// 10 samples of 1×2×2 whose pixels are sample + position / 10; label = sample % 3.
    private func numbered(count: Int = 10) throws -> Dataset {
        let images = (0..<count).flatMap { sample in (0..<4).map { Float(sample) + Float($0) / 10 } }
        return try Dataset(name: "numbered", images: images, labels: (0..<count).map { Int32($0 % 3) }, channels: 1,
                           height: 2, width: 2, classNames: ["a", "b", "c"])
    }

    private func image(_ batch: Batch, _ slot: Int) -> [Float] {
        Array(batch.images[(slot * batch.shape.size)..<((slot + 1) * batch.shape.size)])
    }

    func testPartialLastBatchKeptOrDropped() throws {
        let dataset = try numbered()
        let kept = try EpochBatches(dataset: dataset, options: BatchOptions(batchSize: 4, shuffle: false), epoch: 0)
        XCTAssertEqual(kept.count, 3)
        XCTAssertEqual(Array(kept).map(\.count), [4, 4, 2])
        XCTAssertEqual(Array(kept).last?.sampleIndices, [8, 9])
        let dropped = try EpochBatches(dataset: dataset, options: BatchOptions(batchSize: 4, shuffle: false, dropLast: true),
                                       epoch: 0)
        XCTAssertEqual(Array(dropped).map(\.count), [4, 4])
        let exact = try EpochBatches(dataset: dataset, options: BatchOptions(batchSize: 5, dropLast: true), epoch: 0)
        XCTAssertEqual(exact.count, 2)
    }

    func testBatchesAreContiguousNCHWCopiesInOrder() throws {
        let batches = Array(try EpochBatches(dataset: numbered(), options: BatchOptions(batchSize: 4, shuffle: false),
                                             epoch: 0))
        let second = batches[1]
        XCTAssertEqual(second.images.count, 4 * 4)
        XCTAssertEqual(second.shape, ImageShape(channels: 1, height: 2, width: 2))
        XCTAssertEqual(image(second, 1), [5, 5.1, 5.2, 5.3])
        XCTAssertEqual(second.labels, [1, 2, 0, 1])
        XCTAssertEqual(second.step, 1)
        XCTAssertEqual(second.epoch, 0)
    }

    func testShuffledEpochsCoverEverySampleOnceInASeededOrder() throws {
        let dataset = try numbered()
        let options = BatchOptions(batchSize: 3, seed: 5)
        let epoch1 = Array(try EpochBatches(dataset: dataset, options: options, epoch: 1))
        let visited = epoch1.flatMap(\.sampleIndices)
        XCTAssertEqual(visited.sorted(), Array(0..<10))
        XCTAssertEqual(visited, epochOrder(count: 10, seed: 5, epoch: 1, shuffle: true))
        XCTAssertEqual(epoch1, Array(try EpochBatches(dataset: dataset, options: options, epoch: 1)))
        XCTAssertNotEqual(visited, Array(try EpochBatches(dataset: dataset, options: options, epoch: 2)).flatMap(\.sampleIndices))
        for batch in epoch1 {
            for (slot, index) in batch.sampleIndices.enumerated() {
                XCTAssertEqual(image(batch, slot), Array(dataset.images[(index * 4)..<((index + 1) * 4)]))
                XCTAssertEqual(batch.labels[slot], dataset.labels[index])
            }
        }
    }

    func testNormalizationIsAppliedPerChannel() throws {
        let dataset = try Dataset(name: "rgb", images: [1, 2, 3, 4, 5, 6], labels: [0, 0], channels: 3, height: 1,
                                  width: 1, classNames: ["x"])
        let statistics = ChannelStatistics(mean: [1, 2, 3], std: [1, 2, 4])
        let batch = try EpochBatches(dataset: dataset, options: BatchOptions(batchSize: 2, shuffle: false,
                                                                             normalization: statistics),
                                     epoch: 0).batch(at: 0)
        XCTAssertEqual(batch.images, [0, 0, 0, 3, 1.5, 0.75])
    }

    func testAugmentationDependsOnSampleAndEpochNotOnBatching() throws {
        let dataset = try SyntheticDataset(trainCount: 12, testCount: 1, channels: 2, height: 6, width: 6, seed: 1)
            .make().train
        let augmentation = Augmentation(horizontalFlip: true, cropPadding: 1, maxRotationDegrees: 10, maxZoom: 0.1)
        func augmentedImages(batchSize: Int, shuffle: Bool, epoch: Int) throws -> [Int: [Float]] {
            let options = BatchOptions(batchSize: batchSize, shuffle: shuffle, seed: 3, augmentation: augmentation)
            var images: [Int: [Float]] = [:]
            for batch in try EpochBatches(dataset: dataset, options: options, epoch: epoch) {
                for (slot, index) in batch.sampleIndices.enumerated() { images[index] = image(batch, slot) }
            }
            return images
        }
        let reference = try augmentedImages(batchSize: 5, shuffle: true, epoch: 0)
        XCTAssertEqual(reference, try augmentedImages(batchSize: 2, shuffle: false, epoch: 0))
        XCTAssertNotEqual(reference, try augmentedImages(batchSize: 5, shuffle: true, epoch: 1))
        XCTAssertNotEqual(reference[0], Array(dataset.images[..<dataset.imageSize]))
    }

    func testInvalidOptionsAreRejected() throws {
        let dataset = try numbered()
        assertDataError(try EpochBatches(dataset: dataset, options: BatchOptions(batchSize: 0), epoch: 0),
                        contains: ["batch size must be positive"])
        assertDataError(try EpochBatches(dataset: dataset, options: BatchOptions(batchSize: 2), epoch: -1),
                        contains: ["epoch must be ≥ 0"])
        assertDataError(
            try EpochBatches(dataset: dataset,
                             options: BatchOptions(batchSize: 2, normalization: ChannelStatistics(mean: [0, 0], std: [1, 1])),
                             epoch: 0),
            contains: ["2 means and 2 stds for images of 1 channel(s)"])
    }
}
