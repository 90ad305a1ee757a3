import ArgumentParser
import ConvKit
import ConvKitData
import ConvKitDistributed
import ConvKitNN
import ConvKitTrain
import Foundation

/// `convkit train`: trains a model on a data set, with a progress bar, a validation pass on the
/// test set after each epoch, and the log, chart and checkpoints in `--out`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on a data set, evaluating it on the test set after every epoch.",
        discussion: """
            The defaults train ResNet-20 on Fashion-MNIST for 20 epochs (SGD, Nesterov momentum 0.9, \
            peak rate 0.1 after one warm-up epoch, cosine decay, weight decay 5e-4, batches of 128, \
            random 2-pixel crops and horizontal flips), which reaches about 94% test accuracy. The \
            output folder receives log.csv (one row per epoch), chart.png (loss and accuracy), \
            last.safetensors (resume with --resume) and best.safetensors (for convkit eval and \
            predict). Ctrl-C saves last.safetensors at the current step and stops.

            Under `mpirun -np N` (a build with MPI: swift build --traits MPI) the N processes train \
            one model data-parallel: --batch-size is the global batch, shared equally; rank 0 \
            prints and writes the files.
            """
    )

    @OptionGroup(title: "Model and data") var model: ModelFlags
    @OptionGroup(title: "Optimizer") var optimizer: OptimizerFlags
    @OptionGroup(title: "Learning-rate schedule") var schedule: ScheduleFlags
    @OptionGroup(title: "Augmentation") var augmentation: AugmentationFlags
    @OptionGroup(title: "Device") var device: DeviceOptions
    @OptionGroup(title: "Distributed training (MPI)") var distributed: DistributedFlags

    @Option(name: .long, help: "Passes over the training set.")
    var epochs = 20

    @Option(name: .long, help: "Training images per step (over all processes in distributed training).")
    var batchSize = 128

    @Option(name: .long, help: ArgumentHelp("Stop when the test accuracy has not improved for this many epochs (default: never).",
                                            valueName: "epochs"))
    var patience: Int?

    @Option(name: .long, help: "Label smoothing of the training loss, in [0, 1).")
    var labelSmoothing = 0.0

    @Flag(inversion: .prefixedNo, help: "Normalize each channel by the training set's mean and standard deviation.")
    var normalize = true

    @Option(name: .long, help: ArgumentHelp("At most this many steps per epoch (default: the whole training set); for quick runs.",
                                            valueName: "steps"))
    var maxSteps: Int?

    @Option(name: .customLong("on-nonfinite"), help: ArgumentHelp(
        "When a step's loss or gradients hold NaN or infinity: stop (naming the layers), skip the step, or lower-lr (skip it and halve the rate).",
        valueName: "action"))
    var nonFiniteAction: NonFiniteAction = .stop

    @Option(name: .customLong("nonfinite-lr-factor"), help: ArgumentHelp("lower-lr: the factor on the learning rate, in (0, 1).",
                                                                       valueName: "factor"))
    var nonFiniteLearningRateFactor = 0.5

    @Option(name: .customLong("max-nonfinite-steps"), help: ArgumentHelp(
        "skip and lower-lr: stop after this many non-finite steps in a row.", valueName: "steps"))
    var maxNonFiniteSteps = 10

    @Option(name: .customLong("memory-log"), help: ArgumentHelp(
        "Append the resident and device memory to this CSV file every minute (for soak tests).", valueName: "file"))
    var memoryLog: String?

    @Option(name: .long, help: "Seeds the weights, the batch order, the augmentation and dropout: the same seed gives the same run.")
    var seed: UInt64 = 0

    @Option(name: .customLong("out"), help: ArgumentHelp("Folder for log.csv, chart.png and the checkpoints (default: runs/MODEL-DATASET).",
                                                         valueName: "dir"))
    var outputDirectory: String?

    @Option(name: .long, help: ArgumentHelp("Continue the run saved in this checkpoint (its last.safetensors), with the same flags.",
                                            valueName: "file"))
    var resume: String?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be 1 or more, not \(epochs)") }
        guard batchSize >= 2 else { throw ValidationError("--batch-size must be 2 or more (batch norm needs two images), not \(batchSize)") }
        if let patience, patience < 1 { throw ValidationError("--patience must be 1 or more, not \(patience)") }
        if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be 1 or more, not \(maxSteps)") }
        guard labelSmoothing >= 0, labelSmoothing < 1 else {
            throw ValidationError("--label-smoothing must be in [0, 1), not \(labelSmoothing)")
        }
    }

    var options: TrainingOptions {
        TrainingOptions(epochs: epochs, batchSize: batchSize, optimizer: optimizer.options, schedule: schedule.options,
                        augmentation: augmentation.augmentation, normalize: normalize, labelSmoothing: labelSmoothing,
                        earlyStoppingPatience: patience, seed: seed, maxStepsPerEpoch: maxSteps,
                        nonFinite: NonFiniteOptions(action: nonFiniteAction, learningRateFactor: nonFiniteLearningRateFactor,
                                                    maxConsecutive: maxNonFiniteSteps))
    }

    func run() throws {
        guard let replica = try DistributedRun.start(required: distributed.distributed, timeout: distributed.syncTimeout,
                                                     device: device.device, threads: device.threads) else {
            return try run(replica: nil)
        }
        do {
            try run(replica: replica)
            try replica.finish()
        } catch let exit as ExitCode {
            try replica.finish()
            throw exit
        } catch {
            replica.abort(after: error)
        }
    }

    private func run(replica: DistributedRun?) throws {
        let data = try model.loadData()
        let context = try replica?.makeContext() ?? device.makeContext()
        do {
            try train(data: data, context: context, replica: replica)
        } catch let error as DistributedError {
            throw CommandFailure(error.description)
        } catch let error as TrainingError {
            throw CommandFailure(error.description)
        } catch let error as CheckpointError {
            throw CommandFailure(error.description)
        } catch let error as ConvKitError {
            throw CommandFailure(error.message)
        } catch let error as DataError {
            throw CommandFailure(error.description)
        }
    }

    private func train(data: DatasetSplits, context: Context, replica: DistributedRun?) throws {
        guard distributed.timingOutput == nil || replica != nil else {
            throw CommandFailure("--timing-out measures data-parallel steps: start the run with mpirun, or add --distributed")
        }
        let start = Date()
        let train = data.train
        let recipe = ModelRecipe(model: model.model, widthMultiplier: model.widthMultiplier, dataset: model.dataset.rawValue,
                                 sample: train, normalization: normalize ? train.channelStatistics() : nil)
        let network = try recipe.makeModel(seed: seed, on: context)
        let synchronizer = try replica.map {
            try GradientSynchronizer(model: network, communicator: $0.communicator, bucketBytes: distributed.bucketBytes)
        }
        let isPrimary = replica?.isPrimary ?? true
        let report: (String) -> Void = { if isPrimary { print($0) } }  // rank 0 speaks for all
        let trainer = try Trainer(model: network, data: data, options: options, context: context,
                                  output: isPrimary ? .standardOutput : .silent, dataParallel: synchronizer)
        trainer.recipe = recipe
        trainer.outputDirectory = outputDirectory ?? "runs/\(model.model.rawValue)-\(model.dataset.rawValue)"
        if let resume {
            try trainer.resume(from: Checkpoint.read(from: resume))
            report("resuming \(resume): \(trainer.completedEpochs) epochs and \(trainer.globalStep) steps done")
        }
        if let replica, let synchronizer {
            try ReplicaSetup.prepare(network, communicator: replica.communicator, batchNorm: distributed.batchNorm)
            report(replica.summary(batchSize: batchSize, batchNorm: distributed.batchNorm, plan: synchronizer.plan))
        }
        report("\(model.model.rawValue): \(network.parameterCount.formatted()) parameters; \(model.dataset.rawValue): "
            + "\(train.count) training and \(data.test.count) test images of \(train.channels)×\(train.height)×\(train.width), "
            + "\(train.classCount) classes")
        report("device: \(context.summary)")
        report("\(trainer.options.optimizer.summary), \(schedule.schedule.rawValue) schedule, \(epochs) epochs of "
            + "\(trainer.stepsPerEpoch) steps × \(batchSize) images")

        try InterruptMonitor.install()
        defer { InterruptMonitor.uninstall() }
        // Rank 0 alone writes the memory log, as it alone writes the other files.
        let sampler = isPrimary ? try memoryLog.map { try MemorySampler(path: $0, interval: 60, context: context) } : nil
        let stopRequested: () -> Bool
        if let synchronizer {
            synchronizer.localStopRequest = { InterruptMonitor.isInterrupted }
            stopRequested = { synchronizer.stopRequested }
        } else {
            stopRequested = { InterruptMonitor.isInterrupted }
        }
        trainer.shouldInterrupt = {
            try? sampler?.sampleIfDue()
            return stopRequested()
        }
        let result = try trainer.fit()
        if let path = distributed.timingOutput, isPrimary, let synchronizer {
            try writeTimings(synchronizer.timings, to: path)
        }
        guard !result.interrupted else { throw ExitCode(130) }

        if let best = result.best, let last = result.history.last {
            report(String(format: "best test accuracy %.2f%% (epoch %d); final %.2f%%; %.1f minutes", best.testAccuracy * 100,
                         best.epoch, last.testAccuracy * 100, Date().timeIntervalSince(start) / 60))
        }
        report("wrote \(trainer.outputDirectory!)/: log.csv, chart.png, last.safetensors, best.safetensors")
    }
}

