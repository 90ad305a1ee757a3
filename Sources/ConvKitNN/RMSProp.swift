import CConvKit
import ConvKit

/// RMSProp (Hinton), PyTorch's `torch.optim.RMSprop`, one `ck_rmsprop_update` per parameter:
/// g = grad + weightDecay·p; v = α·v + (1 − α)·g²; centered: ḡ = α·ḡ + (1 − α)·g and
/// d = g / (√(v − ḡ²) + ε), else d = g / (√v + ε); with momentum, buf = momentum·buf + d and
/// p −= lr·buf, else p −= lr·d. State (PyTorch's keys, all starting at zero): `square_avg` (v),
/// `momentum_buffer` when momentum > 0, `grad_avg` (ḡ) when centered.
public final class RMSProp: Optimizer {
    /// The decay of the squared-gradient average (PyTorch's `alpha`).
    public let alpha: Double
    /// Added to the denominator for stability (PyTorch's `eps`).
    public let epsilon: Double
    /// L2 penalty added to the gradient.
    public let weightDecay: Double
    /// Momentum of the step buffer; 0 for none.
    public let momentum: Double
    /// Divide by the estimated variance of the gradient rather than its second moment.
    public let centered: Bool

    /// PyTorch's defaults: lr 0.01, α 0.99, ε 1e-8, not centered, no momentum.
    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Double = 1e-2, alpha: Double = 0.99,
                epsilon: Double = 1e-8, weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) throws {
        guard (0..<1).contains(alpha), epsilon >= 0, weightDecay >= 0, momentum >= 0 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "RMSProp: alpha \(alpha) must be in [0, 1), epsilon, weight decay and momentum >= 0")
        }
        (self.alpha, self.epsilon, self.weightDecay, self.momentum, self.centered) = (alpha, epsilon, weightDecay, momentum, centered)
        let keys = ["square_avg"] + (momentum > 0 ? ["momentum_buffer"] : []) + (centered ? ["grad_avg"] : [])
        try super.init(parameters, learningRate: learningRate, stateKeys: keys, kind: "RMSProp")
    }

    override func update(_ parameter: Tensor, gradient: Tensor, state: ParameterState) throws {
        try parameter.applyRMSPropUpdate(
            gradient: gradient, squareAverage: state.tensor("square_avg", like: parameter),
            gradientAverage: centered ? state.tensor("grad_avg", like: parameter) : nil,
            momentumBuffer: momentum > 0 ? state.tensor("momentum_buffer", like: parameter) : nil,
            learningRate: learningRate, alpha: alpha, epsilon: epsilon, weightDecay: weightDecay, momentum: momentum)
    }
}
