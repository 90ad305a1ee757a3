import CConvKit

// Window ops over (H, W): convolution, transposed convolution and pooling, and their padding.

/// Spatial padding of a convolution or pooling window, resolved to per-side pixels. An integer
/// literal is PyTorch's `padding=p` (`padding: 1` is ``symmetric(_:)`` with 1).
public enum Padding: Equatable, Sendable, ExpressibleByIntegerLiteral {
    /// No padding.
    case valid
    /// TensorFlow / Keras / ONNX SAME_UPPER: output = ceil(input / stride); an odd total goes to
    /// the bottom / right (`ck_same_padding`).
    case same
    /// Per-side pixels.
    case explicit(top: Int, bottom: Int, left: Int, right: Int)

    /// PyTorch's `padding=p`: p pixels on every side.
    public static func symmetric(_ p: Int) -> Padding { .explicit(top: p, bottom: p, left: p, right: p) }

    /// `padding: p`, PyTorch's `padding=p`: ``symmetric(_:)``.
    public init(integerLiteral p: Int) { self = .symmetric(p) }

    /// PyTorch's `padding=(ph, pw)`: ph pixels top and bottom, pw left and right.
    public static func symmetric(height: Int, width: Int) -> Padding {
        .explicit(top: height, bottom: height, left: width, right: width)
    }

    /// (top, bottom, left, right) for an input of `size` (H, W).
    func resolve(_ context: Context, op: String, size: (Int, Int), kernel: (Int, Int), stride: (Int, Int),
                 dilation: (Int, Int)) throws -> (Int32, Int32, Int32, Int32) {
        switch self {
        case .valid:
            return (0, 0, 0, 0)
        case let .explicit(top, bottom, left, right):
            return (try int32(top, "padding", op), try int32(bottom, "padding", op),
                    try int32(left, "padding", op), try int32(right, "padding", op))
        case .same:
            var (top, bottom, left, right) = (Int32(0), Int32(0), Int32(0), Int32(0))
            try context.check(ck_same_padding(context.handle, Int64(size.0), Int64(kernel.0), Int64(stride.0),
                                              Int64(dilation.0), 0, &top, &bottom))
            try context.check(ck_same_padding(context.handle, Int64(size.1), Int64(kernel.1), Int64(stride.1),
                                              Int64(dilation.1), 0, &left, &right))
            return (top, bottom, left, right)
        }
    }
}

/// `value` as an `Int32` for a C parameter struct, or an invalid-argument error.
func int32(_ value: Int, _ name: String, _ op: String) throws -> Int32 {
    guard let result = Int32(exactly: value) else {
        throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "\(op): \(name) \(value) does not fit in 32 bits")
    }
    return result
}

/// (H, W) of an NCHW tensor, or a shape-mismatch error.
func spatialSize(_ x: Tensor, _ op: String) throws -> (Int, Int) {
    guard x.shape.count == 4 else {
        throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "\(op): input \(x.shape) must have 4 dimensions (N, C, H, W)")
    }
    return (x.shape[2], x.shape[3])
}

/// An activation applied in a convolution's epilogue (`ck_conv2d_forward_fused`): to each output
/// as it is written, in the same pass, so no pre-activation tensor is made or kept. Both are
/// differentiable from the output alone, which is what the backward pass reads.
public enum FusedActivation: Equatable, Sendable {
    /// max(x, 0), as ``Tensor/relu()``.
    case relu
    /// x for x > 0, negativeSlope·x otherwise, as ``Tensor/leakyRelu(negativeSlope:)``; the
    /// slope must be >= 0 (a negative slope hides the input's sign from the output).
    case leakyRelu(negativeSlope: Double)

    /// The C epilogue, or an invalid-argument error for a negative or non-finite slope.
    func epilogue(_ op: String) throws -> ck_conv2d_epilogue {
        switch self {
        case .relu:
            return ck_conv2d_epilogue(has_activation: 1, activation: CK_ACT_RELU, alpha: 0)
        case let .leakyRelu(slope):
            guard slope.isFinite, slope >= 0 else {
                throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                                   message: "\(op): a fused LeakyReLU needs a finite slope >= 0, not \(slope)")
            }
            return ck_conv2d_epilogue(has_activation: 1, activation: CK_ACT_LEAKY_RELU, alpha: Float(slope))
        }
    }
}

