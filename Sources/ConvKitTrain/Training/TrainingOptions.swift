import ConvKitData

/// Everything a training run needs besides the model and the data. The defaults are those of
/// `convkit train`: 20 epochs of SGD with Nesterov momentum 0.9, peak rate 0.1 after one
/// warm-up epoch, cosine decay, weight decay 5e-4, batches of 128, random crops of 2-pixel
/// padded images and horizontal flips — ResNet-20 reaches ≥ 93.5% on Fashion-MNIST with them.
public struct TrainingOptions: Equatable, Sendable {
    public var epochs: Int
    public var batchSize: Int
    /// Batches of the test-set evaluation (no gradients, so it can be larger).
    public var evaluationBatchSize: Int
    public var optimizer: OptimizerOptions
    public var schedule: ScheduleOptions
    /// Applied to training images only.
    public var augmentation: Augmentation
    /// Normalize each channel by the training set's mean and standard deviation.
    public var normalize: Bool
    /// Label smoothing of the training loss (the test loss never smooths).
    public var labelSmoothing: Double
    /// Stop when the test accuracy has not improved for this many epochs; nil = never.
    public var earlyStoppingPatience: Int?
    /// Seeds the weights (through the model), the batch order, the augmentation and dropout.
    public var seed: UInt64
    /// Steps between reads of the running loss and accuracy from the device (besides the
    /// epoch's last read and the one float of each step's finiteness check).
    public var readInterval: Int
    /// Batches prepared ahead on the background thread.
    public var prefetchDepth: Int
    /// At most this many training batches per epoch (nil = all): quick runs and tests.
    public var maxStepsPerEpoch: Int?
    /// What a step with a NaN or infinite loss or gradient does.
    public var nonFinite: NonFiniteOptions

    public init(epochs: Int = 20, batchSize: Int = 128, evaluationBatchSize: Int = 500, optimizer: OptimizerOptions = .init(),
                schedule: ScheduleOptions = .init(), augmentation: Augmentation = Augmentation(horizontalFlip: true, cropPadding: 2),
                normalize: Bool = true, labelSmoothing: Double = 0, earlyStoppingPatience: Int? = nil, seed: UInt64 = 0,
                readInterval: Int = 10, prefetchDepth: Int = 4, maxStepsPerEpoch: Int? = nil,
                nonFinite: NonFiniteOptions = .init()) {
        (self.epochs, self.batchSize, self.evaluationBatchSize) = (epochs, batchSize, evaluationBatchSize)
        (self.optimizer, self.schedule, self.augmentation, self.normalize) = (optimizer, schedule, augmentation, normalize)
        (self.labelSmoothing, self.earlyStoppingPatience, self.seed) = (labelSmoothing, earlyStoppingPatience, seed)
        (self.readInterval, self.prefetchDepth, self.maxStepsPerEpoch) = (readInterval, prefetchDepth, maxStepsPerEpoch)
        self.nonFinite = nonFinite
    }

    /// Checks every option against the training set's size; messages name the CLI flags.
    func validate(trainingCount: Int) throws {
        guard epochs >= 1 else { throw TrainingError.invalidOption("--epochs must be 1 or more, not \(epochs)") }
        guard batchSize >= 2 else {
            throw TrainingError.invalidOption("--batch-size must be 2 or more (batch norm needs two samples), not \(batchSize)")
        }
        guard batchSize <= trainingCount else {
            throw TrainingError.invalidOption("--batch-size \(batchSize) exceeds the \(trainingCount) training images")
        }
        guard evaluationBatchSize >= 1 else {
            throw TrainingError.invalidOption("the evaluation batch size must be 1 or more, not \(evaluationBatchSize)")
        }
        guard labelSmoothing >= 0, labelSmoothing < 1 else {
            throw TrainingError.invalidOption("--label-smoothing must be in [0, 1), not \(labelSmoothing)")
        }
        if let patience = earlyStoppingPatience, patience < 1 {
            throw TrainingError.invalidOption("--patience must be 1 or more, not \(patience)")
        }
        guard readInterval >= 1, prefetchDepth >= 1 else {
            throw TrainingError.invalidOption("the read interval and prefetch depth must be 1 or more")
        }
        if let steps = maxStepsPerEpoch, steps < 1 {
            throw TrainingError.invalidOption("--max-steps must be 1 or more, not \(steps)")
        }
        try optimizer.validate()
        try schedule.validate(epochs: epochs)
        try nonFinite.validate()
    }

    /// Training steps per epoch for `trainingCount` images: full batches only (a last batch
    /// of one image would break batch norm), capped by ``maxStepsPerEpoch``.
    func stepsPerEpoch(trainingCount: Int) -> Int {
        min(trainingCount / batchSize, maxStepsPerEpoch ?? .max)
    }
}
