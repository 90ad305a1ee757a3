import ConvKit
import ConvKitNN

/// What a model is built for: the image shape (C, H, W) and the number of classes, all taken
/// from the data set, so one model name fits Fashion-MNIST (1×28×28) and CIFAR-10 (3×32×32).
public struct ModelInput: Equatable, Sendable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var classes: Int

    public init(channels: Int, height: Int, width: Int, classes: Int) {
        (self.channels, self.height, self.width, self.classes) = (channels, height, width, classes)
    }

    /// The input shape of a batch of `batchSize` images: (N, C, H, W).
    public func batchShape(_ batchSize: Int) -> [Int] { [batchSize, channels, height, width] }
}

/// The models `convkit train --model NAME` knows. Every one is a ``Module`` whose state dict
/// uses the names its PyTorch equivalent would have (torchvision's for the ResNets), maps
/// (N, C, H, W) images to (N, classes) logits, and starts in training mode.
public enum ModelKind: String, CaseIterable, Sendable {
    case lenet5
    case resnet20, resnet32, resnet56
    case resnet18, resnet34
    case mobilenet
    case fashionCNN = "fashion-cnn"

    /// One line for `--help` and logs.
    public var summary: String {
        switch self {
        case .lenet5: return "LeNet-5: two 5×5 convs with max pooling, three dense layers (61,706 parameters on MNIST)"
        case .resnet20, .resnet32, .resnet56:
            return "CIFAR-style ResNet-\(cifarDepth!): 3×3 stem of 16 channels, three stages 16/32/64 of basic blocks"
        case .resnet18, .resnet34:
            return "torchvision ResNet-\(rawValue.dropFirst(6)): 7×7/2 stem and 3×3/2 max pool, four stages 64…512"
        case .mobilenet: return "MobileNet (v1): 3×3 stem, 13 depthwise-separable blocks 64…1024 channels"
        case .fashionCNN: return "4 conv + batch norm + LeakyReLU layers with max pooling, 2×1024 dense with dropout"
        }
    }

    /// 20, 32 or 56 for the CIFAR-style ResNets (depth 6n + 2), nil otherwise.
    var cifarDepth: Int? {
        switch self {
        case .resnet20: return 20
        case .resnet32: return 32
        case .resnet56: return 56
        default: return nil
        }
    }

    /// Builds the model for `input`. `widthMultiplier` scales every hidden channel and feature
    /// count (not LeNet-5's, which is fixed; at least 1 channel each); `seed` draws every weight
    /// (each layer from its own derived seed). Throws ``TrainingError`` when the images are
    /// too small for the model's pooling.
    public func make(for input: ModelInput, widthMultiplier: Double = 1, seed: UInt64, on context: Context) throws -> any Module {
        guard input.channels >= 1, input.height >= 1, input.width >= 1, input.classes >= 2 else {
            throw TrainingError.invalidOption("model input \(input.channels)×\(input.height)×\(input.width) with "
                + "\(input.classes) classes: need at least 1 channel, 1×1 pixels and 2 classes")
        }
        guard widthMultiplier > 0, widthMultiplier.isFinite else {
            throw TrainingError.invalidOption("width multiplier \(widthMultiplier) must be a positive number")
        }
        let width = ChannelWidth(multiplier: widthMultiplier)
        switch self {
        case .lenet5:
            return try LeNet5(input: input, seed: seed, on: context)
        case .resnet20, .resnet32, .resnet56:
            return try CIFARResNet(depth: cifarDepth!, input: input, width: width, seed: seed, on: context)
        case .resnet18:
            return try ImageNetResNet(blocksPerStage: [2, 2, 2, 2], input: input, width: width, seed: seed, on: context)
        case .resnet34:
            return try ImageNetResNet(blocksPerStage: [3, 4, 6, 3], input: input, width: width, seed: seed, on: context)
        case .mobilenet:
            return try MobileNet(input: input, width: width, seed: seed, on: context)
        case .fashionCNN:
            return try FashionCNN(input: input, width: width, seed: seed, on: context)
        }
    }
}

/// Scales a model's channel counts: round(channels × multiplier), at least 1.
struct ChannelWidth: Sendable {
    let multiplier: Double

    func callAsFunction(_ channels: Int) -> Int { max(1, Int((Double(channels) * multiplier).rounded())) }
}

/// torchvision's initialization of ResNet convolutions: `kaiming_normal_(mode="fan_out",
/// nonlinearity="relu")`. Batch norms start at weight 1, bias 0; dense layers keep PyTorch's default.
let resNetConvInitializer = Initializer.kaimingNormal(mode: .fanOut, nonlinearity: .relu)
