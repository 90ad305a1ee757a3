import ConvKit
import ConvKitNN

/// LeNet-5 (LeCun et al. 1998) as it is usually written in PyTorch today: ReLU and max pooling
/// in place of the scaled tanh and subsampling, the first conv padded by 2 so that 28×28 digits
/// get the 32×32 field of the original.
///
///     x (N, C, H, W)
///     conv1 5×5, 6, pad 2 → ReLU → max pool 2   (N, 6, H/2, W/2)
///     conv2 5×5, 16       → ReLU → max pool 2   (N, 16, h, w), h = (H/2 − 4)/2
///     fc1 16·h·w → 120 → ReLU → fc2 120 → 84 → ReLU → fc3 84 → classes
///
/// Parameters `conv1.weight` (6, C, 5, 5), `conv1.bias`, `conv2.*`, `fc1.*`, `fc2.*`, `fc3.*`:
/// 61,706 of them for 1×28×28 inputs and 10 classes. Needs H and W of at least 12.
public final class LeNet5: Module {
    public let conv1: Conv2D, conv2: Conv2D
    public let fc1: Dense, fc2: Dense, fc3: Dense
    public var isTraining = true

    public init(input: ModelInput, seed: UInt64, on context: Context) throws {
        let (h, w) = ((input.height / 2 - 4) / 2, (input.width / 2 - 4) / 2)
        guard h >= 1, w >= 1 else {
            throw TrainingError.invalidOption("lenet5 needs images of at least 12×12 pixels, not \(input.height)×\(input.width)")
        }
        conv1 = try Conv2D(inChannels: input.channels, outChannels: 6, kernelSize: (5, 5), padding: .symmetric(2),
                           seed: derivedSeed(seed, 1), on: context)
        conv2 = try Conv2D(inChannels: 6, outChannels: 16, kernelSize: (5, 5), seed: derivedSeed(seed, 2), on: context)
        fc1 = try Dense(inFeatures: 16 * h * w, outFeatures: 120, seed: derivedSeed(seed, 3), on: context)
        fc2 = try Dense(inFeatures: 120, outFeatures: 84, seed: derivedSeed(seed, 4), on: context)
        fc3 = try Dense(inFeatures: 84, outFeatures: input.classes, seed: derivedSeed(seed, 5), on: context)
    }

    public var children: [(name: String, module: any Module)] {
        [("conv1", conv1), ("conv2", conv2), ("fc1", fc1), ("fc2", fc2), ("fc3", fc3)]
    }

    /// (N, C, H, W) → (N, classes).
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let pooled = try conv1.hooked(x, then: .relu).maxPool2d(kernel: (2, 2))
        let features = try conv2.hooked(pooled, then: .relu).maxPool2d(kernel: (2, 2))
        return try fc3.hooked(fc2.hooked(fc1.hooked(features.flattened()).relu()).relu())
    }
}
