import CConvKit

// The ops behind dense and softmax layers that the C ABI has as building blocks only:
// PyTorch's F.linear (a GEMM against a transposed weight) and a standalone softmax.

extension Tensor {
    /// x · weightᵀ + bias, PyTorch's `F.linear`. x: (N, IN); weight: (OUT, IN), PyTorch's
    /// layout; bias: (OUT) or nil. Returns (N, OUT).
    /// Forward: `ck_gemm` with trans_b, then ``addingBias(_:)`` (`ck_bias_add`).
    /// Backward: dx = dy · weight (`ck_gemm`), dweight = dyᵀ · x (`ck_gemm` with trans_a),
    /// dbias = `ck_bias_backward`.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        let op = "linear"
        let context = try commonContext(op, [x, weight, bias])
        guard x.shape.count == 2, weight.shape.count == 2, x.shape[1] == weight.shape[1] else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                               message: "\(op): input \(x.shape) must be (N, IN) and weight \(weight.shape) (OUT, IN) with the same IN")
        }
        let y = try Tensor(context, shape: [x.shape[0], weight.shape[0]], dtype: x.dtype)
        try context.check(ck_gemm(context.handle, 0, 1, 1, [x.view], [weight.view], 0, [y.view]))
        let product = y.recorded(op, inputs: [x, weight], rule: .matmulTransposedB(x, weight))
        return try bias.map { try product.addingBias($0) } ?? product
    }

    /// The softmax along axis 1 of (N, K) logits: yᵢⱼ = exp(xᵢⱼ) / Σₖ exp(xᵢₖ), same shape.
    /// Forward: the probabilities `ck_softmax_cross_entropy_forward` computes (stable: the row
    /// maximum is subtracted first), with placeholder labels whose loss is discarded.
    /// Backward: dx = y ⊙ (dy − Σₖ dy ⊙ y), from `ck_mul`, `ck_reduce_sum` and `ck_add`.
    public func softmax() throws -> Tensor {
        guard shape.count == 2 else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "softmax: input \(shape) must be (N, K); flatten it first")
        }
        let probs = try Tensor(context, shape: shape, dtype: dtype)
        let labels = try Tensor.zeros([shape[0]], dtype: .int32, on: context)
        let loss = try Tensor(context, shape: [], dtype: dtype)
        try context.check(ck_softmax_cross_entropy_forward(context.handle, 0, [view], [labels.view], [probs.view], [loss.view]))
        // The output is a copy: the tape saves `probs`, and a tensor must not save itself.
        let y = try Tensor(context, shape: shape, dtype: dtype)
        try context.check(ck_copy(context.handle, [probs.view], [y.view]))
        return y.recorded("softmax", inputs: [self], rule: .softmax(probs: probs))
    }

    /// dx = probs ⊙ (dy − rowsum(dy ⊙ probs)) for softmax's backward rule, into a fresh tensor.
    static func softmaxBackward(probs: Tensor, dy: Tensor, into dx: Tensor) throws {
        let context = dy.context, h = context.handle
        let (n, k) = (dy.shape[0], dy.shape[1])
        let centered = try Tensor(context, shape: dy.shape, dtype: dy.dtype)
        try context.check(ck_mul(h, [dy.view], [probs.view], [centered.view]))
        let rowSums = try Tensor(context, shape: [n, 1], dtype: dy.dtype)
        try context.check(ck_reduce_sum(h, 1 << 1, [centered.view], 0, [rowSums.view]))
        let expanded = try Tensor(context, shape: dy.shape, dtype: dy.dtype)
        try expand(rowSums, dims: [n, 1], to: [n, k], into: expanded)
        try context.check(ck_add(h, 1, [dy.view], -1, [expanded.view], [centered.view]))
        try context.check(ck_mul(h, [probs.view], [centered.view], [dx.view]))
    }
}
