import ConvKit
import ConvKitNN

/// MobileNet v1's building block (Howard et al. 2017): a 3×3 depthwise conv (one filter per
/// channel, `stride`, pad 1) → bn1 → ReLU, then a 1×1 pointwise conv to `outChannels` → bn2 →
/// ReLU. Both convs have no bias. (N, inChannels, H, W) → (N, outChannels, ⌈H/s⌉, ⌈W/s⌉).
/// Children `depthwise` (weight (inChannels, 1, 3, 3), PyTorch's `Conv2d(groups=inChannels)`),
/// `bn1`, `pointwise` (weight (outChannels, inChannels, 1, 1)), `bn2`.
public final class DepthwiseSeparableBlock: Module {
    public let depthwise: DepthwiseConv2D, bn1: BatchNorm2D
    public let pointwise: Conv2D, bn2: BatchNorm2D
    public var isTraining = true

    public init(inChannels: Int, outChannels: Int, stride: Int, seed: UInt64, on context: Context) throws {
        depthwise = try DepthwiseConv2D(channels: inChannels, kernelSize: (3, 3), stride: (stride, stride), padding: .symmetric(1),
                                        useBias: false, weightInitializer: resNetConvInitializer, seed: derivedSeed(seed, 1),
                                        on: context)
        bn1 = try BatchNorm2D(features: inChannels, on: context)
        pointwise = try Conv2D(inChannels: inChannels, outChannels: outChannels, kernelSize: (1, 1), useBias: false,
                               weightInitializer: resNetConvInitializer, seed: derivedSeed(seed, 2), on: context)
        bn2 = try BatchNorm2D(features: outChannels, on: context)
    }

    public var children: [(name: String, module: any Module)] {
        [("depthwise", depthwise), ("bn1", bn1), ("pointwise", pointwise), ("bn2", bn2)]
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try bn2.hooked(pointwise.hooked(bn1.hooked(depthwise.hooked(x)).relu())).relu()
    }
}

/// MobileNet v1 for small images: the ImageNet network's 13 depthwise-separable blocks
/// (64, 128/2, 128, 256/2, 256, 512/2, 5 × 512, 1024/2, 1024; "/2" = stride 2) after a 3×3
/// stem of 32 channels with stride 1 instead of 2 (28×28 or 32×32 inputs would otherwise end
/// at 1×1 before the last blocks), then global average pooling and a dense layer.
///
///     x (N, C, H, W) → conv1 3×3, 32, pad 1 → bn1 → ReLU → layers.0 … layers.12
///       → (N, 1024, ⌈H/16⌉, ⌈W/16⌉) → global average pool → fc 1024 → classes
///
/// Names: `conv1.weight`, `bn1.*`, `layers.3.depthwise.weight`, `layers.3.bn2.running_var`,
/// `fc.weight`. 3,217,226 parameters for 3×32×32 and 10 classes. Channel counts are scaled by
/// the model's width (the paper's α).
public final class MobileNet: Module {
    public let conv1: Conv2D, bn1: BatchNorm2D
    public let layers: Sequential
    public let fc: Dense
    public var isTraining = true

    /// (output channels, stride) of each block.
    static let blocks: [(channels: Int, stride: Int)] = [
        (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
        (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
    ]

    init(input: ModelInput, width: ChannelWidth, seed: UInt64, on context: Context) throws {
        let stem = width(32)
        conv1 = try Conv2D(inChannels: input.channels, outChannels: stem, kernelSize: (3, 3), padding: .symmetric(1),
                           useBias: false, weightInitializer: resNetConvInitializer, seed: derivedSeed(seed, 1), on: context)
        bn1 = try BatchNorm2D(features: stem, on: context)
        var channels = stem
        var blocks: [any Module] = []
        for (index, block) in MobileNet.blocks.enumerated() {
            blocks.append(try DepthwiseSeparableBlock(inChannels: channels, outChannels: width(block.channels), stride: block.stride,
                                                      seed: derivedSeed(seed, UInt64(10 + index)), on: context))
            channels = width(block.channels)
        }
        layers = Sequential(blocks)
        fc = try Dense(inFeatures: channels, outFeatures: input.classes, seed: derivedSeed(seed, 2), on: context)
    }

    public var children: [(name: String, module: any Module)] {
        [("conv1", conv1), ("bn1", bn1), ("layers", layers), ("fc", fc)]
    }

    /// (N, C, H, W) → (N, classes).
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try fc.hooked(layers.hooked(bn1.hooked(conv1.hooked(x)).relu()).globalAvgPool2d().flattened())
    }
}
