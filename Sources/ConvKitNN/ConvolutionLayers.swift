import CConvKit
import ConvKit

/// A 2-D convolution, PyTorch's `nn.Conv2d`. Input (N, inChannels, H, W) → (N, outChannels, OH, OW)
/// with OH = ⌊(H + top + bottom − dilation·(KH − 1) − 1) / stride⌋ + 1.
/// Parameters `weight` (outChannels, inChannels/groups, KH, KW) and optional `bias` (outChannels).
/// Forward `ck_conv2d_forward`; backward `ck_conv2d_backward_data` / `_backward_weights`, `ck_bias_backward`.
public final class Conv2D: Module {
    /// The filters (outChannels, inChannels/groups, KH, KW), OIHW; requires grad.
    public let weight: Tensor
    /// The per-output-channel bias (outChannels), or nil; requires grad.
    public let bias: Tensor?
    /// C of the (N, C, H, W) input.
    public let inChannels: Int
    /// The step of the window (SH, SW).
    public let stride: (Int, Int)
    /// Padding of the input: `.valid`, `.same` (TensorFlow's rule), per side, or PyTorch's `p`.
    public let padding: Padding
    /// Spacing between the kernel's taps (DH, DW).
    public let dilation: (Int, Int)
    /// Input and output channels split into this many independent groups.
    public let groups: Int
    public var isTraining = true

    /// `weightInitializer` defaults to PyTorch's (kaiming uniform, a = √5); the bias is always
    /// U(±1/√fan_in). Both are drawn from `seed`.
    public init(inChannels: Int, outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: Padding = .valid, dilation: (Int, Int) = (1, 1), groups: Int = 1, useBias: Bool = true,
                weightInitializer: Initializer = .pytorchDefault, seed: UInt64, on context: Context) throws {
        let groups = try positive(groups, "groups", "Conv2D")
        guard inChannels % groups == 0, outChannels % groups == 0 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "Conv2D: groups \(groups) must divide inChannels \(inChannels) and outChannels \(outChannels)")
        }
        let shape = [try positive(outChannels, "outChannels", "Conv2D"), try positive(inChannels, "inChannels", "Conv2D") / groups,
                     try positive(kernelSize.0, "kernel height", "Conv2D"), try positive(kernelSize.1, "kernel width", "Conv2D")]
        (weight, bias) = try makeWeightAndBias(shape, biasCount: useBias ? outChannels : nil, initializer: weightInitializer,
                                               seed: seed, on: context)
        (self.inChannels, self.stride, self.padding, self.dilation, self.groups) = (inChannels, stride, padding, dilation, groups)
    }

    public var directParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try self(x, activation: nil) }

    /// activation(self(x)) in one pass: the activation runs in the convolution's epilogue
    /// (`Tensor.conv2d(_:_:bias:stride:padding:dilation:groups:activation:)`), with the same
    /// values as the two layers one after the other. nil: `self(x)`.
    public func callAsFunction(_ x: Tensor, activation: FusedActivation?) throws -> Tensor {
        try checkImageInput(x, "Conv2D", channels: inChannels)
        return try Tensor.conv2d(x, weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
                                 activation: activation)
    }

    /// activation(self(x)) as two steps of a bigger forward pass (``Module/hooked(_:)``): fused
    /// into one when no ``ForwardHooks`` scope is active; while one is, this conv's own output
    /// reaches the hooks and the activation runs after it, with the same values.
    public func hooked(_ x: Tensor, then activation: FusedActivation) throws -> Tensor {
        guard ForwardHooks.isObserving else { return try self(x, activation: activation) }
        let y = try hooked(x)
        switch activation {
        case .relu: return try y.relu()
        case let .leakyRelu(slope): return try y.leakyRelu(negativeSlope: slope)
        }
    }
}

/// A depthwise convolution, Keras's `DepthwiseConv2D`: each input channel is convolved with its
/// own `depthMultiplier` filters. Input (N, C, H, W) → (N, C·depthMultiplier, OH, OW); output
/// channel c·m + j comes from input channel c. A ``Conv2D``-style `weight` (C·m, 1, KH, KW) and
/// optional `bias` (C·m), i.e. PyTorch's `nn.Conv2d(C, C·m, k, groups=C)`.
/// `ck_conv2d_forward` with groups = C (the backends' direct depthwise kernels).
public final class DepthwiseConv2D: Module {
    private let convolution: Conv2D
    public var isTraining = true

    /// PyTorch's `Conv2d(channels, channels·depthMultiplier, kernelSize, groups=channels)` (Keras's
    /// `DepthwiseConv2D(depth_multiplier=…)`); weights drawn from `seed` by `weightInitializer`.
    public init(channels: Int, depthMultiplier: Int = 1, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: Padding = .valid, dilation: (Int, Int) = (1, 1), useBias: Bool = true,
                weightInitializer: Initializer = .pytorchDefault, seed: UInt64, on context: Context) throws {
        let multiplier = try positive(depthMultiplier, "depthMultiplier", "DepthwiseConv2D")
        convolution = try Conv2D(inChannels: channels, outChannels: channels * multiplier, kernelSize: kernelSize, stride: stride,
                                 padding: padding, dilation: dilation, groups: channels, useBias: useBias,
                                 weightInitializer: weightInitializer, seed: seed, on: context)
    }

