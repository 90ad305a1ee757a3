import ConvKit

/// Layers applied in order, PyTorch's `nn.Sequential`: children are named "0", "1", …, so a
/// parameter of the third layer is `2.weight`. A ``Conv2D`` followed by a ``ReLU``, or by a
/// ``LeakyReLU`` with a slope >= 0, runs as one fused step (``Conv2D/callAsFunction(_:activation:)``):
/// the same values, one pass over the output and no pre-activation tensor kept for the backward
/// pass. While a ``ForwardHooks`` scope is active the two run one after the other, so that the
/// hooks of both see their outputs.
public final class Sequential: Module {
    /// The layers, applied first to last.
    public private(set) var layers: [any Module]
    public var isTraining = true

    /// Layers applied in this order; each is child "0", "1", ….
    public init(_ layers: [any Module]) { self.layers = layers }

    /// Adds a layer at the end (it keeps its own mode; call ``Module/train(_:)`` after building).
    public func append(_ layer: any Module) { layers.append(layer) }

    public var children: [(name: String, module: any Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var y = x
        var index = layers.startIndex
        while index < layers.endIndex {
            let next = index + 1
            if !ForwardHooks.isObserving, let conv = layers[index] as? Conv2D, next < layers.endIndex,
               let activation = fusable(layers[next]) {
                y = try conv(y, activation: activation)
                index = next + 1
            } else {
                y = try layers[index].hooked(y)
                index = next
            }
        }
        return y
    }

    /// The activation a conv can take in its epilogue in place of `layer`, or nil.
    private func fusable(_ layer: any Module) -> FusedActivation? {
        if layer is ReLU { return .relu }
        if let leaky = layer as? LeakyReLU, leaky.negativeSlope >= 0 { return .leakyRelu(negativeSlope: leaky.negativeSlope) }
        return nil
    }
}

/// The residual block of ResNet-18/34 and the CIFAR ResNets, torchvision's `BasicBlock`:
/// y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), both convs 3×3 without bias (conv1
/// with `stride`), padding 1. The shortcut is the identity, or — when the stride is not 1 or
/// the channel count changes — `downsample`, a 1×1 conv with `stride` and a batch norm.
/// (N, inChannels, H, W) → (N, outChannels, ⌈H/stride⌉, ⌈W/stride⌉). Children `conv1`, `bn1`,
/// `conv2`, `bn2` and `downsample` (`downsample.0.weight`, `downsample.1.running_mean`, …).
public final class BasicBlock: Module {
    /// The first 3×3 conv, with the stride: (N, inChannels, H, W) → (N, outChannels, OH, OW).
    public let conv1: Conv2D
    /// Batch norm after `conv1`.
    public let bn1: BatchNorm2D
    /// The second 3×3 conv: (N, outChannels, OH, OW) → same shape.
    public let conv2: Conv2D
    /// Batch norm after `conv2`, before the shortcut is added.
    public let bn2: BatchNorm2D
    /// The projection shortcut (1×1 conv with the stride, batch norm), or nil for the identity.
    public let downsample: Sequential?
    public var isTraining = true

    /// Convolution weights use `weightInitializer`, each from a seed derived from `seed`.
    public init(inChannels: Int, outChannels: Int, stride: Int = 1, weightInitializer: Initializer = .pytorchDefault,
                seed: UInt64, on context: Context) throws {
        conv1 = try Conv2D(inChannels: inChannels, outChannels: outChannels, kernelSize: (3, 3), stride: (stride, stride),
                           padding: .symmetric(1), useBias: false, weightInitializer: weightInitializer,
                           seed: derivedSeed(seed, 1), on: context)
        bn1 = try BatchNorm2D(features: outChannels, on: context)
        conv2 = try Conv2D(inChannels: outChannels, outChannels: outChannels, kernelSize: (3, 3), padding: .symmetric(1),
                           useBias: false, weightInitializer: weightInitializer, seed: derivedSeed(seed, 2), on: context)
        bn2 = try BatchNorm2D(features: outChannels, on: context)
        guard stride != 1 || inChannels != outChannels else {
            downsample = nil
            return
        }
        downsample = Sequential([
            try Conv2D(inChannels: inChannels, outChannels: outChannels, kernelSize: (1, 1), stride: (stride, stride),
                       useBias: false, weightInitializer: weightInitializer, seed: derivedSeed(seed, 3), on: context),
            try BatchNorm2D(features: outChannels, on: context),
        ])
    }

    public var children: [(name: String, module: any Module)] {
        [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)] + (downsample.map { [("downsample", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let residual = try bn2.hooked(conv2.hooked(bn1.hooked(conv1.hooked(x)).relu()))
        return try (residual + (downsample?.hooked(x) ?? x)).relu()
    }
}
