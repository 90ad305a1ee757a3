import Foundation

/// How a data set is cut into batches.
public struct BatchOptions: Equatable, Sendable {
    /// Samples per batch (B).
    public var batchSize: Int
    /// Visit samples in a seeded random order (see `epochOrder`), new each epoch.
    public var shuffle: Bool
    /// Drop the last batch when it has fewer than `batchSize` samples.
    public var dropLast: Bool
    /// Seeds shuffling and augmentation; the same seed gives the same batches.
    public var seed: UInt64
    /// Applied to each sample before normalization.
    public var augmentation: Augmentation
    /// Per-channel (x − mean) / std applied last; nil leaves pixels as loaded.
    public var normalization: ChannelStatistics?
    /// In data-parallel training, which share of each global batch this replica takes
    /// (``DataShard``); `batchSize` is then the share's size. ``DataShard/whole`` by default.
    public var shard: DataShard

    public init(batchSize: Int, shuffle: Bool = true, dropLast: Bool = false, seed: UInt64 = 0,
                augmentation: Augmentation = .none, normalization: ChannelStatistics? = nil, shard: DataShard = .whole) {
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.augmentation = augmentation
        self.normalization = normalization
        self.shard = shard
    }
}

/// One replica's share of the data in data-parallel training. Every replica draws the same
/// epoch order (same seed) and cuts it into global batches of `count` × batchSize samples;
/// replica `index` takes the `index`-th run of batchSize samples of each. The replicas'
/// batches of one step, concatenated in index order, are therefore exactly the batch one
/// process with batch size `count` × batchSize would get (same samples, same augmentation).
public struct DataShard: Equatable, Sendable {
    /// This replica, in 0..<count.
    public var index: Int
    /// Replicas sharing each global batch.
    public var count: Int

    public init(index: Int, count: Int) {
        (self.index, self.count) = (index, count)
    }

    /// One replica with all of the data.
    public static let whole = DataShard(index: 0, count: 1)
}

/// One batch as plain host arrays, ready to upload to a device.
public struct Batch: Equatable, Sendable {
    /// `[count, channels, height, width]`, contiguous.
    public let images: [Float]
    /// `[count]`.
    public let labels: [Int32]
    /// Dataset index of each sample, `[count]`.
    public let sampleIndices: [Int]
    /// The shape of each image.
    public let shape: ImageShape
    public let epoch: Int
    /// Position of the batch in its epoch, from 0.
    public let step: Int

    /// Samples in this batch (B; the last batch may have fewer than batchSize).
    public var count: Int { labels.count }
}

/// The batches of one epoch. Their order and content are a function of
/// (dataset, options, epoch) only, so `batch(at:)` gives the same result
/// whenever and on whichever thread it is called; `BatchPrefetcher` relies
/// on that to prepare batches ahead on a background thread.
public struct EpochBatches: Sequence, Sendable {
    public let dataset: Dataset
    public let options: BatchOptions
    public let epoch: Int
    /// The dataset indices in the order this epoch visits them.
    public let order: [Int]

    /// Checks the options against the dataset and draws the epoch's order.
    public init(dataset: Dataset, options: BatchOptions, epoch: Int) throws {
        guard options.batchSize > 0 else {
            throw DataError.invalidArgument("batch size must be positive, not \(options.batchSize)")
        }
        guard epoch >= 0 else { throw DataError.invalidArgument("epoch must be ≥ 0, not \(epoch)") }
        let shard = options.shard
        guard shard.count >= 1, (0..<shard.count).contains(shard.index) else {
            throw DataError.invalidArgument("data shard \(shard.index) of \(shard.count) does not exist")
        }
        guard shard.count == 1 || options.dropLast else {
            throw DataError.invalidArgument("sharded batches need dropLast: a last, partial global batch cannot be shared evenly")
        }
        try options.augmentation.validate()
        try options.normalization?.validate(channels: dataset.channels)
        self.dataset = dataset
        self.options = options
        self.epoch = epoch
        order = epochOrder(count: dataset.count, seed: options.seed, epoch: epoch, shuffle: options.shuffle)
    }

    /// Number of batches: ⌊N / G⌋ with dropLast, else ⌈N / G⌉, for global batches of
    /// G = batchSize × shard count samples.
    public var count: Int {
        let full = dataset.count / globalBatchSize
        return options.dropLast || dataset.count % globalBatchSize == 0 ? full : full + 1
    }

    /// Samples per step over all replicas: batchSize × shard count.
    public var globalBatchSize: Int { options.batchSize * options.shard.count }

    /// Batch `step` (0..<count): this shard's samples of global batch `step`, copied in epoch order, each
    /// augmented with its own (seed, epoch, sample) stream, then normalized.
    /// Augmented batches are split over every core (the result does not
    /// depend on how: each sample's randomness is its own).
    public func batch(at step: Int) -> Batch {
        let start = step * globalBatchSize + options.shard.index * options.batchSize
        let indices = Array(order[start..<Swift.min(start + options.batchSize, order.count)])
        let shape = ImageShape(channels: dataset.channels, height: dataset.height, width: dataset.width)
        let workers = options.augmentation.isIdentity
            ? 1 : Swift.max(Swift.min(ProcessInfo.processInfo.activeProcessorCount, indices.count), 1)
        let slotsPerWorker = (indices.count + workers - 1) / workers
        let images = [Float](unsafeUninitializedCapacity: indices.count * shape.size) { buffer, initialized in
            let target = buffer
            dataset.images.withUnsafeBufferPointer { source in
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let slots = (worker * slotsPerWorker)..<Swift.min((worker + 1) * slotsPerWorker, indices.count)
                    prepare(slots, of: indices, from: source, into: target, shape: shape)
                }
            }
            options.normalization?.normalize(
                UnsafeMutableBufferPointer(rebasing: target[..<(indices.count * shape.size)]),
                channels: shape.channels, plane: shape.plane)
            initialized = indices.count * shape.size
        }
        return Batch(images: images, labels: indices.map { dataset.labels[$0] }, sampleIndices: indices,
                     shape: shape, epoch: epoch, step: step)
    }

    /// Copies samples `indices[slot]` for each slot of `slots` into their
    /// places in `target` (`[B, C, H, W]`) and augments them.
    private func prepare(_ slots: Range<Int>, of indices: [Int], from source: UnsafeBufferPointer<Float>,
                         into target: UnsafeMutableBufferPointer<Float>, shape: ImageShape) {
        var scratch = [Float](repeating: 0, count: shape.size)
        for slot in slots {
            let index = indices[slot]
            let image = UnsafeMutableBufferPointer(rebasing: target[(slot * shape.size)..<((slot + 1) * shape.size)])
            _ = image.initialize(fromContentsOf: source[(index * shape.size)..<((index + 1) * shape.size)])
            guard !options.augmentation.isIdentity else { continue }
            var rng = SplitMix64(seed: options.seed, streams: RandomStream.augmentation, UInt64(epoch), UInt64(index))
            scratch.withUnsafeMutableBufferPointer { scratch in
                options.augmentation.apply(to: image, scratch: scratch, shape: shape, rng: &rng)
            }
        }
    }

    public func makeIterator() -> AnyIterator<Batch> {
        var step = 0
        return AnyIterator {
            guard step < count else { return nil }
            defer { step += 1 }
            return batch(at: step)
        }
    }
}