    /// The filters (C·depthMultiplier, 1, KH, KW); requires grad.
    public var weight: Tensor { convolution.weight }
    /// The bias (C·depthMultiplier), or nil; requires grad.
    public var bias: Tensor? { convolution.bias }
    public var directParameters: [(name: String, tensor: Tensor)] { convolution.directParameters }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try checkImageInput(x, "DepthwiseConv2D", channels: convolution.inChannels)
        return try convolution(x)
    }
}

/// A depthwise-separable convolution, Keras's `SeparableConv2D`: a ``DepthwiseConv2D`` without
/// bias (child `depthwise`, weight (C·m, 1, KH, KW)) carrying stride, padding and dilation, then
/// a 1×1 ``Conv2D`` (child `pointwise`, weight (outChannels, C·m, 1, 1), optional bias).
/// Input (N, C, H, W) → (N, outChannels, OH, OW). Two `ck_conv2d_forward` calls.
public final class SeparableConv2D: Module {
    /// The depthwise stage (child `depthwise`), without bias: (N, C, H, W) → (N, C·m, OH, OW).
    public let depthwise: DepthwiseConv2D
    /// The 1×1 stage (child `pointwise`): (N, C·m, OH, OW) → (N, outChannels, OH, OW).
    public let pointwise: Conv2D
    public var isTraining = true

    /// Keras's `SeparableConv2D(filters, kernel_size, depth_multiplier, strides, padding, dilation_rate)`;
    /// the two stages draw their weights from seeds derived from `seed`.
    public init(inChannels: Int, outChannels: Int, kernelSize: (Int, Int), depthMultiplier: Int = 1, stride: (Int, Int) = (1, 1),
                padding: Padding = .valid, dilation: (Int, Int) = (1, 1), useBias: Bool = true,
                weightInitializer: Initializer = .pytorchDefault, seed: UInt64, on context: Context) throws {
        depthwise = try DepthwiseConv2D(channels: inChannels, depthMultiplier: depthMultiplier, kernelSize: kernelSize,
                                        stride: stride, padding: padding, dilation: dilation, useBias: false,
                                        weightInitializer: weightInitializer, seed: derivedSeed(seed, 1), on: context)
        pointwise = try Conv2D(inChannels: inChannels * depthMultiplier, outChannels: outChannels, kernelSize: (1, 1),
                               useBias: useBias, weightInitializer: weightInitializer, seed: derivedSeed(seed, 2), on: context)
    }

    public var children: [(name: String, module: any Module)] { [("depthwise", depthwise), ("pointwise", pointwise)] }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { try pointwise.hooked(depthwise.hooked(x)) }
}

/// A transposed convolution, PyTorch's `nn.ConvTranspose2d`. Input (N, inChannels, H, W) →
/// (N, outChannels, OH, OW) with OH = (H − 1)·stride − top − bottom + dilation·(KH − 1) +
/// outputPadding + 1. Parameters `weight` (inChannels, outChannels/groups, KH, KW) (IOHW, as
/// PyTorch) and optional `bias` (outChannels). PyTorch's default initialization takes fan_in from
/// the weight's second dimension: (outChannels/groups)·KH·KW.
/// Forward `ck_conv_transpose2d_forward`; backward `ck_conv_transpose2d_backward_data` / `_weights`.
public final class ConvTranspose2D: Module {
    /// The filters (inChannels, outChannels/groups, KH, KW), IOHW as PyTorch; requires grad.
    public let weight: Tensor
    /// The per-output-channel bias (outChannels), or nil; requires grad.
    public let bias: Tensor?
    /// C of the (N, C, H, W) input.
    public let inChannels: Int
    /// The upsampling step (SH, SW).
    public let stride: (Int, Int)
    /// Rows and columns removed from the full output, per side (`.valid` or explicit).
    public let padding: Padding
    /// Rows and columns added at the bottom and right of the output (< stride or dilation).
    public let outputPadding: (Int, Int)
    /// Spacing between the kernel's taps (DH, DW).
    public let dilation: (Int, Int)
    /// Input and output channels split into this many independent groups.
    public let groups: Int
    public var isTraining = true

    /// `padding` must be `.valid` or `.explicit` (PyTorch's `padding=p` is `.symmetric(p)`).
    public init(inChannels: Int, outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: Padding = .valid, outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1,
                useBias: Bool = true, weightInitializer: Initializer = .pytorchDefault, seed: UInt64, on context: Context) throws {
        let groups = try positive(groups, "groups", "ConvTranspose2D")
        guard inChannels % groups == 0, outChannels % groups == 0 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "ConvTranspose2D: groups \(groups) must divide inChannels \(inChannels) and outChannels \(outChannels)")
        }
        let shape = [try positive(inChannels, "inChannels", "ConvTranspose2D"),
                     try positive(outChannels, "outChannels", "ConvTranspose2D") / groups,
                     try positive(kernelSize.0, "kernel height", "ConvTranspose2D"),
                     try positive(kernelSize.1, "kernel width", "ConvTranspose2D")]
        (weight, bias) = try makeWeightAndBias(shape, biasCount: useBias ? outChannels : nil, initializer: weightInitializer,
                                               seed: seed, on: context)
        (self.inChannels, self.stride, self.padding) = (inChannels, stride, padding)
        (self.outputPadding, self.dilation, self.groups) = (outputPadding, dilation, groups)
    }

    public var directParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try checkImageInput(x, "ConvTranspose2D", channels: inChannels)
        return try Tensor.convTranspose2d(x, weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                                          dilation: dilation, groups: groups)
    }
}
