import CConvKit

extension Tensor {
    /// d(self)/d(target) · `gradient` for each of `targets`, returned instead of accumulated:
    /// no ``grad`` of any tensor changes (PyTorch's `torch.autograd.grad`). A target may be a
    /// leaf that requires grad or an intermediate tensor `self` was computed from (a layer's
    /// output, say); its gradient has the target's shape and dtype, and is zeros when `self` does
    /// not depend on it. `gradient` is as in ``backward(gradient:onGradientReady:)``: required unless `self` has
    /// one element. Walks the same tape with the same backward rules as `backward()`, so a
    /// leaf's result equals what `backward()` would accumulate into its ``grad`` from zero.
    /// Throws for a target that does not require grad, or a saved tensor modified in place.
    public func gradients(withRespectTo targets: [Tensor], gradient: Tensor? = nil) throws -> [Tensor] {
        let seed = try backwardSeed(gradient, "gradients")
        for target in targets where !target.requiresGrad {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "gradients: a target of shape \(target.shape) does not require grad; mark a leaf with requiringGrad()")
        }
        let order = topologicalOrder()
        for tensor in order { try tensor.gradFn?.checkSavedVersions(output: tensor) }

        let wanted = Set(targets.map(ObjectIdentifier.init))
        var reached: [ObjectIdentifier: Tensor] = [:]
        let store = GradientStore(holdsLeafGradients: true)
        store.pending[ObjectIdentifier(self)] = seed
        for tensor in order {
            let id = ObjectIdentifier(tensor)
            guard let dy = store.pending.removeValue(forKey: id) else { continue }
            // In reverse topological order every use of `tensor` has added its part: dy is complete.
            if wanted.contains(id) { reached[id] = dy }
            guard let node = tensor.gradFn else { continue }
            try node.rule.backward(dy: dy, output: tensor, slots: GradientSlots(inputs: node.inputs, store: store))
        }
        return try targets.map { target in
            let id = ObjectIdentifier(target)
            return try reached[id] ?? store.pending[id] ?? .zeros(target.shape, dtype: target.dtype, on: target.context)
        }
    }
}
