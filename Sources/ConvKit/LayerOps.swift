import CConvKit

// The ops behind the non-convolutional layers: dense, activations, dropout, batch norm, loss.

// MARK: - Dense

/// Matrix product and bias addition.
extension Tensor {
    /// a · b (`ck_gemm`). a: (M, K); b: (K, N). Returns (M, N).
    /// Backward: da = dy · bᵀ and db = aᵀ · dy, each one `ck_gemm` accumulating with beta.
    public static func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let context = try commonContext("matmul", [a, b])
        guard a.shape.count == 2, b.shape.count == 2 else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "matmul: a \(a.shape) and b \(b.shape) must both be matrices")
        }
        let y = try Tensor(context, shape: [a.shape[0], b.shape[1]], dtype: a.dtype)
        try context.check(ck_gemm(context.handle, 0, 0, 1, [a.view], [b.view], 0, [y.view]))
        return y.recorded("matmul", inputs: [a, b], rule: .matmul(a, b))
    }

    /// x + bias along axis 1 (`ck_bias_add`). x: (N, C, ...); bias: (C). Returns x's shape.
    /// Backward: dx = dy, dbias = `ck_bias_backward` (dy summed over every axis but 1).
    public func addingBias(_ bias: Tensor) throws -> Tensor {
        let context = try Tensor.commonContext("biasAdd", [self, bias])
        let y = try Tensor(context, shape: shape, dtype: dtype)
        try context.check(ck_bias_add(context.handle, [view], [bias.view], [y.view]))
        return y.recorded("biasAdd", inputs: [self, bias], rule: .biasAdd)
    }
}

// MARK: - Activations and dropout

/// Pointwise activations and dropout; every one keeps the input's shape.
extension Tensor {
    /// max(x, 0) (`ck_activation_forward`, `CK_ACT_RELU`). The derivative at 0 is 0, as PyTorch.
    public func relu() throws -> Tensor { try activation("relu", CK_ACT_RELU, 0) }

    /// x for x > 0, slope · x otherwise (`CK_ACT_LEAKY_RELU`).
    public func leakyRelu(negativeSlope slope: Double = 0.01) throws -> Tensor {
        try activation("leakyRelu", CK_ACT_LEAKY_RELU, Float(slope))
    }

    /// 1 / (1 + e^-x) (`CK_ACT_SIGMOID`).
    public func sigmoid() throws -> Tensor { try activation("sigmoid", CK_ACT_SIGMOID, 0) }

    /// tanh(x) (`CK_ACT_TANH`).
    public func tanh() throws -> Tensor { try activation("tanh", CK_ACT_TANH, 0) }

    /// Backward: `ck_activation_backward` from the saved input.
    private func activation(_ op: String, _ kind: ck_activation, _ alpha: Float) throws -> Tensor {
        let y = try Tensor(context, shape: shape, dtype: dtype)
        try context.check(ck_activation_forward(context.handle, kind, alpha, [view], [y.view]))
        return y.recorded(op, inputs: [self], rule: .activation(self, kind, alpha))
    }

    /// Inverted dropout (`ck_dropout_forward`): each element is zeroed with probability `rate`
    /// and the rest scaled by 1/(1−rate). The mask comes from Philox-4x32-10 keyed by `seed`,
    /// element i using counter `offset` + i, so it is the same on every backend; advance
    /// `offset` by the element count between calls. Backward: `ck_mul(dy, mask)`.
    public func dropout(rate: Double, seed: UInt64, offset: UInt64 = 0) throws -> Tensor {
        var p = ck_dropout_params(rate: Float(rate), seed: seed, offset: offset)
        let y = try Tensor(context, shape: shape, dtype: dtype)
        let mask = try Tensor(context, shape: shape, dtype: dtype)
        try context.check(ck_dropout_forward(context.handle, &p, [view], [y.view], [mask.view]))
        return y.recorded("dropout", inputs: [self], rule: .dropout(mask: mask))
    }
}

// MARK: - Batch normalization

/// Batch normalization over (N, H, W) per channel.
extension Tensor {
    /// Batch norm (`ck_batchnorm2d_forward`). x: (N, C, H, W); gamma, beta: (C);
    /// runningMean, runningVar: (C) or nil. Returns (N, C, H, W).
    ///
    /// Training: normalizes with the batch mean and biased variance and, when given, updates the
    /// running statistics in place (running = (1 − momentum)·running + momentum·batch, the
    /// variance unbiased; PyTorch's rule; their ``version`` is bumped). Inference: normalizes
    /// with the running statistics, which are then required.
    /// Backward (`ck_batchnorm2d_backward`, one call for dx, dgamma and dbeta): in training the
    /// statistics depend on x; in inference they are constants.
    public func batchNorm2d(gamma: Tensor, beta: Tensor, runningMean: Tensor? = nil, runningVar: Tensor? = nil,
                            training: Bool, momentum: Double = 0.1, epsilon: Double = 1e-5) throws -> Tensor {
        let op = "batchNorm2d"
        let context = try Tensor.commonContext(op, [self, gamma, beta, runningMean, runningVar])
        let running = [runningMean, runningVar].compactMap { $0 }
        if GradMode.isEnabled, running.contains(where: \.requiresGrad) {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "\(op): the running statistics are updated in place and must not require grad")
        }
        _ = try spatialSize(self, op)
        var p = ck_batchnorm_params(epsilon: Float(epsilon), momentum: Float(momentum), training: training ? 1 : 0)
        let y = try Tensor(context, shape: shape, dtype: dtype)
        let savedMean = try Tensor(context, shape: [shape[1]], dtype: dtype)
        let savedInvstd = try Tensor(context, shape: [shape[1]], dtype: dtype)
        try withOptionalView(runningMean) { rm in
            try withOptionalView(runningVar) { rv in
                try context.check(ck_batchnorm2d_forward(context.handle, &p, [view], [gamma.view], [beta.view], rm, rv,
                                                         [savedMean.view], [savedInvstd.view], [y.view]))
            }
        }
        if training { for stat in running { stat.version += 1 } }
        return y.recorded(op, inputs: [self, gamma, beta],
                          rule: .batchNorm2d(x: self, gamma: gamma, mean: savedMean, invstd: savedInvstd, params: p))
    }
}

// MARK: - Loss

/// Classification loss.
extension Tensor {
    /// The mean softmax cross-entropy of `logits` (N, K) against int32 `labels` (N) in [0, K),
    /// with targets (1 − s)·onehot + s/K for label smoothing s (`ck_softmax_cross_entropy_forward`).
    /// Returns a scalar (shape []). Backward: `ck_softmax_cross_entropy_backward` from the saved
    /// probabilities, scaled by the incoming gradient (read to the host: one element).
    public static func softmaxCrossEntropy(logits: Tensor, labels: Tensor, labelSmoothing: Double = 0) throws -> Tensor {
        let context = try commonContext("softmaxCrossEntropy", [logits, labels])
        let probs = try Tensor(context, shape: logits.shape, dtype: logits.dtype)
        let loss = try Tensor(context, shape: [], dtype: logits.dtype)
        try context.check(ck_softmax_cross_entropy_forward(context.handle, Float(labelSmoothing), [logits.view],
                                                           [labels.view], [probs.view], [loss.view]))
        return loss.recorded("softmaxCrossEntropy", inputs: [logits],
                             rule: .softmaxCrossEntropy(probs: probs, labels: labels, smoothing: Float(labelSmoothing)))
    }
}
