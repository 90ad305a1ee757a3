import CConvKit

/// Ops written outside this module: their forward pass is any computation, their backward
/// rule a closure, so a module above ConvKit (synchronized batch norm across processes) can
/// put its own op on the tape.
extension Tensor {
    /// Records `self`, a fresh result computed from `inputs` outside the tape (under
    /// ``withNoGrad(_:)`` or by non-differentiable means), as the output of op `op`.
    /// `backward(dy)` receives the gradient of `self` (`self`'s shape) and returns one gradient
    /// per input, in order, each of its input's shape, or nil for an input it gives none; the tape
    /// adds them to the inputs' gradients. `saved` are the tensors the closure reads: changing
    /// one in place before `backward()` is reported as for the built-in ops. Nothing is recorded
    /// when recording is off or no input requires grad. Returns `self`.
    public func recording(_ op: String, inputs: [Tensor], saved: [Tensor] = [],
                          backward: @escaping (_ dy: Tensor) throws -> [Tensor?]) throws -> Tensor {
        guard gradFn == nil, !isGradLeaf else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "\(op): only a fresh result can be recorded, not a tensor already on the tape or a parameter")
        }
        return recorded(op, inputs: inputs, rule: .custom(saved: saved, backward: { dy in
            let gradients = try backward(dy)
            guard gradients.count == inputs.count else {
                throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                                   message: "\(op): backward gave \(gradients.count) gradients for \(inputs.count) inputs")
            }
            for (input, gradient) in zip(inputs, gradients) {
                if let gradient, gradient.count != input.count || gradient.dtype != input.dtype {
                    throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                                       message: "\(op): backward gave a gradient of shape \(gradient.shape) \(gradient.dtype) for an input of shape \(input.shape) \(input.dtype)")
                }
            }
            return gradients
        }))
    }
}
