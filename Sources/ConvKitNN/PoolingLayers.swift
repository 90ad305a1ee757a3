import ConvKit

/// Max pooling, PyTorch's `nn.MaxPool2d`. (N, C, H, W) → (N, C, OH, OW), padding counts as −∞,
/// `stride` defaults to the kernel. Forward `ck_pool2d_forward`; backward `ck_pool2d_backward`
/// (to the first maximum of each window).
public final class MaxPool2D: Module {
    /// The window (KH, KW).
    public let kernelSize: (Int, Int)
    /// The window's step (SH, SW); the kernel size by default.
    public let stride: (Int, Int)
    /// Padding of the input; padded taps count as −∞.
    public let padding: Padding
    /// Spacing between the window's taps (DH, DW).
    public let dilation: (Int, Int)
    /// Ceiling instead of floor in the output size (PyTorch's `ceil_mode`).
    public let ceilMode: Bool
    public var isTraining = true

    /// PyTorch's `MaxPool2d(kernel_size, stride, padding, dilation, ceil_mode)`; the stride defaults to
    /// the kernel. Invalid settings throw when the layer is called, with the C core's message.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: Padding = .valid, dilation: (Int, Int) = (1, 1),
                ceilMode: Bool = false) {
        (self.kernelSize, self.stride, self.padding) = (kernelSize, stride ?? kernelSize, padding)
        (self.dilation, self.ceilMode) = (dilation, ceilMode)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try checkImageInput(x, "MaxPool2D")
        return try x.maxPool2d(kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
}

/// Average pooling, PyTorch's `nn.AvgPool2d`. (N, C, H, W) → (N, C, OH, OW). The divisor is
/// `divisorOverride`, else the window's taps inside the padded input (`countIncludePad`) or
/// inside the input; `dilation` spaces the taps (ONNX's AveragePool; PyTorch has none).
/// Forward `ck_pool2d_forward`; backward `ck_pool2d_backward`.
public final class AvgPool2D: Module {
    /// The window (KH, KW).
    public let kernelSize: (Int, Int)
    /// The window's step (SH, SW); the kernel size by default.
    public let stride: (Int, Int)
    /// Padding of the input (zeros).
    public let padding: Padding
    /// Spacing between the window's taps (DH, DW).
    public let dilation: (Int, Int)
    /// Ceiling instead of floor in the output size (PyTorch's `ceil_mode`).
    public let ceilMode: Bool
    /// Whether padded taps count in the divisor (PyTorch's `count_include_pad`).
    public let countIncludePad: Bool
    /// A fixed divisor for every window, or nil (PyTorch's `divisor_override`).
    public let divisorOverride: Int?
    public var isTraining = true

    /// PyTorch's `AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)`
    /// with ONNX's dilation; the stride defaults to the kernel. Invalid settings throw when the layer is
    /// called, with the C core's message.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: Padding = .valid, dilation: (Int, Int) = (1, 1),
                ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil) {
        (self.kernelSize, self.stride, self.padding, self.dilation) = (kernelSize, stride ?? kernelSize, padding, dilation)
        (self.ceilMode, self.countIncludePad, self.divisorOverride) = (ceilMode, countIncludePad, divisorOverride)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try checkImageInput(x, "AvgPool2D")
        return try x.avgPool2d(kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode,
                               countIncludePad: countIncludePad, divisorOverride: divisorOverride)
    }
}

/// The mean over H and W: (N, C, H, W) → (N, C, 1, 1), PyTorch's `nn.AdaptiveAvgPool2d(1)`.
/// Forward `ck_global_pool2d_forward`; backward `ck_global_pool2d_backward`.
public final class GlobalAvgPool2D: Module {
    public var isTraining = true

    /// A global average pool; it has no settings.
    public init() {}

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try checkImageInput(x, "GlobalAvgPool2D")
        return try x.globalAvgPool2d()
    }
}
