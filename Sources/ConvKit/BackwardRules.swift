import CConvKit

/// Every op's backward rule, in one table. A case holds what its op saved (tensors and C
/// parameters); ``backward(dy:slots:)`` adds the input gradients through ``GradientSlots``, whose
/// input numbering is the op's `inputs` order (noted per case). Ops write gradients with the C
/// ops' beta flag where they have one, so the tape's `+=` costs no extra pass.
enum BackwardRule {
    /// Inputs [x]. dx = `ck_reduce_sum` of dy over the axes x was broadcast along.
    case broadcast(from: [Int])
    /// Inputs [a, b], same shape. da = alpha·dy, db = beta·dy.
    case add(alpha: Float, beta: Float)
    /// Inputs [a, b], same shape. da = dy·b, db = dy·a (`ck_mul`).
    case mul(Tensor, Tensor)
    /// Inputs [x]. dx = alpha·dy.
    case scale(Float)
    /// Inputs [x]. dx = dy repeated along the reduced axes (x's dims with them kept as 1).
    case sum(keptDims: [Int])
    /// Inputs [a, b]. da = dy·bᵀ, db = aᵀ·dy (`ck_gemm`).
    case matmul(Tensor, Tensor)
    /// Inputs [a, b] of y = a·bᵀ. da = dy·b, db = dyᵀ·a (`ck_gemm`).
    case matmulTransposedB(Tensor, Tensor)
    /// Inputs [x, bias]. dx = dy; dbias = `ck_bias_backward`.
    case biasAdd
    /// Inputs [x]. dx = dy in x's shape.
    case reshape
    /// Inputs [x, w, bias?].
    case conv2d(Tensor, Tensor, ck_conv2d_params)
    /// Inputs [x, w, bias?] of y = f(conv2d(x, w) + bias), f ReLU or LeakyReLU with a slope >= 0:
    /// f' at the pre-activation equals f' at y, so the rule reads the op's output instead of a
    /// saved pre-activation; then as `conv2d`.
    case conv2dActivation(Tensor, Tensor, ck_conv2d_params, ck_activation, Float)
    /// Inputs [x, w, bias?].
    case convTranspose2d(Tensor, Tensor, ck_conv_transpose2d_params)
    /// Inputs [x].
    case pool2d(Tensor, ck_pool2d_params)
    /// Inputs [x].
    case globalPool2d(Tensor, ck_pool_mode)
    /// Inputs [x].
    case activation(Tensor, ck_activation, Float)
    /// Inputs [x, gamma, beta].
    case batchNorm2d(x: Tensor, gamma: Tensor, mean: Tensor, invstd: Tensor, params: ck_batchnorm_params)
    /// Inputs [logits].
    case softmaxCrossEntropy(probs: Tensor, labels: Tensor, smoothing: Float)
    /// Inputs [x]. dx = dy·mask (`ck_mul`).
    case dropout(mask: Tensor)
    /// Inputs [x] (N, K). dx = probs·(dy − rowsum(dy·probs)).
    case softmax(probs: Tensor)
    /// An op defined outside this module (``Tensor/recording(_:inputs:saved:backward:)``):
    /// `backward(dy)` returns one gradient per input (nil: none), each added to the input's.
    case custom(saved: [Tensor], backward: (_ dy: Tensor) throws -> [Tensor?])
    /// Inputs [x] of y = x with its axes permuted. dx = dy permuted by `inverse` (`ck_permute`).
    case permute(inverse: [Int32])
    /// Inputs [x] of y = x's elements [offset, offset + y.count) in row-major order. dx = zeros
    /// with dy copied there (`ck_fill`, `ck_copy`).
    case elementRange(offset: Int)
    /// Inputs [x0, x1, …] of y = their elements one after another, xi's from `offsets[i]`.
    /// dxi = dy's elements from there (`ck_copy`).
    case concatenation(offsets: [Int])

