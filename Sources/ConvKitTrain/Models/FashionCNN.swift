import ConvKit
import ConvKitNN

/// The Fashion-MNIST CNN of ConvKit's seed examples: two pairs of 3×3 convs, each conv
/// followed by batch norm and LeakyReLU (slope 0.01), each pair by 2×2 max pooling, then two
/// dense layers of 1024 with LeakyReLU and dropout 0.5 (the dense layers hold most of the
/// parameters; batch norm already regularizes the convs, so they get no dropout).
///
///     x (N, C, H, W)
///     features.0  conv 3×3, 32, pad 1   features.1 bn   features.2 LeakyReLU
///     features.3  conv 3×3, 32, pad 1   features.4 bn   features.5 LeakyReLU   features.6 max pool 2
///     features.7  conv 3×3, 64, pad 1   features.8 bn   features.9 LeakyReLU
///     features.10 conv 3×3, 64, pad 1   features.11 bn  features.12 LeakyReLU  features.13 max pool 2
///                                                                   → (N, 64, H/4, W/4)
///     classifier.0 flatten, .1 dense 64·(H/4)·(W/4) → 1024, .2 LeakyReLU, .3 dropout 0.5,
///     classifier.4 dense 1024 → 1024, .5 LeakyReLU, .6 dropout 0.5, classifier.7 dense → classes
///
/// The names are those of the same two `nn.Sequential`s in PyTorch. 4,337,514 parameters for
/// 1×28×28 and 10 classes. Needs H and W of at least 4; channel and feature counts are scaled
/// by the model's width.
public final class FashionCNN: Module {
    public let features: Sequential
    public let classifier: Sequential
    public var isTraining = true

    init(input: ModelInput, width: ChannelWidth, seed: UInt64, on context: Context) throws {
        let (h, w) = (input.height / 4, input.width / 4)
        guard h >= 1, w >= 1 else {
            throw TrainingError.invalidOption("fashion-cnn needs images of at least 4×4 pixels, not \(input.height)×\(input.width)")
        }
        let (narrow, wide, dense) = (width(32), width(64), width(1024))
        var layers: [any Module] = []
        var channels = input.channels
        for (index, out) in [narrow, narrow, wide, wide].enumerated() {
            layers.append(try Conv2D(inChannels: channels, outChannels: out, kernelSize: (3, 3), padding: .symmetric(1),
                                     seed: derivedSeed(seed, UInt64(index)), on: context))
            layers.append(try BatchNorm2D(features: out, on: context))
            layers.append(LeakyReLU())
            if index % 2 == 1 { layers.append(MaxPool2D(kernelSize: (2, 2))) }
            channels = out
        }
        features = Sequential(layers)
        classifier = Sequential([
            Flatten(),
            try Dense(inFeatures: wide * h * w, outFeatures: dense, seed: derivedSeed(seed, 10), on: context),
            LeakyReLU(),
            try Dropout(rate: 0.5, seed: derivedSeed(seed, 11)),
            try Dense(inFeatures: dense, outFeatures: dense, seed: derivedSeed(seed, 12), on: context),
            LeakyReLU(),
            try Dropout(rate: 0.5, seed: derivedSeed(seed, 13)),
            try Dense(inFeatures: dense, outFeatures: input.classes, seed: derivedSeed(seed, 14), on: context),
        ])
    }

    public var children: [(name: String, module: any Module)] { [("features", features), ("classifier", classifier)] }

    /// (N, C, H, W) → (N, classes).
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try classifier.hooked(features.hooked(x)) }
}
