import CConvKit
import ConvKit

/// Adam (Kingma & Ba), PyTorch's `torch.optim.Adam`, or with `decoupledWeightDecay` AdamW
/// (Loshchilov & Hutter, `torch.optim.AdamW`), one `ck_adam_update` per parameter:
/// AdamW first p ·= 1 − lr·weightDecay, Adam instead g = grad + weightDecay·p;
/// m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; with AMSGrad (Reddi et al., `amsgrad=True`)
/// vmax = max(vmax, v), which replaces v below; with t the parameter's update count,
/// p −= (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε). State: `exp_avg` (m), `exp_avg_sq` (v),
/// and `max_exp_avg_sq` (vmax) with AMSGrad, all starting at zero.
public final class Adam: Optimizer {
    /// The decay of the first moment m (PyTorch's `betas[0]`).
    public let beta1: Double
    /// The decay of the second moment v (PyTorch's `betas[1]`).
    public let beta2: Double
    /// Added to the denominator √v̂ for stability (PyTorch's `eps`).
    public let epsilon: Double
    /// L2 penalty added to the gradient (Adam), or the decoupled decay factor (AdamW).
    public let weightDecay: Double
    /// AdamW: the parameter is scaled by 1 − lr·weightDecay instead of the gradient being penalized.
    public let decoupledWeightDecay: Bool
    /// Divide by the largest second moment seen so far (`ck_adam_amsgrad_update`).
    public let amsgrad: Bool

    /// PyTorch's Adam defaults (for AdamW use ``adamW(_:learningRate:beta1:beta2:epsilon:weightDecay:amsgrad:)``).
    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Double = 1e-3, beta1: Double = 0.9,
                beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0,
                decoupledWeightDecay: Bool = false, amsgrad: Bool = false) throws {
        guard (0..<1).contains(beta1), (0..<1).contains(beta2), epsilon >= 0, weightDecay >= 0 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "Adam: betas (\(beta1), \(beta2)) must be in [0, 1), epsilon \(epsilon) and weight decay \(weightDecay) >= 0")
        }
        (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
        (self.weightDecay, self.decoupledWeightDecay, self.amsgrad) = (weightDecay, decoupledWeightDecay, amsgrad)
        try super.init(parameters, learningRate: learningRate,
                       stateKeys: ["exp_avg", "exp_avg_sq"] + (amsgrad ? ["max_exp_avg_sq"] : []),
                       kind: decoupledWeightDecay ? "AdamW" : "Adam")
    }

    /// AdamW with PyTorch's defaults (weight decay 0.01).
    public static func adamW(_ parameters: [(name: String, tensor: Tensor)], learningRate: Double = 1e-3, beta1: Double = 0.9,
                             beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 1e-2,
                             amsgrad: Bool = false) throws -> Adam {
        try Adam(parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                 decoupledWeightDecay: true, amsgrad: amsgrad)
    }

    override func update(_ parameter: Tensor, gradient: Tensor, state: ParameterState) throws {
        try parameter.applyAdamUpdate(gradient: gradient, firstMoment: state.tensor("exp_avg", like: parameter),
                                      secondMoment: state.tensor("exp_avg_sq", like: parameter),
                                      maxSecondMoment: amsgrad ? state.tensor("max_exp_avg_sq", like: parameter) : nil,
                                      learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                      weightDecay: weightDecay, decoupledWeightDecay: decoupledWeightDecay, step: state.step)
    }
}