/// Convolution and transposed convolution.
extension Tensor {
    /// y = conv2d(x, w) + bias (`ck_conv2d_forward`; output size from `ck_conv2d_output_dims`),
    /// or f(conv2d(x, w) + bias) in one pass with `activation` f (`ck_conv2d_forward_fused`:
    /// the same values as the conv followed by the activation op).
    /// x: (N, C, H, W); w: (O, C/groups, KH, KW) OIHW; bias: (O) or nil. Returns (N, O, OH, OW).
    /// Depthwise: groups == C. Backward: `ck_conv2d_backward_data`, `ck_conv2d_backward_weights`,
    /// `ck_bias_backward` (after `ck_activation_backward` at the output, with an activation).
    public static func conv2d(_ x: Tensor, _ w: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                              padding: Padding = .valid, dilation: (Int, Int) = (1, 1), groups: Int = 1,
                              activation: FusedActivation? = nil) throws -> Tensor {
        let op = "conv2d"
        let context = try commonContext(op, [x, w, bias])
        let size = try spatialSize(x, op)
        guard w.shape.count == 4 else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "\(op): weight \(w.shape) must have 4 dimensions (O, C/groups, KH, KW)")
        }
        var p = ck_conv2d_params_default()
        (p.stride_h, p.stride_w) = (try int32(stride.0, "stride", op), try int32(stride.1, "stride", op))
        (p.dilation_h, p.dilation_w) = (try int32(dilation.0, "dilation", op), try int32(dilation.1, "dilation", op))
        p.groups = try int32(groups, "groups", op)
        (p.pad_top, p.pad_bottom, p.pad_left, p.pad_right) =
            try padding.resolve(context, op: op, size: size, kernel: (w.shape[2], w.shape[3]), stride: stride, dilation: dilation)
        var yDims = [Int64](repeating: 0, count: 4)
        try context.check(ck_conv2d_output_dims(context.handle, &p, x.shape.map { Int64($0) }, w.shape.map { Int64($0) }, &yDims))
        var epilogue = try activation?.epilogue(op) ?? ck_conv2d_epilogue()
        let y = try Tensor(context, shape: yDims.map { Int($0) }, dtype: x.dtype)
        try withOptionalView(bias) { b in
            try context.check(ck_conv2d_forward_fused(context.handle, &p, [x.view], [w.view], b, &epilogue, [y.view]))
        }
        let inputs = [x, w] + (bias.map { [$0] } ?? [])
        guard epilogue.has_activation != 0 else { return y.recorded(op, inputs: inputs, rule: .conv2d(x, w, p)) }
        return y.recorded(op, inputs: inputs, rule: .conv2dActivation(x, w, p, epilogue.activation, epilogue.alpha))
    }

    /// The adjoint of conv2d (`ck_conv_transpose2d_forward`). x: (N, C, H, W); w: (C, O/groups,
    /// KH, KW) IOHW; bias: (O) or nil. Returns (N, O, OH, OW) with
    /// OH = (H−1)·stride − top − bottom + dilation·(KH−1) + outputPadding + 1.
    /// `.same` is refused: give explicit padding. Backward: `ck_conv_transpose2d_backward_data`,
    /// `ck_conv_transpose2d_backward_weights`, `ck_bias_backward`.
    public static func convTranspose2d(_ x: Tensor, _ w: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                                       padding: Padding = .valid, outputPadding: (Int, Int) = (0, 0),
                                       dilation: (Int, Int) = (1, 1), groups: Int = 1) throws -> Tensor {
        let op = "convTranspose2d"
        let context = try commonContext(op, [x, w, bias])
        let size = try spatialSize(x, op)
        guard w.shape.count == 4 else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "\(op): weight \(w.shape) must have 4 dimensions (C, O/groups, KH, KW)")
        }
        guard padding != .same else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "\(op): .same padding is not defined here; give explicit padding")
        }
        var p = ck_conv_transpose2d_params_default()
        (p.stride_h, p.stride_w) = (try int32(stride.0, "stride", op), try int32(stride.1, "stride", op))
        (p.dilation_h, p.dilation_w) = (try int32(dilation.0, "dilation", op), try int32(dilation.1, "dilation", op))
        (p.output_padding_h, p.output_padding_w) =
            (try int32(outputPadding.0, "outputPadding", op), try int32(outputPadding.1, "outputPadding", op))
        p.groups = try int32(groups, "groups", op)
        (p.pad_top, p.pad_bottom, p.pad_left, p.pad_right) =
            try padding.resolve(context, op: op, size: size, kernel: (w.shape[2], w.shape[3]), stride: stride, dilation: dilation)
        var yDims = [Int64](repeating: 0, count: 4)
        try context.check(ck_conv_transpose2d_output_dims(context.handle, &p, x.shape.map { Int64($0) },
                                                          w.shape.map { Int64($0) }, &yDims))
        let y = try Tensor(context, shape: yDims.map { Int($0) }, dtype: x.dtype)
        try withOptionalView(bias) { b in
            try context.check(ck_conv_transpose2d_forward(context.handle, &p, [x.view], [w.view], b, [y.view]))
        }
        return y.recorded(op, inputs: [x, w] + (bias.map { [$0] } ?? []), rule: .convTranspose2d(x, w, p))
    }
}

