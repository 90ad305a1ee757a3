import ConvKit
import ConvKitNN

/// The CIFAR-10 ResNets of He et al. (2016, §4.2), depth 6n + 2 (20, 32, 56, …):
///
///     x (N, C, H, W)
///     conv1 3×3, 16, pad 1 → bn1 → ReLU                 (N, 16, H, W)
///     layer1: n basic blocks, 16 channels                (N, 16, H, W)
///     layer2: n basic blocks, 32 channels, first stride 2 (N, 32, ⌈H/2⌉, ⌈W/2⌉)
///     layer3: n basic blocks, 64 channels, first stride 2 (N, 64, ⌈H/4⌉, ⌈W/4⌉)
///     global average pool → fc 64 → classes              (N, classes)
///
/// Names follow torchvision (`conv1.weight`, `bn1.running_mean`, `layer2.0.downsample.0.weight`,
/// `fc.bias`). The two shortcuts that change shape are torchvision's projections (a 1×1 conv
/// with stride 2 and a batch norm, the paper's option B) rather than option A's zero padding:
/// ResNet-20 has 272,474 parameters for 3×32×32 CIFAR-10 and 272,186 for 1×28×28
/// Fashion-MNIST, ResNet-32 466,906 and ResNet-56 855,770 for CIFAR-10. Channel counts are
/// scaled by the model's width.
public final class CIFARResNet: Module {
    public let conv1: Conv2D, bn1: BatchNorm2D
    public let layer1: Sequential, layer2: Sequential, layer3: Sequential
    public let fc: Dense
    public var isTraining = true

    init(depth: Int, input: ModelInput, width: ChannelWidth, seed: UInt64, on context: Context) throws {
        guard depth >= 8, (depth - 2) % 6 == 0 else {
            throw TrainingError.invalidOption("a CIFAR-style ResNet has depth 6n + 2 (20, 32, 56, …), not \(depth)")
        }
        let blocks = (depth - 2) / 6
        let channels = [16, 32, 64].map { width($0) }
        conv1 = try Conv2D(inChannels: input.channels, outChannels: channels[0], kernelSize: (3, 3), padding: .symmetric(1),
                           useBias: false, weightInitializer: resNetConvInitializer, seed: derivedSeed(seed, 1), on: context)
        bn1 = try BatchNorm2D(features: channels[0], on: context)
        layer1 = try residualStage(from: channels[0], to: channels[0], blocks: blocks, stride: 1, seed: derivedSeed(seed, 2), on: context)
        layer2 = try residualStage(from: channels[0], to: channels[1], blocks: blocks, stride: 2, seed: derivedSeed(seed, 3), on: context)
        layer3 = try residualStage(from: channels[1], to: channels[2], blocks: blocks, stride: 2, seed: derivedSeed(seed, 4), on: context)
        fc = try Dense(inFeatures: channels[2], outFeatures: input.classes, seed: derivedSeed(seed, 5), on: context)
    }

    public var children: [(name: String, module: any Module)] {
        [("conv1", conv1), ("bn1", bn1), ("layer1", layer1), ("layer2", layer2), ("layer3", layer3), ("fc", fc)]
    }

    /// (N, C, H, W) → (N, classes).
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let features = try layer3.hooked(layer2.hooked(layer1.hooked(bn1.hooked(conv1.hooked(x)).relu())))
        return try fc.hooked(features.globalAvgPool2d().flattened())
    }
}

/// torchvision's ResNet-18 and ResNet-34 (`torchvision.models.resnet18/34`, basic blocks):
///
///     x (N, C, H, W)
///     conv1 7×7/2, 64, pad 3 → bn1 → ReLU → maxpool 3×3/2, pad 1   (N, 64, H/4, W/4)
///     layer1…layer4: basic blocks, 64/128/256/512 channels, stages 2–4 start with stride 2
///     global average pool → fc 512 → classes
///
/// Made for 224×224 photographs. On 28×28 Fashion-MNIST the stem leaves 7×7 maps and layer4
/// works on 1×1 (28 → 14 → 7 → 7 → 4 → 2 → 1): it trains, but sees coarse features and costs
/// far more than the CIFAR-style ResNets for no gain; prefer `resnet20` for small images.
/// ResNet-18 has 11,689,512 parameters for 3×224×224 and 1000 classes, as torchvision's, and
/// 11,175,370 for 1×28×28 Fashion-MNIST.
public final class ImageNetResNet: Module {
    public let conv1: Conv2D, bn1: BatchNorm2D
    public let layers: [Sequential]
    public let fc: Dense
    public var isTraining = true

    init(blocksPerStage: [Int], input: ModelInput, width: ChannelWidth, seed: UInt64, on context: Context) throws {
        let channels = [64, 128, 256, 512].map { width($0) }
        conv1 = try Conv2D(inChannels: input.channels, outChannels: channels[0], kernelSize: (7, 7), stride: (2, 2),
                           padding: .symmetric(3), useBias: false, weightInitializer: resNetConvInitializer,
                           seed: derivedSeed(seed, 1), on: context)
        bn1 = try BatchNorm2D(features: channels[0], on: context)
        var stages: [Sequential] = []
        for (index, blocks) in blocksPerStage.enumerated() {
            stages.append(try residualStage(from: channels[max(index - 1, 0)], to: channels[index], blocks: blocks,
                                            stride: index == 0 ? 1 : 2, seed: derivedSeed(seed, UInt64(2 + index)), on: context))
        }
        layers = stages
        fc = try Dense(inFeatures: channels[3], outFeatures: input.classes, seed: derivedSeed(seed, 6), on: context)
    }

    public var children: [(name: String, module: any Module)] {
        [("conv1", conv1), ("bn1", bn1)] + layers.enumerated().map { ("layer\($0.offset + 1)", $0.element) } + [("fc", fc)]
    }

    /// (N, C, H, W) → (N, classes).
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let stem = try bn1.hooked(conv1.hooked(x)).relu().maxPool2d(kernel: (3, 3), stride: (2, 2), padding: .symmetric(1))
        let features = try layers.reduce(stem) { try $1.hooked($0) }
        return try fc.hooked(features.globalAvgPool2d().flattened())
    }
}

/// A stage of `blocks` basic blocks, torchvision's `_make_layer`: the first goes from
/// `inChannels` to `outChannels` with `stride` (projection shortcut when either changes), the
/// rest keep the shape. Children "0", "1", …
func residualStage(from inChannels: Int, to outChannels: Int, blocks: Int, stride: Int, seed: UInt64,
                   on context: Context) throws -> Sequential {
    try Sequential((0..<blocks).map { index in
        try BasicBlock(inChannels: index == 0 ? inChannels : outChannels, outChannels: outChannels,
                       stride: index == 0 ? stride : 1, weightInitializer: resNetConvInitializer,
                       seed: derivedSeed(seed, UInt64(index)), on: context)
    })
}
