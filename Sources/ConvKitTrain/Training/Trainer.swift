import ConvKit
import ConvKitData
import ConvKitNN
import Foundation

/// Where a trainer's progress goes: the per-epoch ``ProgressBar`` (nil = none) and the text
/// of the bar and of the epoch summaries.
public struct TrainingOutput {
    public var progress: ProgressBar.Mode?
    public var write: (String) -> Void

    public init(progress: ProgressBar.Mode?, write: @escaping (String) -> Void) {
        (self.progress, self.write) = (progress, write)
    }

    /// Standard output: a bar redrawn in place on a terminal, else a plain line every 10 seconds.
    public static var standardOutput: TrainingOutput {
        TrainingOutput(progress: isatty(STDOUT_FILENO) == 1 ? .redraw : .lines(interval: 10),
                       write: ProgressBar.writeToStandardOutput)
    }

    /// Nothing at all (tests).
    public static let silent = TrainingOutput(progress: nil, write: { _ in })
}

/// How ``Trainer/fit()`` ended.
public struct TrainingResult: Sendable {
    /// Every finished epoch, the first first.
    public let history: [EpochRecord]
    /// The epoch (1-based) with the best test accuracy.
    public let bestEpoch: Int
    /// True when early stopping ended the run before the last epoch.
    public let stoppedEarly: Bool
    /// True when ``Trainer/shouldInterrupt`` stopped the run (a checkpoint was saved when the
    /// trainer has an output directory).
    public let interrupted: Bool

    /// The record of ``bestEpoch``; nil when no epoch is recorded.
    public var best: EpochRecord? { history.first { $0.epoch == bestEpoch } }
}

/// Trains a classifier on a data set: each epoch runs every training batch through forward,
/// loss, backward and an optimizer step on the device, then evaluates on the whole test set.
///
/// The hot loop uploads a prepared batch (images (N, C, H, W), labels (N)), runs the model
/// and ``Loss/softmaxCrossEntropy(logits:labels:labelSmoothing:)``, `backward()`, and
/// ``Optimizer/step()``; batches are shuffled, augmented and normalized a few ahead on a
/// background thread (``BatchPrefetcher``). Loss and accuracy are summed on the device and
/// read to the host only every ``TrainingOptions/readInterval`` steps, for the progress bar;
/// before each update one float (the loss plus every gradient's sum) is read to check that
/// they are finite, and a step that is not is handled as ``TrainingOptions/nonFinite`` says.
/// After each epoch the trainer writes the CSV log, the chart and the checkpoints into
/// ``outputDirectory`` when it is set (see `TrainerCheckpoints.swift`), and stops early when
/// the test accuracy stopped improving.
public final class Trainer {
    public let model: any Module
    public let data: DatasetSplits
    public let options: TrainingOptions
    public let context: Context
    public let optimizer: Optimizer
    public let schedule: LearningRateSchedule
    /// Training steps (batches) per epoch.
    public let stepsPerEpoch: Int
    /// Receives the progress bar and the epoch summaries.
    public var output: TrainingOutput
    /// When set, `log.csv`, `chart.png`, `last.safetensors` and `best.safetensors` are written
    /// there after every epoch.
    public var outputDirectory: String?
    /// What the model is; names the chart and goes into every checkpoint.
    public var recipe: ModelRecipe?
    /// Polled after every optimizer step; true stops the run there (Ctrl-C, see ``InterruptMonitor``).
    public var shouldInterrupt: () -> Bool = { false }
    /// The finished epochs' records (on a resumed run, those the log held).
    public internal(set) var history: [EpochRecord] = []
    /// Epochs finished, also before a resume.
    public internal(set) var completedEpochs = 0
    /// Optimizer steps taken in the whole run.
    public internal(set) var globalStep = 0
    /// Data-parallel training across processes; nil: this process trains alone.
    public let dataParallel: (any DataParallelSynchronizer)?
    let trainBatching: BatchOptions
    private let metrics: RunningMetrics
    private let nonFinite: NonFiniteGuard