/// Max, average and global pooling with PyTorch's output-size and divisor rules.
extension Tensor {
    /// Max pooling (`ck_pool2d_forward`). x: (N, C, H, W) → (N, C, OH, OW). `stride` defaults
    /// to the kernel; padding counts as -inf. Backward (`ck_pool2d_backward`) routes dy to the
    /// first maximum of each window in scan order.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: Padding = .valid,
                          dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) throws -> Tensor {
        try pool2d("maxPool2d", CK_POOL_MAX, kernel: kernel, stride: stride ?? kernel, padding: padding,
                   dilation: dilation, ceilMode: ceilMode, countIncludePad: true, divisorOverride: 0)
    }

    /// Average pooling (`ck_pool2d_forward`). x: (N, C, H, W) → (N, C, OH, OW). The divisor is
    /// `divisorOverride` when given, else the window's taps inside the padded input
    /// (`countIncludePad`) or inside the input. `dilation` spaces the taps as ONNX's AveragePool
    /// does (PyTorch's `AvgPool2d` has none). Backward: `ck_pool2d_backward`.
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: Padding = .valid,
                          dilation: (Int, Int) = (1, 1), ceilMode: Bool = false, countIncludePad: Bool = true,
                          divisorOverride: Int? = nil) throws -> Tensor {
        try pool2d("avgPool2d", CK_POOL_AVG, kernel: kernel, stride: stride ?? kernel, padding: padding,
                   dilation: dilation, ceilMode: ceilMode, countIncludePad: countIncludePad,
                   divisorOverride: try int32(divisorOverride ?? 0, "divisorOverride", "avgPool2d"))
    }

    private func pool2d(_ op: String, _ mode: ck_pool_mode, kernel: (Int, Int), stride: (Int, Int), padding: Padding,
                        dilation: (Int, Int), ceilMode: Bool, countIncludePad: Bool, divisorOverride: Int32) throws -> Tensor {
        let size = try spatialSize(self, op)
        var p = ck_pool2d_params_default(mode, try int32(kernel.0, "kernel", op), try int32(kernel.1, "kernel", op))
        (p.stride_h, p.stride_w) = (try int32(stride.0, "stride", op), try int32(stride.1, "stride", op))
        (p.dilation_h, p.dilation_w) = (try int32(dilation.0, "dilation", op), try int32(dilation.1, "dilation", op))
        (p.pad_top, p.pad_bottom, p.pad_left, p.pad_right) =
            try padding.resolve(context, op: op, size: size, kernel: kernel, stride: stride, dilation: dilation)
        p.ceil_mode = ceilMode ? 1 : 0
        p.count_include_pad = countIncludePad ? 1 : 0
        p.divisor_override = divisorOverride
        var yDims = [Int64](repeating: 0, count: 4)
        try context.check(ck_pool2d_output_dims(context.handle, &p, shape.map { Int64($0) }, &yDims))
        let y = try Tensor(context, shape: yDims.map { Int($0) }, dtype: dtype)
        try context.check(ck_pool2d_forward(context.handle, &p, [view], [y.view]))
        return y.recorded(op, inputs: [self], rule: .pool2d(self, p))
    }

    /// The mean over H and W (`ck_global_pool2d_forward`). x: (N, C, H, W) → (N, C, 1, 1).
    public func globalAvgPool2d() throws -> Tensor { try globalPool2d("globalAvgPool2d", CK_POOL_AVG) }

    /// The maximum over H and W (`ck_global_pool2d_forward`). x: (N, C, H, W) → (N, C, 1, 1).
    public func globalMaxPool2d() throws -> Tensor { try globalPool2d("globalMaxPool2d", CK_POOL_MAX) }

    private func globalPool2d(_ op: String, _ mode: ck_pool_mode) throws -> Tensor {
        _ = try spatialSize(self, op)
        let y = try Tensor(context, shape: [shape[0], shape[1], 1, 1], dtype: dtype)
        try context.check(ck_global_pool2d_forward(context.handle, mode, [view], [y.view]))
        return y.recorded(op, inputs: [self], rule: .globalPool2d(self, mode))
    }
}
