import CConvKit
import ConvKit

/// Stochastic gradient descent, PyTorch's `torch.optim.SGD`, one `ck_sgd_update` per parameter:
/// g = grad + weightDecay·p; with momentum, buf = g on the parameter's first update, else
/// momentum·buf + (1 − dampening)·g, and g = g + momentum·buf (Nesterov) or buf; p −= lr·g.
/// State: `momentum_buffer` when momentum ≠ 0.
public final class SGD: Optimizer {
    /// Momentum factor; 0 for plain SGD.
    public let momentum: Double
    /// Dampening of the gradient added to the momentum buffer after the first step.
    public let dampening: Double
    /// L2 penalty added to the gradient.
    public let weightDecay: Double
    /// Nesterov momentum: the step looks ahead along the momentum buffer.
    public let nesterov: Bool

    /// PyTorch's `SGD(params, lr, momentum, dampening, weight_decay, nesterov)`. Throws for a negative
    /// momentum or weight decay, dampening outside [0, 1], or Nesterov without momentum or with dampening.
    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Double, momentum: Double = 0,
                dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) throws {
        guard momentum >= 0, (0...1).contains(dampening), weightDecay >= 0 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "SGD: momentum \(momentum) and weight decay \(weightDecay) must be >= 0, dampening \(dampening) in [0, 1]")
        }
        guard !nesterov || (momentum > 0 && dampening == 0) else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "SGD: Nesterov momentum needs momentum > 0 and dampening 0")
        }
        (self.momentum, self.dampening, self.weightDecay, self.nesterov) = (momentum, dampening, weightDecay, nesterov)
        try super.init(parameters, learningRate: learningRate, stateKeys: momentum == 0 ? [] : ["momentum_buffer"], kind: "SGD")
    }

    override func update(_ parameter: Tensor, gradient: Tensor, state: ParameterState) throws {
        let isFirst = state.tensors["momentum_buffer"] == nil
        let velocity = momentum == 0 ? nil : try state.tensor("momentum_buffer", like: parameter)
        // ck_sgd_update's step only tells whether the velocity starts as the gradient (step 1).
        try parameter.applySGDUpdate(gradient: gradient, velocity: velocity, learningRate: learningRate, momentum: momentum,
                                     dampening: dampening, weightDecay: weightDecay, nesterov: nesterov,
                                     step: isFirst ? 1 : 2)
    }
}
