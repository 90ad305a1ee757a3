import CConvKit
import ConvKit

/// RMSProp (Hinton), PyTorch's `torch.optim.RMSprop` without `centered`:
/// g = grad + weightDecay·p; v = α·v + (1 − α)·g²; d = g / (√v + ε); with momentum,
/// buf = momentum·buf + d and p −= lr·buf, else p −= lr·d. State: `square_avg` (v) and
/// `momentum_buffer` when momentum > 0 (both start at zero).
///
/// Composed from existing C ops: `ck_adam_update` with β1 = 0 and β2 = α is exactly this
/// update once its bias corrections are 1, i.e. 1 − 0ᵗ = 1 and 1 − αᵗ = 1, which holds in
/// double precision for the step count t = 2⁶² (αᵗ underflows to 0 for every float α < 1). Its
/// m receives g and is scratch. With momentum, the same call with lr = 1 on a zeroed scratch
/// "parameter" yields −d; then buf = momentum·buf − (−d) (`ck_add`) and p −= lr·buf (`ck_axpy`),
/// the weight decay applied beforehand (`ck_copy`, `ck_axpy`). The centred variant needs the
/// square root of v − (mean g)², which no C op computes, so it is not offered.
public final class RMSProp: Optimizer {
    public let alpha: Double
    public let epsilon: Double
    public let weightDecay: Double
    public let momentum: Double
    /// ck_adam_update's step count at which both bias corrections are exactly 1.
    private static let stepWithoutBiasCorrection = 1 << 62
    /// Per parameter (by ObjectIdentifier): the scratch tensors of the composition, not checkpointed.
    private var scratch: [ObjectIdentifier: [Tensor]] = [:]

    /// PyTorch's defaults: lr 0.01, α 0.99, ε 1e-8.
    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Double = 1e-2, alpha: Double = 0.99,
                epsilon: Double = 1e-8, weightDecay: Double = 0, momentum: Double = 0) throws {
        guard (0..<1).contains(alpha), epsilon >= 0, weightDecay >= 0, momentum >= 0 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "RMSProp: alpha \(alpha) must be in [0, 1), epsilon, weight decay and momentum >= 0")
        }
        (self.alpha, self.epsilon, self.weightDecay, self.momentum) = (alpha, epsilon, weightDecay, momentum)
        try super.init(parameters, learningRate: learningRate,
                       stateKeys: momentum > 0 ? ["square_avg", "momentum_buffer"] : ["square_avg"], kind: "RMSProp")
    }

    override func update(_ parameter: Tensor, gradient: Tensor, state: ParameterState) throws {
        let squareAverage = try state.tensor("square_avg", like: parameter)
        let buffers = try scratchTensors(for: parameter)
        guard momentum > 0 else {
            try parameter.applyAdamUpdate(gradient: gradient, firstMoment: buffers[0], secondMoment: squareAverage,
                                          learningRate: learningRate, beta1: 0, beta2: alpha, epsilon: epsilon,
                                          weightDecay: weightDecay, step: RMSProp.stepWithoutBiasCorrection)
            return
        }
        let (decayed, negativeDirection) = (buffers[1], buffers[2])
        try decayed.assign(gradient)
        if weightDecay != 0 { try decayed.add(parameter, scaledBy: weightDecay) }
        try negativeDirection.fill(0)
        try negativeDirection.applyAdamUpdate(gradient: decayed, firstMoment: buffers[0], secondMoment: squareAverage,
                                              learningRate: 1, beta1: 0, beta2: alpha, epsilon: epsilon,
                                              step: RMSProp.stepWithoutBiasCorrection)
        let velocity = try state.tensor("momentum_buffer", like: parameter)
        try velocity.scale(by: momentum)
        try velocity.add(negativeDirection, scaledBy: -1)
        try parameter.add(velocity, scaledBy: -learningRate)
    }

    /// [m scratch] without momentum; [m scratch, decayed gradient, −direction] with it.
    private func scratchTensors(for parameter: Tensor) throws -> [Tensor] {
        if let existing = scratch[ObjectIdentifier(parameter)] { return existing }
        let count = momentum > 0 ? 3 : 1
        let created = try (0..<count).map { _ in try Tensor.zeros(parameter.shape, dtype: parameter.dtype, on: parameter.context) }
        scratch[ObjectIdentifier(parameter)] = created
        return created
    }
}