    /// `model` must map (N, C, H, W) images of `data` to (N, classes) logits and live on `context`.
    /// With `dataParallel`, ``TrainingOptions/batchSize`` is the global batch, which the replicas
    /// share equally (see ``DataParallelSynchronizer``).
    public init(model: any Module, data: DatasetSplits, options: TrainingOptions, context: Context,
                output: TrainingOutput = .silent, dataParallel: (any DataParallelSynchronizer)? = nil) throws {
        try options.validate(trainingCount: data.train.count)
        let shard = dataParallel?.shard ?? .whole
        guard options.batchSize % shard.count == 0, options.batchSize / shard.count >= 2 else {
            throw TrainingError.invalidOption("--batch-size \(options.batchSize) is the global batch: it must split into "
                + "\(shard.count) equal shares of at least 2 images, one per process")
        }
        self.dataParallel = dataParallel
        self.model = model
        self.data = data
        self.options = options
        self.context = context
        self.output = output
        stepsPerEpoch = options.stepsPerEpoch(trainingCount: data.train.count)
        optimizer = try options.optimizer.makeOptimizer(model.namedParameters())
        schedule = try LearningRateSchedule(options.schedule, optimizer: optimizer, epochs: options.epochs,
                                            stepsPerEpoch: stepsPerEpoch)
        let normalization = options.normalize ? data.train.channelStatistics() : nil
        trainBatching = BatchOptions(batchSize: options.batchSize / shard.count, shuffle: true, dropLast: true, seed: options.seed,
                                     augmentation: options.augmentation, normalization: normalization, shard: shard)
        metrics = try RunningMetrics(on: context)
        nonFinite = try NonFiniteGuard(model: model, options: options.nonFinite, context: context)
    }

    /// Steps dropped so far because their loss or gradients were NaN or infinite.
    public var skippedSteps: Int { nonFinite.total }

    /// Trains from the epoch after the last finished one to ``TrainingOptions/epochs`` (or an
    /// early stop, or an interrupt), calling `onEpochEnd` after each epoch's record, log, chart
    /// and checkpoints are written.
    @discardableResult
    public func fit(onEpochEnd: (EpochRecord) throws -> Void = { _ in }) throws -> TrainingResult {
        var stoppedEarly = false
        while completedEpochs < options.epochs, !stoppedEarly {
            let epoch = completedEpochs
            let start = ProgressBar.monotonicSeconds()
            guard let train = try trainEpoch(epoch) else {
                try dataParallel?.synchronizeBuffers()
                try saveInterruptCheckpoint()
                return TrainingResult(history: history, bestEpoch: bestEpoch, stoppedEarly: false, interrupted: true)
            }
            try dataParallel?.synchronizeBuffers()
            let test = try evaluate(data.test)
            schedule.endEpoch(epoch, testLoss: test.loss)
            completedEpochs += 1
            let record = EpochRecord(epoch: completedEpochs, learningRate: train.learningRate, trainLoss: train.loss,
                                     trainAccuracy: train.accuracy, testLoss: test.loss, testAccuracy: test.accuracy,
                                     imagesPerSecond: train.imagesPerSecond, seconds: ProgressBar.monotonicSeconds() - start)
            history.append(record)
            output.write(record.summary(epochs: options.epochs) + "\n")
            try writeEpochFiles(isBest: bestEpoch == record.epoch)
            try onEpochEnd(record)
            stoppedEarly = shouldStopEarly()
        }
        if stoppedEarly, let patience = options.earlyStoppingPatience {
            output.write("early stopping: no better test accuracy in the last \(patience) epochs\n")
        }
        return TrainingResult(history: history, bestEpoch: bestEpoch, stoppedEarly: stoppedEarly, interrupted: false)
    }

    /// One pass over the training batches of `epoch` (0-based), in training mode, starting at
    /// the step ``globalStep`` points to (a resumed run may start mid-epoch). Returns the mean
    /// loss and accuracy as trained, the images per second and the last step's rate; nil when
    /// ``shouldInterrupt`` stopped it.
    public func trainEpoch(_ epoch: Int) throws -> (loss: Double, accuracy: Double, imagesPerSecond: Double, learningRate: Double)? {
        let firstStep = min(max(globalStep - epoch * stepsPerEpoch, 0), stepsPerEpoch)
        let batches = BatchPrefetcher(try EpochBatches(dataset: data.train, options: trainBatching, epoch: epoch),
                                      depth: options.prefetchDepth)
        for _ in 0..<firstStep { _ = batches.next() }
        let bar = output.progress.map {
            ProgressBar(epoch: epoch + 1, epochs: options.epochs, totalSteps: stepsPerEpoch, mode: $0, write: output.write)
        }
        model.train()
        try metrics.reset()
        let start = ProgressBar.monotonicSeconds()
        var running = (loss: 0.0, accuracy: 0.0)
        var unreported = 0
        for step in firstStep..<stepsPerEpoch {
            guard let batch = batches.next() else { break }
            let device = try DeviceBatch(batch, classes: data.train.classCount, on: context)
            schedule.apply(epoch: epoch, step: step)
            try nonFinite.saveBuffers()
            let logits = try model(device.images)
            let loss = try Loss.softmaxCrossEntropy(logits: logits, labels: device.labels, labelSmoothing: options.labelSmoothing)
            optimizer.zeroGrad()
            try loss.backward(onGradientReady: dataParallel?.gradientReady)
            try dataParallel?.finishGradients()
            // Replicas replay no forward pass: synchronized batch norm would wait on the others.
            let replay = dataParallel == nil ? (model: model, images: device.images) : nil
            if let report = try nonFinite.inspect(loss: loss, epoch: epoch, step: step, replay: replay) {
                try dropStep(report)
            } else {
                try optimizer.step()
                try metrics.add(loss: loss, logits: logits, oneHot: device.oneHot)
                unreported += batch.count * (dataParallel?.size ?? 1)
            }
            globalStep = epoch * stepsPerEpoch + step + 1
            if shouldInterrupt() { return nil }
            guard (step + 1) % options.readInterval == 0 || step + 1 == stepsPerEpoch else { continue }
            running = try averagedOverReplicas(metrics.read(), count: metrics.count)
            bar?.update(step: step + 1, batchImages: unreported, loss: running.loss, accuracy: running.accuracy)
            unreported = 0
        }
        let seconds = max(ProgressBar.monotonicSeconds() - start, 1e-9)
        let images = Double(metrics.count * (dataParallel?.size ?? 1))
        return (running.loss, running.accuracy, images / seconds, optimizer.learningRate)
    }

