import CZlib

/// A training checkpoint: one safetensors file with everything an exact resume needs.
///
/// Contents (see `CheckpointModel`, `CheckpointOptimizer`, `CheckpointSchedules`,
/// ``CheckpointInfo``):
/// - the model's state dict under PyTorch's names (`conv1.weight`, `bn1.num_batches_tracked` as
///   I64), so the file is also a PyTorch state dict;
/// - `optimizer.state.<parameter>.<key>`, `optimizer.param_groups.0.lr`, …;
/// - `scheduler.<i>.<key>` for each schedule;
/// - `training.epoch`, `training.global_step`, `rng.<name>` and the dropout layers'
///   `rng.dropout.<path>.seed` / `.offset`;
/// - metadata: `convkit.format` (``formatVersion``), `convkit.version`, `convkit.model`,
///   `convkit.dataset`, `convkit.config`, `convkit.optimizer` (its type or `none`),
///   `convkit.schedules` (their kinds, `;`-separated) and `convkit.crc32`, the zlib CRC-32 of
///   the whole data section as 8 hex digits, verified by ``read(from:)``.
///
/// The model's own names may not start with the reserved prefixes `optimizer.`, `scheduler.`,
/// `training.` or `rng.`. Files are written atomically (``SafetensorsFile/write(to:)``), so an
/// interrupted save leaves the previous checkpoint as it was.
///
/// Resuming: ``read(from:)``, then ``restore(model:modelName:optimizer:schedules:)`` into
/// freshly built objects of the same configuration; the run continues at ``CheckpointInfo``'s
/// epoch and global step. Evaluating: ``loadWeights(into:modelName:)``, which also takes a plain
/// state dict (a file from `safetensors.torch.save_file`).
public struct Checkpoint: Sendable {
    /// The value of `convkit.format` this code writes and reads.
    public static let formatVersion = "convkit-checkpoint-1"
    /// The path the checkpoint was read from.
    public let file: String
    /// The tensors and metadata as read.
    public let contents: SafetensorsFile
    /// The run's information; nil for a plain state dict (no `convkit.format` metadata).
    public let info: CheckpointInfo?

    static let formatKey = "convkit.format"
    static let checksumKey = "convkit.crc32"
    static let optimizerKey = "convkit.optimizer"
    static let schedulesKey = "convkit.schedules"
    static let reservedPrefixes = ["optimizer.", "scheduler.", "training.", "rng."]

    /// Writes a checkpoint of `model`, `optimizer` and `schedules` with `info` to `path`,
    /// atomically (reads every tensor back to the host first: `ck_buffer_read`).
    public static func save(to path: String, model: any Module, optimizer: Optimizer? = nil,
                            schedules: [any CheckpointableSchedule] = [], info: CheckpointInfo) throws {
        var file = SafetensorsFile(metadata: [formatKey: formatVersion, optimizerKey: kind(of: optimizer),
                                              schedulesKey: schedules.map(\.checkpointKind).joined(separator: ";")])
        for (name, tensor) in try CheckpointModel.entries(model) {
            if let prefix = reservedPrefixes.first(where: { name.hasPrefix($0) }) {
                throw CheckpointError(.mismatch, file: path, "the model's tensor \(name) uses the prefix \(prefix), reserved for checkpoint state")
            }
            try file.append(name, tensor)
        }
        if let optimizer {
            for (name, tensor) in try CheckpointOptimizer.entries(optimizer) { try file.append("optimizer." + name, tensor) }
        }
        for (name, tensor) in CheckpointSchedules.entries(schedules) { try file.append("scheduler." + name, tensor) }
        try info.store(in: &file, path: path)
        for (name, tensor) in CheckpointModel.dropoutEntries(model) { try file.append("rng.dropout." + name, tensor) }
        file.metadata[checksumKey] = hex(dataChecksum(file))
        try file.write(to: path)
    }

    /// Reads the file at `path` and validates it: the safetensors structure
    /// (``SafetensorsFile/init(decoding:file:)``) and, for a ConvKit checkpoint, its format
    /// version, checksum and info. Throws a ``CheckpointError`` naming the problem.
    public static func read(from path: String) throws -> Checkpoint {
        let contents = try SafetensorsFile.read(from: path)
        guard let format = contents.metadata[formatKey] else { return Checkpoint(file: path, contents: contents, info: nil) }
        guard format == formatVersion else {
            throw CheckpointError(.mismatch, file: path, "the checkpoint format is \(format); this ConvKit reads \(formatVersion)")
        }
        guard let recorded = contents.metadata[checksumKey] else {
            throw CheckpointError(.corrupt, file: path, "the checkpoint metadata has no \(checksumKey)")
        }
        let computed = hex(dataChecksum(contents))
        guard recorded == computed else {
            throw CheckpointError(.corrupt, file: path, "checksum mismatch: the data's CRC-32 is \(computed) but the header "
                + "records \(recorded) (the file was damaged or altered)")
        }
        return Checkpoint(file: path, contents: contents, info: try CheckpointInfo(from: contents, path: path))
    }

