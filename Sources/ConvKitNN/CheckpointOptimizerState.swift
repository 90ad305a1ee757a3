import ConvKit

/// Saving and restoring an optimizer in a checkpoint, under names modelled on PyTorch's
/// optimizer `state_dict()` (with parameter names where PyTorch uses indices):
///
/// - `optimizer.state.<parameter>.<key>`: each state tensor (`momentum_buffer`, `exp_avg`,
///   `exp_avg_sq`, `max_exp_avg_sq`, `square_avg`, `grad_avg`), the parameter's shape and dtype (F32 / F64);
/// - `optimizer.state.<parameter>.step`: the parameter's update count, an I64 scalar (PyTorch
///   keeps a float32 scalar, exact only up to 2²⁴);
/// - `optimizer.param_groups.0.lr`: the current learning rate, an F64 scalar;
/// - `optimizer.param_groups.0.initial_lr`: the schedules' base rate, when one was set.
///
/// A parameter that was never updated has no entries, as in PyTorch. The hyperparameters
/// (momentum, betas, …) come from the optimizer the caller builds, not from the file.
enum CheckpointOptimizer {
    static let learningRate = "param_groups.0.lr"
    static let initialLearningRate = "param_groups.0.initial_lr"

    /// The optimizer's entries (names relative to `optimizer.`), host copies of its state.
    static func entries(_ optimizer: Optimizer) throws -> [(name: String, tensor: SafetensorsTensor)] {
        var result: [(name: String, tensor: SafetensorsTensor)] = []
        for (parameter, slot) in zip(optimizer.parameters, optimizer.states) where slot.step > 0 || !slot.tensors.isEmpty {
            for key in optimizer.stateKeys {
                guard let tensor = slot.tensors[key] else { continue }
                result.append(("state.\(parameter.name).\(key)", try SafetensorsTensor(tensor)))
            }
            result.append(("state.\(parameter.name).step", SafetensorsTensor(scalar: Int64(slot.step))))
        }
        result.append((learningRate, SafetensorsTensor(scalar: optimizer.learningRate)))
        if let initial = optimizer.initialLearningRate { result.append((initialLearningRate, SafetensorsTensor(scalar: initial))) }
        return result
    }

    /// Checks `entries` (relative to `optimizer.`) against `optimizer`, copies them to its
    /// device, and returns the action that installs them: every parameter's state is replaced
    /// (a parameter without entries starts afresh), then the learning rates are set.
    static func prepareRestore(_ entries: [String: SafetensorsTensor], into optimizer: Optimizer,
                               file: String) throws -> () -> Void {
        func mismatch(_ problem: String) -> CheckpointError { CheckpointError(.mismatch, file: file, problem) }
        var remaining = entries
        guard let rate = remaining.removeValue(forKey: learningRate)?.scalar(as: Double.self) else {
            throw mismatch("optimizer.\(learningRate) is missing or not an F64 scalar (was the checkpoint saved without an optimizer?)")
        }
        var initialRate: Double?
        if let stored = remaining.removeValue(forKey: initialLearningRate) {
            guard let value = stored.scalar(as: Double.self) else { throw mismatch("optimizer.\(initialLearningRate) is not an F64 scalar") }
            initialRate = value
        }
        var restored: [(slot: ParameterState, step: Int, tensors: [String: Tensor])] = []
        for (parameter, slot) in zip(optimizer.parameters, optimizer.states) {
            var tensors: [String: Tensor] = [:]
            for key in optimizer.stateKeys {
                let name = "state.\(parameter.name).\(key)"
                guard let stored = remaining.removeValue(forKey: name) else { continue }
                guard stored.shape == parameter.tensor.shape, stored.loads(into: parameter.tensor.dtype) else {
                    throw mismatch("optimizer.\(name) is \(stored.dtype.rawValue) \(stored.shape) in the file, but the parameter "
                        + "is \(parameter.tensor.dtype) \(parameter.tensor.shape)")
                }
                tensors[key] = try checkpointTensor(stored, parameter.tensor.dtype, on: parameter.tensor.context, "optimizer.\(name)", file)
            }
            let stepName = "state.\(parameter.name).step"
            guard let stored = remaining.removeValue(forKey: stepName) else {
                guard tensors.isEmpty else { throw mismatch("optimizer.\(stepName) is missing beside its state tensors") }
                restored.append((slot, 0, [:]))
                continue
            }
            guard let step = stored.scalar(as: Int64.self), step >= 0 else {
                throw mismatch("optimizer.\(stepName) is not an I64 scalar >= 0")
            }
            restored.append((slot, Int(step), tensors))
        }
        guard remaining.isEmpty else {
            throw mismatch("optimizer entries \(listed(remaining.keys.map { "optimizer.\($0)" })) match no state of this "
                + "\(String(describing: type(of: optimizer))) and its parameters")
        }
        return {
            for entry in restored {
                entry.slot.tensors = entry.tensors
                entry.slot.step = entry.step
            }
            optimizer.learningRate = rate
            optimizer.initialLearningRate = initialRate
        }
    }
}
