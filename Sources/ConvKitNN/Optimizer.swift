import CConvKit
import ConvKit

/// One parameter's optimizer state: PyTorch's per-parameter `state` entries.
public final class ParameterState {
    /// State tensors by PyTorch's key (`momentum_buffer`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`,
    /// `square_avg`, `grad_avg`),
    /// each of the parameter's shape; created on the parameter's first update.
    public internal(set) var tensors: [String: Tensor] = [:]
    /// Updates applied so far (PyTorch's `state["step"]`).
    public internal(set) var step = 0

    /// The state tensor `key`, created as zeros of `parameter`'s shape when missing.
    func tensor(_ key: String, like parameter: Tensor) throws -> Tensor {
        if let existing = tensors[key] { return existing }
        let created = try Tensor.zeros(parameter.shape, dtype: parameter.dtype, on: parameter.context)
        tensors[key] = created
        return created
    }
}

/// The common part of the optimizers: one parameter group with named parameters, a learning
/// rate that schedulers adjust, and per-parameter state that checkpoints save by name.
/// ``step()`` updates, on the device and outside the tape, every parameter that has a gradient
/// (a parameter without one is skipped and its state left alone, as in PyTorch).
public class Optimizer {
    /// The parameters and their names (e.g. from ``Module/namedParameters()``).
    public let parameters: [(name: String, tensor: Tensor)]
    /// State of each parameter, in the order of ``parameters``.
    public let states: [ParameterState]
    /// The learning rate of the next ``step()``; schedulers set it.
    public var learningRate: Double
    /// The learning rate the first scheduler found (PyTorch's `initial_lr`): every scheduler's base.
    public internal(set) var initialLearningRate: Double?
    /// PyTorch's state keys this optimizer keeps per parameter.
    let stateKeys: [String]

    init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Double, stateKeys: [String], kind: String) throws {
        guard learningRate >= 0, learningRate.isFinite else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "\(kind): learning rate \(learningRate) must be finite and >= 0")
        }
        let names = parameters.map(\.name)
        guard Set(names).count == names.count, parameters.allSatisfy({ $0.tensor.requiresGrad && $0.tensor.isLeaf }) else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "\(kind): parameters need distinct names and must be leaves that require grad")
        }
        self.parameters = parameters
        self.states = parameters.map { _ in ParameterState() }
        self.learningRate = learningRate
        self.stateKeys = stateKeys
    }

    /// Applies one update to every parameter with a gradient (inside `withNoGrad(_:)`).
    public func step() throws {
        try withNoGrad {
            for (parameter, state) in zip(parameters, states) {
                guard let gradient = parameter.tensor.grad else { continue }
                state.step += 1
                try update(parameter.tensor, gradient: gradient, state: state)
            }
        }
    }

    /// One parameter's update; `state.step` already counts it. Each optimizer overrides it.
    func update(_ parameter: Tensor, gradient: Tensor, state: ParameterState) throws {
        preconditionFailure("Optimizer.update must be overridden")
    }

    /// Drops every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for parameter in parameters { parameter.tensor.zeroGrad() }
    }

    /// The state as named tensors for a checkpoint: `<parameter>.<key>` for each state tensor
    /// (live, not copies) and `<parameter>.step`, a new float32 scalar (PyTorch 1.13's form).
    public func namedState() throws -> [(name: String, tensor: Tensor)] {
        try zip(parameters, states).flatMap { parameter, state -> [(name: String, tensor: Tensor)] in
            guard state.step > 0 || !state.tensors.isEmpty else { return [] }
            let step = try Tensor.full([], value: Double(state.step), on: parameter.tensor.context)
            return stateKeys.compactMap { key in state.tensors[key].map { ("\(parameter.name).\(key)", $0) } }
                + [("\(parameter.name).step", step)]
        }
    }

    /// Restores state saved by ``namedState()`` (`ck_copy`); parameters absent from `state`
    /// start afresh. Throws for an unknown name or a shape that does not match its parameter.
    public func loadState(_ state: [String: Tensor]) throws {
        var entries: [(slot: ParameterState, parameter: Tensor, key: String, value: Tensor)] = []
        var remaining = state
        for (parameter, slot) in zip(parameters, states) {
            for key in stateKeys + ["step"] {
                guard let value = remaining.removeValue(forKey: "\(parameter.name).\(key)") else { continue }
                let expected = key == "step" ? [] : parameter.tensor.shape
                guard value.shape == expected else {
                    throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                                       message: "loadState: \(parameter.name).\(key) is \(value.shape) but must be \(expected)")
                }
                entries.append((slot, parameter.tensor, key, value))
            }
        }
        guard remaining.isEmpty else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "loadState: unknown entries \(remaining.keys.sorted())")
        }
        for entry in entries {
            if entry.key == "step" {
                entry.slot.step = Int(try entry.value.item())
            } else {
                try entry.slot.tensor(entry.key, like: entry.parameter).assign(entry.value)
            }
        }
    }
}
