import ConvKit
import ConvKitData

/// What the ``Trainer`` needs from data-parallel training: one replica of the model per
/// process (rank), each training on its share of every global batch, kept identical by
/// averaging the gradients of every step over the replicas. An implementation (ConvKitDistributed's,
/// over MPI) is given to ``Trainer/init(model:data:options:context:output:dataParallel:)``; the
/// trainer then
/// - trains on share `rank` of `size` of each global batch of ``TrainingOptions/batchSize``
///   samples (``DataShard``),
/// - passes ``gradientReady(_:)`` to `backward()` and calls ``finishGradients()`` before
///   every optimizer step,
/// - averages the training metrics it shows and logs with ``sum(_:)``,
/// - calls ``synchronizeBuffers()`` before evaluating and before a checkpoint, evaluates its
///   share of the test set, and
/// - writes files (log, chart, checkpoints) on rank 0 only.
///
/// Every rank must make the same calls in the same order: they are collective operations.
public protocol DataParallelSynchronizer: AnyObject {
    /// This replica, in 0..<size; rank 0 writes the run's files.
    var rank: Int { get }
    /// Replicas training together.
    var size: Int { get }
    /// Called during `backward()` for each parameter whose gradient is final, so its
    /// reduction can start while the backward pass goes on.
    func gradientReady(_ parameter: Tensor) throws
    /// Completes the step's gradient reduction: afterwards every parameter's gradient is the
    /// mean of the replicas' gradients, on every replica.
    func finishGradients() throws
    /// Element-wise sums of `values` over the replicas (every replica gets them).
    func sum(_ values: [Double]) throws -> [Double]
    /// Makes the model's float buffers (batch-norm running statistics) the same on every
    /// replica: their mean over the replicas.
    func synchronizeBuffers() throws
}

extension DataParallelSynchronizer {
    /// This replica's share of the data.
    public var shard: DataShard { DataShard(index: rank, count: size) }
}
