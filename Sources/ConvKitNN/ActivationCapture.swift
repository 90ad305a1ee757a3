import ConvKit

extension Module {
    /// The forward pass `self(x)` that also returns the outputs of the submodules at `layers`
    /// (dotted paths of ``namedSubmodules()``): each captured tensor is the very output the
    /// forward pass continued with, (N, …) in the layer's own shape, recorded on the tape when
    /// gradient recording is on. A layer run twice keeps its last output. The mode (training or
    /// evaluation) is the module's own. Through ``ForwardHooks``.
    ///
    /// Throws ``InspectionError/unknownLayer(_:available:)`` for a path the model lacks (before
    /// running anything) and ``InspectionError/layerNotReached(_:)`` for a layer whose output
    /// was not reported.
    public func callAsFunction(_ x: Tensor, capturing layers: [String]) throws -> (output: Tensor, activations: [String: Tensor]) {
        let modules = try layers.map { try submodule(named: $0) }
        var activations: [String: Tensor] = [:]
        let hooks = ForwardHooks()
        for (name, module) in zip(layers, modules) {
            hooks.add(on: module) { activations[name] = $0 }
        }
        let output = try hooks.observing { try self(x) }
        if let missing = layers.first(where: { activations[$0] == nil }) { throw InspectionError.layerNotReached(missing) }
        return (output, activations)
    }
}
