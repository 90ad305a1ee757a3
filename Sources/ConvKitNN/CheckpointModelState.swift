import ConvKit

/// Saving and restoring a model in a checkpoint: its ``Module/stateDict()`` under the
/// PyTorch names as they are (`layer1.0.conv1.weight`, `bn1.running_var`), so the model part
/// of a ConvKit checkpoint loads into PyTorch with `model.load_state_dict(load_file(path),
/// strict=False)` and a PyTorch state dict saved with `safetensors.torch.save_file` loads
/// here. int32 buffers (`num_batches_tracked`) are stored as I64, PyTorch's dtype for them.
/// Each ``Dropout``'s mask counter is saved as random-number state, `rng.dropout.<path>.seed`
/// and `rng.dropout.<path>.offset` (I64 scalars holding the UInt64 bit patterns).
enum CheckpointModel {
    /// The model's state-dict entries, host copies.
    static func entries(_ model: any Module) throws -> [(name: String, tensor: SafetensorsTensor)] {
        try model.stateDict().map { entry in
            (entry.name, try SafetensorsTensor(entry.tensor, int32Storage: .int64))
        }
    }

    /// Checks `entries` against the model's state dict (same names, shapes and loadable dtypes,
    /// nothing missing or extra), copies them to the model's device and returns the action
    /// that loads them (``Module/loadStateDict(_:strict:)``).
    static func prepareRestore(_ entries: [String: SafetensorsTensor], into model: any Module,
                               file: String) throws -> () throws -> Void {
        let own = model.stateDict()
        let ownNames = Set(own.map(\.name))
        let missing = own.map(\.name).filter { entries[$0] == nil }
        let unexpected = entries.keys.filter { !ownNames.contains($0) }.sorted()
        guard missing.isEmpty, unexpected.isEmpty else {
            let parts = (missing.isEmpty ? [] : ["the model's \(listed(missing)) \(missing.count == 1 ? "is" : "are") missing"])
                + (unexpected.isEmpty ? [] : ["\(listed(unexpected)) \(unexpected.count == 1 ? "is" : "are") not in the model"])
            throw CheckpointError(.mismatch, file: file, "the tensors do not match the model: " + parts.joined(separator: "; "))
        }
        for (name, target) in own {
            let stored = entries[name]!
            guard stored.shape == target.shape, stored.loads(into: target.dtype) else {
                throw CheckpointError(.mismatch, file: file, "tensor \(name) is \(stored.dtype.rawValue) \(stored.shape) in the file, "
                    + "but the model holds \(target.dtype) \(target.shape)")
            }
        }
        var converted: [String: Tensor] = [:]
        for (name, target) in own {
            converted[name] = try checkpointTensor(entries[name]!, target.dtype, on: target.context, name, file)
        }
        return { try model.loadStateDict(converted) }
    }

    /// `rng.dropout.…` entries (relative to `rng.dropout.`) of every dropout layer of `model`.
    static func dropoutEntries(_ model: any Module) -> [(name: String, tensor: SafetensorsTensor)] {
        dropouts(model).flatMap { path, dropout in
            [("\(path)seed", SafetensorsTensor(scalar: Int64(bitPattern: dropout.seed))),
             ("\(path)offset", SafetensorsTensor(scalar: Int64(bitPattern: dropout.offset)))]
        }
    }

    /// Checks `entries` (relative to `rng.dropout.`) against the model's dropout layers (one
    /// seed and offset each, the seed equal to the layer's) and returns the action that sets
    /// their counters.
    static func prepareDropoutRestore(_ entries: [String: SafetensorsTensor], into model: any Module,
                                      file: String) throws -> () -> Void {
        var remaining = entries
        var offsets: [(Dropout, UInt64)] = []
        for (path, dropout) in dropouts(model) {
            let name = "rng.dropout.\(path)"
            guard let seed = remaining.removeValue(forKey: "\(path)seed")?.scalar(as: Int64.self),
                  let offset = remaining.removeValue(forKey: "\(path)offset")?.scalar(as: Int64.self) else {
                throw CheckpointError(.mismatch, file: file, "\(name)seed and \(name)offset, I64 scalars, are missing for a dropout layer")
            }
            guard UInt64(bitPattern: seed) == dropout.seed else {
                throw CheckpointError(.mismatch, file: file, "the dropout layer \(path.dropLast()) was seeded "
                    + "\(UInt64(bitPattern: seed)) in the checkpoint but \(dropout.seed) here: its masks would differ")
            }
            offsets.append((dropout, UInt64(bitPattern: offset)))
        }
        guard remaining.isEmpty else {
            throw CheckpointError(.mismatch, file: file, "\(listed(remaining.keys.map { "rng.dropout.\($0)" })) match no dropout layer of the model")
        }
        return { for (dropout, offset) in offsets { dropout.offset = offset } }
    }

    /// Every ``Dropout`` of the tree with its dotted path plus a trailing dot (`classifier.1.`).
    private static func dropouts(_ module: any Module, path: String = "") -> [(path: String, dropout: Dropout)] {
        let own = (module as? Dropout).map { [(path, $0)] } ?? []
        return own + module.children.flatMap { dropouts($0.module, path: "\(path)\($0.name).") }
    }
}

/// `stored` as a new device tensor of `dtype`; a value that does not fit is a `.mismatch`
/// naming the entry.
func checkpointTensor(_ stored: SafetensorsTensor, _ dtype: DType, on context: Context, _ name: String,
                      _ file: String) throws -> Tensor {
    do {
        return try stored.makeTensor(dtype, on: context)
    } catch let error as ConvKitError {
        throw CheckpointError(.mismatch, file: file, "tensor \(name): \(error.message)")
    }
}

/// Up to eight of `names`, sorted, then how many more ("[a, b, … and 12 more]").
func listed<S: Sequence>(_ names: S) -> String where S.Element == String {
    let sorted = names.sorted()
    let shown = sorted.prefix(8).joined(separator: ", ")
    return "[" + shown + (sorted.count > 8 ? ", … and \(sorted.count - 8) more" : "") + "]"
}
