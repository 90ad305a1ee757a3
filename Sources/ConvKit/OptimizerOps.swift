import CConvKit

/// In-place optimizer updates of a parameter and its state, on the device, with PyTorch's
/// formulas (convkit.h documents them), and the clamp behind gradient clipping by value.
/// Each bumps the ``Tensor/version`` of every tensor it
/// writes and, like every in-place op, refuses a parameter that requires grad unless called
/// inside ``withNoGrad(_:)``. Parameter, gradient and state tensors must share shape and dtype.
extension Tensor {
    /// One SGD step on `self` (`ck_sgd_update`): g = gradient + weightDecay·self; with momentum,
    /// velocity = g on `step` 1, else momentum·velocity + (1 − dampening)·g, and g = g +
    /// momentum·velocity (Nesterov) or velocity; self −= learningRate·g. `velocity` may be nil
    /// only when momentum is 0. `step` counts from 1.
    public func applySGDUpdate(gradient: Tensor, velocity: Tensor?, learningRate: Double, momentum: Double = 0,
                               dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false,
                               step: Int) throws {
        let context = try Tensor.commonContext("sgdUpdate", [self, gradient, velocity])
        var p = ck_sgd_params(lr: Float(learningRate), momentum: Float(momentum), dampening: Float(dampening),
                              weight_decay: Float(weightDecay), nesterov: nesterov ? 1 : 0, step: Int64(step))
        try mutate("sgdUpdate") {
            try withOptionalView(velocity) { v in
                try context.check(ck_sgd_update(context.handle, &p, [view], [gradient.view], v))
            }
        }
        velocity?.version += 1
    }

    /// One Adam or AdamW step on `self` (`ck_adam_update`): AdamW first scales self by
    /// 1 − learningRate·weightDecay, Adam instead adds weightDecay·self to the gradient g;
    /// m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²;
    /// self −= (learningRate / (1 − β1^step)) · m / (√v / √(1 − β2^step) + ε).
    /// With `maxSecondMoment` (AMSGrad, `ck_adam_amsgrad_update`): vmax = max(vmax, v), and vmax
    /// replaces v in the denominator. `step` counts from 1 (the bias corrections use it).
    public func applyAdamUpdate(gradient: Tensor, firstMoment m: Tensor, secondMoment v: Tensor,
                                maxSecondMoment vmax: Tensor? = nil, learningRate: Double, beta1: Double, beta2: Double,
                                epsilon: Double, weightDecay: Double = 0, decoupledWeightDecay: Bool = false,
                                step: Int) throws {
        let context = try Tensor.commonContext("adamUpdate", [self, gradient, m, v, vmax])
        var p = ck_adam_params(lr: Float(learningRate), beta1: Float(beta1), beta2: Float(beta2), epsilon: Float(epsilon),
                               weight_decay: Float(weightDecay), decoupled_weight_decay: decoupledWeightDecay ? 1 : 0,
                               step: Int64(step))
        try mutate("adamUpdate") {
            if let vmax {
                try context.check(ck_adam_amsgrad_update(context.handle, &p, [view], [gradient.view], [m.view], [v.view],
                                                         [vmax.view]))
            } else {
                try context.check(ck_adam_update(context.handle, &p, [view], [gradient.view], [m.view], [v.view]))
            }
        }
        for state in [m, v] + (vmax.map { [$0] } ?? []) { state.version += 1 }
    }

    /// One RMSprop step on `self` (`ck_rmsprop_update`): g = gradient + weightDecay·self;
    /// s = α·s + (1 − α)·g² (`squareAverage`); centered (`gradientAverage` given): a = α·a + (1 − α)·g
    /// and d = g / (√(s − a²) + ε), else d = g / (√s + ε); with `momentumBuffer`:
    /// buf = momentum·buf + d and self −= learningRate·buf, else self −= learningRate·d.
    /// The state tensors start at zero; `gradientAverage` is required exactly when centered,
    /// `momentumBuffer` exactly when momentum > 0.
    public func applyRMSPropUpdate(gradient: Tensor, squareAverage s: Tensor, gradientAverage a: Tensor? = nil,
                                   momentumBuffer buffer: Tensor? = nil, learningRate: Double, alpha: Double,
                                   epsilon: Double, weightDecay: Double = 0, momentum: Double = 0) throws {
        let context = try Tensor.commonContext("rmspropUpdate", [self, gradient, s, a, buffer])
        var p = ck_rmsprop_params(lr: Float(learningRate), alpha: Float(alpha), epsilon: Float(epsilon),
                                  weight_decay: Float(weightDecay), momentum: Float(momentum), centered: a == nil ? 0 : 1)
        try mutate("rmspropUpdate") {
            try withOptionalView(a) { average in
                try withOptionalView(buffer) { momentumBuffer in
                    try context.check(ck_rmsprop_update(context.handle, &p, [view], [gradient.view], [s.view], average,
                                                        momentumBuffer))
                }
            }
        }
        for state in [s] + [a, buffer].compactMap({ $0 }) { state.version += 1 }
    }

    /// Clamps every element into [lower, upper] in place. Exact: each result is the element or a
    /// bound (rounded to float: `ck_fill` takes a float). Two max-pooling passes
    /// (`ck_pool2d_forward`, kernel 2×1) over a (1, 1, 2, count) scratch whose second row holds
    /// the bound: y = max(x, lower), then −max(−y, −upper) (`ck_copy`, `ck_fill`, `ck_scale`).
    public func clamp(min lower: Double, max upper: Double) throws {
        guard lower <= upper else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "clamp: lower bound \(lower) exceeds upper bound \(upper)")
        }
        let h = context.handle, n = count
        let pair = try Tensor(context, shape: [1, 1, 2, n], dtype: dtype)
        let (first, second) = (pair.view(elementOffset: 0, as: [n]), pair.view(elementOffset: n, as: [n]))
        let flat = view(as: [n]), rowShaped = view(as: [1, 1, 1, n])
        var p = ck_pool2d_params_default(CK_POOL_MAX, 2, 1)
        (p.stride_h, p.stride_w) = (1, 1)
        try mutate("clamp") {
            try context.check(ck_copy(h, [flat], [first]))
            try context.check(ck_fill(h, Float(lower), [second]))
            try context.check(ck_pool2d_forward(h, &p, [pair.view], [rowShaped]))
            try context.check(ck_scale(h, -1, [flat], [first]))
            try context.check(ck_fill(h, Float(-upper), [second]))
            try context.check(ck_pool2d_forward(h, &p, [pair.view], [rowShaped]))
            try context.check(ck_scale(h, -1, [flat], [flat]))
        }
    }
}
