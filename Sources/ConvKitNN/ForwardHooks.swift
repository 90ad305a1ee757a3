import ConvKit

/// Forward hooks, PyTorch's `register_forward_hook`: functions that see a submodule's output
/// each time the forward pass runs that submodule.
///
/// A hook is added for one module object and acts only while ``observing(_:)`` runs, on the
/// task that runs it (scopes nest: every active scope's hooks fire). A module's output reaches
/// the hooks when its parent calls it through ``Module/hooked(_:)``: every container and model
/// of ConvKit calls its children that way, so each entry of ``Module/namedSubmodules()`` of
/// those reports. A module of your own reports its children when it calls them the same way.
///
///     let hooks = ForwardHooks()
///     hooks.add(on: try model.submodule(named: "features.3")) { output in print(output.shape) }
///     let logits = try hooks.observing { try model(x) }
///
/// Like a `Context`, use one from one thread at a time.
public final class ForwardHooks: @unchecked Sendable {
    /// Called with the module's output, (N, …), the very tensor the forward pass continues with.
    public typealias Hook = (_ output: Tensor) throws -> Void

    @TaskLocal static var active: [ForwardHooks] = []
    private var hooks: [ObjectIdentifier: [Hook]] = [:]

    /// No hooks yet; ``add(on:_:)`` adds them.
    public init() {}

    /// Adds `hook` for `module`; hooks of one module run in the order they were added.
    public func add(on module: any Module, _ hook: @escaping Hook) {
        hooks[ObjectIdentifier(module), default: []].append(hook)
    }

    /// Runs `body` (a forward pass) with these hooks active.
    public func observing<R>(_ body: () throws -> R) rethrows -> R {
        try ForwardHooks.$active.withValue(ForwardHooks.active + [self], operation: body)
    }

    /// Whether a scope is active on this task: a fused step must then show its parts to the hooks.
    static var isObserving: Bool { !active.isEmpty }

    /// Runs the hooks every active scope holds for `module` on `output`.
    static func report(_ module: any Module, output: Tensor) throws {
        for scope in active {
            for hook in scope.hooks[ObjectIdentifier(module)] ?? [] { try hook(output) }
        }
    }
}

extension Module {
    /// `self(x)` as a step of a bigger forward pass: the output is also handed to the
    /// ``ForwardHooks`` added for this module, when any scope is active. Containers call their
    /// children this way.
    public func hooked(_ x: Tensor) throws -> Tensor {
        let y = try self(x)
        if !ForwardHooks.active.isEmpty { try ForwardHooks.report(self, output: y) }
        return y
    }
}