    /// The tensors the rule reads; `backward()` checks none was modified in place since.
    var saved: [Tensor] {
        switch self {
        case .broadcast, .add, .scale, .sum, .biasAdd, .reshape, .permute, .elementRange, .concatenation: return []
        case let .mul(a, b), let .matmul(a, b), let .matmulTransposedB(a, b), let .conv2d(a, b, _),
             let .conv2dActivation(a, b, _, _, _), let .convTranspose2d(a, b, _): return [a, b]
        case let .pool2d(x, _), let .globalPool2d(x, _), let .activation(x, _, _): return [x]
        case let .batchNorm2d(x, gamma, mean, invstd, _): return [x, gamma, mean, invstd]
        case let .softmaxCrossEntropy(probs, labels, _): return [probs, labels]
        case let .dropout(mask): return [mask]
        case let .softmax(probs): return [probs]
        case let .custom(saved, _): return saved
        }
    }

    /// Whether ``backward(dy:output:slots:)`` reads the op's output (its version is then checked too).
    var readsOutput: Bool {
        if case .conv2dActivation = self { return true }
        return false
    }

    /// Adds the input gradients for `dy`, the gradient of `output` (the op's result).
    func backward(dy: Tensor, output: Tensor, slots: GradientSlots) throws {
        let context = dy.context, h = dy.context.handle
        switch self {
        case let .broadcast(from):
            let target = dy.shape
            let padded = Array(repeating: 1, count: target.count - from.count) + from
            let mask = target.indices.reduce(UInt32(0)) { padded[$1] == 1 && target[$1] != 1 ? $0 | (1 << UInt32($1)) : $0 }
            if mask == 0 { return try slots.accumulateScaled(0, 1, dy) }
            try slots.accumulate(0) { dx, beta in
                try context.check(ck_reduce_sum(h, mask, [dy.view], beta, [dx.view(as: padded)]))
            }
        case let .add(alpha, beta):
            try slots.accumulateScaled(0, alpha, dy)
            try slots.accumulateScaled(1, beta, dy)
        case let .mul(a, b):
            try slots.accumulate(0, overwriting: { da in try context.check(ck_mul(h, [dy.view], [b.view], [da.view])) })
            try slots.accumulate(1, overwriting: { db in try context.check(ck_mul(h, [dy.view], [a.view], [db.view])) })
        case let .scale(alpha):
            try slots.accumulateScaled(0, alpha, dy)
        case let .sum(keptDims):
            try slots.accumulate(0, overwriting: { dx in try Tensor.expand(dy, dims: keptDims, to: dx.shape, into: dx) })
        case let .matmul(a, b):
            try slots.accumulate(0) { da, beta in try context.check(ck_gemm(h, 0, 1, 1, [dy.view], [b.view], beta, [da.view])) }
            try slots.accumulate(1) { db, beta in try context.check(ck_gemm(h, 1, 0, 1, [a.view], [dy.view], beta, [db.view])) }
        case let .matmulTransposedB(a, b):
            try slots.accumulate(0) { da, beta in try context.check(ck_gemm(h, 0, 0, 1, [dy.view], [b.view], beta, [da.view])) }
            try slots.accumulate(1) { db, beta in try context.check(ck_gemm(h, 1, 0, 1, [dy.view], [a.view], beta, [db.view])) }
        case .biasAdd:
            try slots.accumulateScaled(0, 1, dy)
            try slots.accumulate(1) { db, beta in try context.check(ck_bias_backward(h, [dy.view], beta, [db.view])) }
        case .reshape:
            try slots.accumulateScaled(0, 1, dy)
        case let .conv2d(x, w, params):
            var p = params
            try slots.accumulate(0) { dx, beta in
                try context.check(ck_conv2d_backward_data(h, &p, [w.view], [dy.view], beta, [dx.view]))
            }
            try slots.accumulate(1) { dw, beta in
                try context.check(ck_conv2d_backward_weights(h, &p, [x.view], [dy.view], beta, [dw.view], nil))
            }
            try biasGradient(dy, slots)
        case let .conv2dActivation(x, w, params, kind, alpha):
            let pre = try Tensor(context, shape: dy.shape, dtype: dy.dtype)
            try context.check(ck_activation_backward(h, kind, alpha, [output.view], [dy.view], 0, [pre.view]))
            try BackwardRule.conv2d(x, w, params).backward(dy: pre, output: output, slots: slots)
        case let .convTranspose2d(x, w, params):
            var p = params
            try slots.accumulate(0) { dx, beta in
                try context.check(ck_conv_transpose2d_backward_data(h, &p, [w.view], [dy.view], beta, [dx.view]))
            }
            try slots.accumulate(1) { dw, beta in
                try context.check(ck_conv_transpose2d_backward_weights(h, &p, [x.view], [dy.view], beta, [dw.view], nil))
            }
            try biasGradient(dy, slots)
        case let .pool2d(x, params):
            var p = params
            try slots.accumulate(0) { dx, beta in try context.check(ck_pool2d_backward(h, &p, [x.view], [dy.view], beta, [dx.view])) }
        case let .globalPool2d(x, mode):
            try slots.accumulate(0) { dx, beta in
                try context.check(ck_global_pool2d_backward(h, mode, [x.view], [dy.view], beta, [dx.view]))
            }
        case let .activation(x, kind, alpha):
            try slots.accumulate(0) { dx, beta in
                try context.check(ck_activation_backward(h, kind, alpha, [x.view], [dy.view], beta, [dx.view]))
            }
        case let .batchNorm2d(x, gamma, mean, invstd, params):
            var p = params
            try slots.accumulate([0, 1, 2]) { d, beta in
                try withOptionalView(d[0]) { dx in
                    try withOptionalView(d[1]) { dgamma in
                        try withOptionalView(d[2]) { dbeta in
                            try context.check(ck_batchnorm2d_backward(h, &p, [x.view], [dy.view], [gamma.view], [mean.view],
                                                                      [invstd.view], beta, dx, dgamma, dbeta))
                        }
                    }
                }
            }
        case let .softmaxCrossEntropy(probs, labels, smoothing):
            // dy stays on the device: no read, no wait.
            try slots.accumulate(0) { dlogits, beta in
                try context.check(ck_softmax_cross_entropy_backward_dloss(h, smoothing, [dy.view], [probs.view],
                                                                          [labels.view], beta, [dlogits.view]))
            }
        case let .dropout(mask):
            try slots.accumulate(0, overwriting: { dx in try context.check(ck_mul(h, [dy.view], [mask.view], [dx.view])) })
        case let .softmax(probs):
            try slots.accumulate(0, overwriting: { dx in try Tensor.softmaxBackward(probs: probs, dy: dy, into: dx) })
        case let .custom(_, backward):
            for (i, gradient) in try backward(dy).enumerated() {
                if let gradient { try slots.accumulateScaled(i, 1, gradient) }
            }
        case let .permute(inverse):
            try slots.accumulate(0, overwriting: { dx in try context.check(ck_permute(h, inverse, [dy.view], [dx.view])) })
        case let .elementRange(offset):
            try slots.accumulate(0, overwriting: { dx in
                try context.check(ck_fill(h, 0, [dx.view]))
                try context.check(ck_copy(h, [dy.view], [dx.view(elementOffset: offset, as: dy.shape)]))
            })
        case let .concatenation(offsets):
            for (i, offset) in offsets.enumerated() {
                try slots.accumulate(i, overwriting: { dx in
                    try context.check(ck_copy(h, [dy.view(elementOffset: offset, as: dx.shape)], [dx.view]))
                })
            }
        }
    }

    /// The optional bias input (number 2) of a conv: dbias = `ck_bias_backward(dy)`.
    private func biasGradient(_ dy: Tensor, _ slots: GradientSlots) throws {
        guard slots.inputs.count > 2 else { return }
        try slots.accumulate(2) { db, beta in try dy.context.check(ck_bias_backward(dy.context.handle, [dy.view], beta, [db.view])) }
    }
}