extension TrainCommand {
    /// Rank 0's step timings as JSON (see ``StepTimings``), the first two steps left out as warm-up.
    private func writeTimings(_ timings: StepTimings, to path: String) throws {
        do {
            try (timings.json(warmupSteps: 2) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CommandFailure("\(path): cannot write the step timings: \(error.localizedDescription)")
        }
    }
}

extension DistributedRun {
    /// "data-parallel: 2 processes (Open MPI v4.1.4), global batch 128 = 2 × 64, batch norm local, 3 gradient buckets; rank 0: …".
    func summary(batchSize: Int, batchNorm: ReplicaSetup.BatchNormMode, plan: GradientBucketPlan) -> String {
        let size = communicator.size
        return "data-parallel: \(size) processes (\(MPISupport.libraryVersion)), global batch \(batchSize) = \(size) × "
            + "\(batchSize / max(size, 1)), batch norm \(batchNorm.rawValue), \(plan.bucketSizes.count) gradient buckets; "
            + "rank 0: \(device.note)"
    }
}

extension Int {
    /// "272,186".
    fileprivate func formatted() -> String {
        let digits = String(self)
        return digits.enumerated().map { index, digit in
            (index > 0 && (digits.count - index) % 3 == 0 ? "," : "") + String(digit)
        }.joined()
    }
}
