import CConvKit
import ConvKit

/// A layer or a network of layers: a function of one (N, …) tensor with named parameters and
/// buffers, PyTorch's `nn.Module` in miniature.
///
/// Names are PyTorch's dotted state-dict keys: a module lists its own parameters and buffers
/// under short names (`weight`, `running_mean`) and its children under theirs (`conv1`, or
/// `0`, `1`, … in a ``Sequential``); the recursive views join them (`layer1.0.conv1.weight`),
/// so a checkpoint maps 1:1 to a PyTorch `state_dict`. Modules start in training mode.
/// A container calls its children through ``hooked(_:)`` so that ``ForwardHooks`` see them.
public protocol Module: AnyObject {
    /// The forward pass. Throws a `ConvKitError` naming the layer for an input it cannot take.
    func callAsFunction(_ input: Tensor) throws -> Tensor
    /// Training (true) or evaluation mode of this module alone; set it through ``Module/train(_:)``.
    var isTraining: Bool { get set }
    /// This module's own parameters (tensors that require grad), in PyTorch's order.
    var directParameters: [(name: String, tensor: Tensor)] { get }
    /// This module's own buffers (state that is not trained, e.g. running statistics).
    var directBuffers: [(name: String, tensor: Tensor)] { get }
    /// The direct submodules, in registration order.
    var children: [(name: String, module: any Module)] { get }
}

extension Module {
    public var directParameters: [(name: String, tensor: Tensor)] { [] }
    public var directBuffers: [(name: String, tensor: Tensor)] { [] }
    public var children: [(name: String, module: any Module)] { [] }

    /// Every parameter of the tree with its dotted name, in PyTorch's `named_parameters()` order.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        directParameters + children.flatMap { child in
            child.module.namedParameters().map { (name: "\(child.name).\($0.name)", tensor: $0.tensor) }
        }
    }

    /// Every buffer of the tree with its dotted name, in PyTorch's `named_buffers()` order.
    public func namedBuffers() -> [(name: String, tensor: Tensor)] {
        directBuffers + children.flatMap { child in
            child.module.namedBuffers().map { (name: "\(child.name).\($0.name)", tensor: $0.tensor) }
        }
    }

    /// Parameters and buffers in PyTorch's `state_dict()` order: a module's own parameters, then
    /// its own buffers, then each child's entries.
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        directParameters + directBuffers + children.flatMap { child in
            child.module.stateDict().map { (name: "\(child.name).\($0.name)", tensor: $0.tensor) }
        }
    }

    /// Copies `state` into the module's parameters and buffers (`ck_copy`; int32 buffers through
    /// the host), by name. Every entry
    /// must exist with the same shape and dtype; with `strict`, every parameter and buffer must
    /// also be given. Throws before copying anything when a name or shape does not match.
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws {
        let own = Dictionary(stateDict().map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        let unknown = state.keys.filter { own[$0] == nil }.sorted()
        let missing = strict ? own.keys.filter { state[$0] == nil }.sorted() : []
        guard unknown.isEmpty, missing.isEmpty else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "loadStateDict: unknown keys \(unknown), missing keys \(missing)")
        }
        for (name, value) in state.sorted(by: { $0.key < $1.key }) {
            let target = own[name]!
            guard value.shape == target.shape, value.dtype == target.dtype else {
                throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                                   message: "loadStateDict: \(name) is \(value.shape) \(value.dtype) but the module holds \(target.shape) \(target.dtype)")
            }
        }
        try withNoGrad {
            for (name, value) in state {
                // ck_copy moves float tensors; int32 counters (num_batches_tracked) go through the host.
                if value.dtype == .int32 { try own[name]!.assign(try value.toArray()) } else { try own[name]!.assign(value) }
            }
        }
    }

    /// Sets training (`true`) or evaluation mode on this module and every descendant; returns self.
    @discardableResult
    public func train(_ training: Bool = true) -> Self {
        isTraining = training
        for child in children { child.module.train(training) }
        return self
    }

    /// Evaluation mode for the whole tree: batch norm uses its running statistics, dropout is off.
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Drops the accumulated gradient of every parameter (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for parameter in namedParameters() { parameter.tensor.zeroGrad() }
    }

    /// The number of trainable scalars.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.tensor.count } }
}
