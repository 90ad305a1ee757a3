import ConvKit
import ConvKitNN

/// Turns a freshly built (or restored) model into one replica of a data-parallel group.
public enum ReplicaSetup {
    /// How batch norm computes its training statistics across the replicas.
    public enum BatchNormMode: String, CaseIterable, Sendable {
        /// Each replica normalizes with the statistics of its own share of the batch (the
        /// default; no communication in the forward pass). The running statistics are averaged
        /// over the replicas before every evaluation and checkpoint.
        case local
        /// Statistics over the whole global batch (``SynchronizedBatchNorm``): the same numbers
        /// as one process with the global batch, at the cost of two small all-reduces per
        /// batch-norm layer and step.
        case synchronized
    }

    /// Makes `model` a replica on `communicator`'s rank: its float parameters and buffers become
    /// rank 0's (a broadcast, so every replica starts from the same weights whatever its own
    /// initialization or checkpoint), each ``ConvKitNN/Dropout`` draws its share of the global
    /// batch's mask, and each ``ConvKitNN/BatchNorm2D`` computes its statistics as `batchNorm` says.
    /// Throws ``DistributedError/mismatch(_:)`` on every rank when the replicas' dropout seeds differ
    /// (processes started with different `--seed`s).
    public static func prepare(_ model: any Module, communicator: any Communicator, batchNorm: BatchNormMode) throws {
        try broadcastState(of: model, communicator: communicator)
        let modules = allModules(of: model)
        try checkSameDropoutSeeds(modules.compactMap { $0 as? Dropout }, communicator: communicator)
        let synchronizer = batchNorm == .synchronized ? SynchronizedBatchNorm(communicator: communicator) : nil
        for module in modules {
            if let dropout = module as? Dropout { dropout.replica = (communicator.rank, communicator.size) }
            if let batchNorm = module as? BatchNorm2D { batchNorm.synchronizer = synchronizer }
        }
    }

    /// The dropout seeds are construction parameters, not state a broadcast could copy; they must
    /// agree. Each seed's four 16-bit parts x are summed over the ranks with their squares (exact
    /// in double precision): the ranks agree exactly when size·Σx² = (Σx)² for every part, which
    /// every rank decides alike from the same sums.
    static func checkSameDropoutSeeds(_ layers: [Dropout], communicator: any Communicator) throws {
        guard communicator.size > 1, !layers.isEmpty else { return }
        let parts = layers.flatMap { layer in (0..<4).map { Double((layer.seed >> (16 * UInt64($0))) & 0xFFFF) } }
        let sums = try communicator.sum(parts + parts.map { $0 * $0 }, for: "the comparison of the dropout seeds")
        let size = Double(communicator.size)
        guard parts.indices.allSatisfy({ size * sums[parts.count + $0] == sums[$0] * sums[$0] }) else {
            throw DistributedError.mismatch("the processes' dropout layers have different seeds: start every process with the same --seed")
        }
    }

    /// Rank 0's float parameters and buffers on every rank (one broadcast of their packed values).
    /// Integer buffers (batch norm's `num_batches_tracked`) are counters that every replica
    /// builds or restores alike; they are left as they are.
    static func broadcastState(of model: any Module, communicator: any Communicator) throws {
        guard communicator.size > 1 else { return }
        let tensors = model.stateDict().map(\.tensor).filter { $0.dtype == .float32 }
        let total = tensors.reduce(0) { $0 + $1.count }
        let host = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(total, 1))
        defer { host.deallocate() }
        var offset = 0
        for tensor in tensors {
            try tensor.copy(to: UnsafeMutableBufferPointer(rebasing: host[offset..<(offset + tensor.count)]))
            offset += tensor.count
        }
        try communicator.broadcast(UnsafeMutableBufferPointer(rebasing: host[0..<total]), for: "the broadcast of rank 0's weights")
        offset = 0
        try withNoGrad {
            for tensor in tensors {
                try tensor.copy(from: UnsafeBufferPointer(rebasing: host[offset..<(offset + tensor.count)]))
                offset += tensor.count
            }
        }
    }

    /// `model` and all its descendants, parents first.
    static func allModules(of model: any Module) -> [any Module] {
        [model] + model.children.flatMap { allModules(of: $0.module) }
    }
}