    /// Restores everything into freshly built objects for an exact resume: the model's
    /// parameters and buffers, the optimizer's state and learning rates, the schedules' progress
    /// and the dropout counters. `modelName`, the optimizer's type and the schedules' kinds must
    /// be the saved ones, and every tensor must match by name, shape and dtype; all of it is
    /// checked (and copied to the device) before anything changes, so a refused checkpoint
    /// leaves the objects untouched.
    public func restore(model: any Module, modelName: String, optimizer: Optimizer?,
                        schedules: [any CheckpointableSchedule] = []) throws {
        guard let info else {
            throw CheckpointError(.mismatch, file: file, "a plain state dict without ConvKit checkpoint metadata: "
                + "it can only be loaded with loadWeights(into:)")
        }
        try checkModelName(info, modelName)
        let savedOptimizer = contents.metadata[Checkpoint.optimizerKey] ?? ""
        guard savedOptimizer == Checkpoint.kind(of: optimizer) else {
            throw CheckpointError(.mismatch, file: file, "the checkpoint holds optimizer \(savedOptimizer), "
                + "but \(Checkpoint.kind(of: optimizer)) was passed to restore")
        }
        let savedSchedules = contents.metadata[Checkpoint.schedulesKey] ?? ""
        let givenSchedules = schedules.map(\.checkpointKind).joined(separator: ";")
        guard savedSchedules == givenSchedules else {
            throw CheckpointError(.mismatch, file: file, "the checkpoint holds schedules [\(savedSchedules)], "
                + "but [\(givenSchedules)] were passed to restore")
        }
        var actions: [() throws -> Void] = [try CheckpointModel.prepareRestore(modelEntries(), into: model, file: file)]
        if let optimizer {
            actions.append(try CheckpointOptimizer.prepareRestore(entries(under: "optimizer."), into: optimizer, file: file))
        }
        actions.append(try CheckpointSchedules.prepareRestore(entries(under: "scheduler."), into: schedules, file: file))
        actions.append(try CheckpointModel.prepareDropoutRestore(entries(under: "rng.dropout."), into: model, file: file))
        for action in actions { try action() }
    }

    /// Loads only the model's parameters and buffers (for evaluation and prediction). Works on
    /// a ConvKit checkpoint (whose model name must be `modelName` when one is given) and on a
    /// plain state dict, where every tensor must belong to the model. Checks every name, shape
    /// and dtype before changing anything.
    public func loadWeights(into model: any Module, modelName: String? = nil) throws {
        if let info, let modelName { try checkModelName(info, modelName) }
        try CheckpointModel.prepareRestore(modelEntries(), into: model, file: file)()
    }

    /// ``read(from:)`` then ``loadWeights(into:modelName:)``; returns the checkpoint read.
    @discardableResult
    public static func loadWeights(from path: String, into model: any Module, modelName: String? = nil) throws -> Checkpoint {
        let checkpoint = try read(from: path)
        try checkpoint.loadWeights(into: model, modelName: modelName)
        return checkpoint
    }

    private func checkModelName(_ info: CheckpointInfo, _ modelName: String) throws {
        guard info.modelName == modelName else {
            throw CheckpointError(.mismatch, file: file, "the checkpoint holds model \"\(info.modelName)\", not \"\(modelName)\"")
        }
    }

    /// The model's entries: every tensor of a plain state dict, the unreserved names of a checkpoint.
    private func modelEntries() -> [String: SafetensorsTensor] {
        var result: [String: SafetensorsTensor] = [:]
        for name in contents.names where info == nil || !Checkpoint.reservedPrefixes.contains(where: { name.hasPrefix($0) }) {
            result[name] = contents[name]
        }
        return result
    }

    /// The entries whose names start with `prefix`, by the rest of the name.
    private func entries(under prefix: String) -> [String: SafetensorsTensor] {
        var result: [String: SafetensorsTensor] = [:]
        for name in contents.names where name.hasPrefix(prefix) { result[String(name.dropFirst(prefix.count))] = contents[name] }
        return result
    }

    /// The optimizer's type name ("SGD", "Adam", "RMSProp"), or "none".
    private static func kind(of optimizer: Optimizer?) -> String {
        optimizer.map { String(describing: type(of: $0)) } ?? "none"
    }

    /// zlib's CRC-32 of the data section: every tensor's bytes in data order.
    static func dataChecksum(_ file: SafetensorsFile) -> UInt32 {
        var crc = crc32(0, nil, 0)
        for name in file.names {
            file[name]!.bytes.withUnsafeBufferPointer { buffer in
                var start = 0
                while start < buffer.count {
                    let length = min(buffer.count - start, 1 << 30)
                    crc = crc32(crc, buffer.baseAddress! + start, uInt(length))
                    start += length
                }
            }
        }
        return UInt32(crc)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
