import ArgumentParser
import ConvKitData
import ConvKitTrain

extension ModelKind: ExpressibleByArgument {
    /// Each model's one-line summary in `--help`.
    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.summary) })
    }
}
extension OptimizerKind: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
extension NonFiniteAction: ExpressibleByArgument {}

/// `--model`, `--width-multiplier`, `--dataset`, `--data-dir`.
struct ModelFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The model; resnet20 suits 28×28 and 32×32 images.",
                                            valueName: "name"))
    var model: ModelKind = .resnet20

    @Option(name: .long, help: ArgumentHelp(
        "Scales the model's channel counts (0.5 = half as wide, about a quarter of the compute; lenet5 ignores it).",
        valueName: "factor"))
    var widthMultiplier: Double = 1

    @Option(name: .long, help: ArgumentHelp("The data set.", valueName: "name"))
    var dataset: DatasetKind = .fashionMNIST

    @Option(name: .customLong("data-dir"), help: ArgumentHelp(
        "Folder holding the data set's files (default: /usr/share/datasets/fashion-mnist for fashion-mnist).",
        valueName: "dir"))
    var dataDirectory: String?

    func validate() throws {
        guard widthMultiplier > 0, widthMultiplier.isFinite else {
            throw ValidationError("--width-multiplier must be a positive number, not \(widthMultiplier)")
        }
    }

    /// Both splits, or the data set's install hint.
    func loadData() throws -> DatasetSplits {
        do {
            return try dataset.load(directory: dataDirectory)
        } catch let error as DataError {
            throw CommandFailure(error.description)
        }
    }
}

/// `--optimizer`, `--lr`, `--momentum`, `--nesterov`, `--weight-decay`.
struct OptimizerFlags: ParsableArguments {
    @Option(name: .long, help: "The optimizer.")
    var optimizer: OptimizerKind = .sgd

    @Option(name: .customLong("lr"), help: ArgumentHelp("Peak learning rate (reached after the warm-up).", valueName: "rate"))
    var learningRate: Double = 0.1

    @Option(name: .long, help: "Momentum of sgd and rmsprop.")
    var momentum: Double = 0.9

    @Flag(inversion: .prefixedNo, help: "Nesterov momentum (sgd).")
    var nesterov = true

    @Option(name: .long, help: ArgumentHelp("Weight decay: L2 for sgd, adam, rmsprop; decoupled for adamw.", valueName: "factor"))
    var weightDecay: Double = 5e-4

    var options: OptimizerOptions {
        OptimizerOptions(kind: optimizer, learningRate: learningRate, momentum: momentum, nesterov: nesterov,
                         weightDecay: weightDecay)
    }
}

/// `--schedule` and its parameters.
struct ScheduleFlags: ParsableArguments {
    @Option(name: .long, help: "Learning-rate decay after the warm-up.")
    var schedule: ScheduleKind = .cosine

    @Option(name: .long, help: ArgumentHelp("Epochs of linear warm-up to the peak rate (at most epochs − 1 are used).",
                                            valueName: "n"))
    var warmupEpochs = 1

    @Option(name: .long, help: ArgumentHelp("step: epochs between decays.", valueName: "n"))
    var stepSize = 30

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "multistep: epochs (from 0) at which the rate is multiplied by --gamma, e.g. --milestones 10 15.", valueName: "epoch"))
    var milestones: [Int] = []

    @Option(name: .long, help: "Decay factor of step, multistep and plateau.")
    var gamma = 0.1

    @Option(name: .customLong("min-lr"), help: ArgumentHelp("cosine: the rate at the end of training.", valueName: "rate"))
    var minimumLearningRate = 0.0

    @Option(name: .long, help: ArgumentHelp("plateau: epochs without a lower test loss before a decay.", valueName: "n"))
    var plateauPatience = 3

    var options: ScheduleOptions {
        ScheduleOptions(kind: schedule, warmupEpochs: warmupEpochs, stepSize: stepSize, milestones: milestones, gamma: gamma,
                        minimumLearningRate: minimumLearningRate, plateauPatience: plateauPatience)
    }
}

/// `--flip`, `--crop-padding`, `--rotation`, `--zoom`: augmentation of the training images.
struct AugmentationFlags: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Random horizontal flips.")
    var flip = true

    @Option(name: .long, help: ArgumentHelp("Random crops of the image padded by this many pixels (0 = off).", valueName: "pixels"))
    var cropPadding = 2

    @Option(name: .long, help: ArgumentHelp("Random rotations up to ± this many degrees (0 = off).", valueName: "degrees"))
    var rotation: Float = 0

    @Option(name: .long, help: ArgumentHelp("Random zoom by a factor in [1 − z, 1 + z] (0 = off).", valueName: "z"))
    var zoom: Float = 0

    func validate() throws {
        guard cropPadding >= 0 else { throw ValidationError("--crop-padding must be 0 or more, not \(cropPadding)") }
        guard rotation >= 0, rotation <= 180 else { throw ValidationError("--rotation must be in 0...180, not \(rotation)") }
        guard zoom >= 0, zoom < 1 else { throw ValidationError("--zoom must be in [0, 1), not \(zoom)") }
    }

    var augmentation: Augmentation {
        Augmentation(horizontalFlip: flip, cropPadding: cropPadding, maxRotationDegrees: rotation, maxZoom: zoom)
    }
}
