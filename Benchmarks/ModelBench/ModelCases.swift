import ConvKitTrain

/// A model the model-level benchmark runs: a ConvKitTrain model by name, the images it is made
/// for (C, H, W and classes), and the batch sizes it is timed at.
struct ModelCase {
    let kind: ModelKind
    let input: ModelInput
    let batches: [Int]
    let quickBatches: [Int]

    var name: String { kind.rawValue }

    /// LeNet-5 on 1×28×28 (MNIST), ResNet-20 and the MobileNet on 3×32×32 (CIFAR-10), ResNet-18
    /// on 3×224×224 with 1000 classes (ImageNet, the size torchvision's ResNet-18 is made for).
    static let all: [ModelCase] = [
        ModelCase(kind: .lenet5, input: ModelInput(channels: 1, height: 28, width: 28, classes: 10),
                  batches: [1, 16, 64, 256], quickBatches: [1, 16]),
        ModelCase(kind: .resnet20, input: ModelInput(channels: 3, height: 32, width: 32, classes: 10),
                  batches: [1, 16, 64, 128], quickBatches: [1, 16]),
        ModelCase(kind: .resnet18, input: ModelInput(channels: 3, height: 224, width: 224, classes: 1000),
                  batches: [1, 8, 32], quickBatches: [1, 2]),
        ModelCase(kind: .mobilenet, input: ModelInput(channels: 3, height: 32, width: 32, classes: 10),
                  batches: [1, 16, 64, 128], quickBatches: [1, 16]),
    ]

    /// The cases named in `names` (all when empty), or an error naming the known ones.
    static func select(_ names: [String]) throws -> [ModelCase] {
        guard !names.isEmpty else { return all }
        return try names.map { name in
            guard let found = all.first(where: { $0.name == name }) else {
                throw ModelBenchError("unknown model \"\(name)\"; the benchmark knows " + all.map(\.name).joined(separator: ", "))
            }
            return found
        }
    }
}

/// What the benchmark times of a model at one batch size.
enum StepMode: String, CaseIterable {
    /// Forward, softmax cross-entropy, backward and an SGD step (momentum 0.9) in training mode.
    case train
    /// Forward only, in evaluation mode, recording no gradients.
    case infer
}

/// A failure the benchmark reports in words, then exits with status 1.
struct ModelBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