    /// A step whose loss or gradients are not finite: stops the run (``NonFiniteAction/stop``, or
    /// too many in a row), or drops the update and puts the batch-norm statistics back, lowering
    /// the learning rate for ``NonFiniteAction/lowerLearningRate``.
    private func dropStep(_ report: NonFiniteReport) throws {
        let settings = nonFinite.options
        let kept = lastCheckpointPath.flatMap {
            FileManager.default.fileExists(atPath: $0) ? "; \($0) (epoch \(completedEpochs)) is untouched" : nil
        } ?? ""
        let advice = report.forwardOrigin == NonFiniteReport.inputOrigin
            ? "Check the data set" : "Try a lower --lr or more --warmup-epochs"
        if settings.action == .stop {
            throw TrainingError.diverged("\(report) (learning rate \(optimizer.learningRate)); stopped\(kept). "
                + "\(advice), or --on-nonfinite skip|lower-lr")
        }
        guard nonFinite.consecutive < settings.maxConsecutive else {
            throw TrainingError.diverged("\(report); \(nonFinite.consecutive) non-finite steps in a row, stopped\(kept). \(advice)")
        }
        optimizer.zeroGrad()
        try nonFinite.restoreBuffers()
        var line = "\n\(report); step skipped"
        if settings.action == .lowerLearningRate {
            schedule.lowerRates(by: settings.learningRateFactor)
            line += String(format: ", learning rate now × %g of the schedule", schedule.rateScale)
        }
        output.write(line + "\n")
    }

    /// Mean loss and accuracy of the model on `dataset`, normalized as the training images and
    /// not augmented (``Inference/evaluate(_:on:normalization:batchSize:context:)``). In
    /// data-parallel training each replica evaluates its share and the means are combined.
    public func evaluate(_ dataset: Dataset) throws -> (loss: Double, accuracy: Double) {
        let share = try dataset.share(dataParallel?.shard ?? .whole)
        let result = try Inference.evaluate(model, on: share, normalization: trainBatching.normalization,
                                            batchSize: options.evaluationBatchSize, context: context)
        return try averagedOverReplicas(result, count: share.count)
    }

    /// The means (loss, accuracy) of `count` images on each replica, combined into the means over
    /// every replica's images (``DataParallelSynchronizer/sum(_:)``); unchanged when training alone.
    private func averagedOverReplicas(_ means: (loss: Double, accuracy: Double), count: Int) throws -> (loss: Double, accuracy: Double) {
        guard let dataParallel else { return means }
        let n = Double(count)
        let sums = try dataParallel.sum([means.loss * n, means.accuracy * n, n])
        return sums[2] > 0 ? (sums[0] / sums[2], sums[1] / sums[2]) : (0, 0)
    }

    /// The first epoch (1-based) with the highest test accuracy so far; 0 before any.
    public var bestEpoch: Int {
        guard let best = history.map(\.testAccuracy).max() else { return 0 }
        return history.first { $0.testAccuracy == best }!.epoch
    }

    /// True when ``TrainingOptions/earlyStoppingPatience`` epochs have passed since the best one.
    private func shouldStopEarly() -> Bool {
        guard let patience = options.earlyStoppingPatience, !history.isEmpty else { return false }
        return completedEpochs - bestEpoch >= patience && completedEpochs < options.epochs
    }
}
