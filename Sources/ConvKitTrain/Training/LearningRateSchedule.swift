import ConvKitNN
import Foundation

/// The shapes of learning-rate decay `convkit train --schedule` offers.
public enum ScheduleKind: String, CaseIterable, Sendable {
    /// The peak rate throughout.
    case constant
    /// × gamma every `stepSize` epochs (PyTorch's `StepLR`).
    case step
    /// × gamma at each milestone epoch (PyTorch's `MultiStepLR`).
    case multistep
    /// Half a cosine from the peak down to `minimumLearningRate` at the end of the last epoch,
    /// evaluated every step (PyTorch's `CosineAnnealingLR` per iteration, T_max = the steps after warm-up).
    case cosine
    /// × gamma when the test loss has not improved for `plateauPatience` epochs (PyTorch's
    /// `ReduceLROnPlateau`, ConvKitNN's ``ReduceLROnPlateau``).
    case plateau
}

/// The schedule settings; the rates are relative to ``OptimizerOptions/learningRate`` (the peak).
public struct ScheduleOptions: Equatable, Sendable {
    public var kind: ScheduleKind
    /// Epochs of linear warm-up, per step from peak/(warm-up steps) to the peak; 0 = none. At
    /// most epochs − 1 of them are used, so the last epoch always follows the decay.
    public var warmupEpochs: Int
    /// `step`: epochs between decays.
    public var stepSize: Int
    /// `multistep`: epochs (counted from 0, from the start of training) at which the rate is cut.
    public var milestones: [Int]
    /// The factor of `step`, `multistep` and `plateau`.
    public var gamma: Double
    /// `cosine`: the rate at the end of training.
    public var minimumLearningRate: Double
    /// `plateau`: epochs without a better test loss before a cut.
    public var plateauPatience: Int

    public init(kind: ScheduleKind = .cosine, warmupEpochs: Int = 1, stepSize: Int = 30, milestones: [Int] = [],
                gamma: Double = 0.1, minimumLearningRate: Double = 0, plateauPatience: Int = 3) {
        (self.kind, self.warmupEpochs, self.stepSize, self.milestones) = (kind, warmupEpochs, stepSize, milestones)
        (self.gamma, self.minimumLearningRate, self.plateauPatience) = (gamma, minimumLearningRate, plateauPatience)
    }

    func validate(epochs: Int) throws {
        guard warmupEpochs >= 0 else { throw TrainingError.invalidOption("--warmup-epochs must be 0 or more, not \(warmupEpochs)") }
        guard stepSize >= 1 else { throw TrainingError.invalidOption("--step-size must be 1 or more, not \(stepSize)") }
        guard gamma > 0, gamma < 1 else { throw TrainingError.invalidOption("--gamma must be in (0, 1), not \(gamma)") }
        guard minimumLearningRate >= 0 else {
            throw TrainingError.invalidOption("--min-lr must be 0 or more, not \(minimumLearningRate)")
        }
        guard plateauPatience >= 0 else {
            throw TrainingError.invalidOption("--plateau-patience must be 0 or more, not \(plateauPatience)")
        }
        if let bad = milestones.first(where: { $0 < 1 }) {
            throw TrainingError.invalidOption("--milestones must be epochs of 1 or more, not \(bad)")
        }
    }
}

/// The learning rate of every training step as a closed-form function of (epoch, step), so
/// a resumed run continues exactly where it stopped; only `plateau` keeps state: its current
/// rate, cut at the end of each epoch by a ``ReduceLROnPlateau`` watching the test loss.
///
/// With W warm-up epochs, S steps per epoch and peak rate η: step s of epoch e < W gets
/// η·(e·S + s + 1)/(W·S). Later steps get the decay's rate at epoch e, or for `cosine` at
/// t = (e − W)·S + s of T = (epochs − W)·S steps: η_min + (η − η_min)·(1 + cos(π·t/T))/2.
public final class LearningRateSchedule {
    public let options: ScheduleOptions
    public let optimizer: Optimizer
    /// The optimizer's rate when the schedule was made: the peak.
    public let peak: Double
    /// The warm-up epochs in use: min(options.warmupEpochs, epochs − 1).
    public let warmupEpochs: Int
    public let epochs: Int
    public let stepsPerEpoch: Int
    /// A factor on every rate, 1 unless lowered after non-finite steps (``NonFiniteAction/lowerLearningRate``).
    public internal(set) var rateScale = 1.0
    /// `plateau`: the rate after warm-up, lowered by ``endEpoch(_:testLoss:)``.
    public internal(set) var plateauRate: Double
    let plateau: ReduceLROnPlateau?

    public init(_ options: ScheduleOptions, optimizer: Optimizer, epochs: Int, stepsPerEpoch: Int) throws {
        try options.validate(epochs: epochs)
        guard stepsPerEpoch >= 1 else { throw TrainingError.invalidOption("an epoch needs at least one step") }
        (self.options, self.optimizer, self.epochs, self.stepsPerEpoch) = (options, optimizer, epochs, stepsPerEpoch)
        peak = optimizer.learningRate
        warmupEpochs = min(options.warmupEpochs, max(epochs - 1, 0))
        plateauRate = peak
        plateau = options.kind == .plateau
            ? try ReduceLROnPlateau(optimizer, mode: .minimize, factor: options.gamma, patience: options.plateauPatience)
            : nil
    }

    /// The rate of step `step` (0-based) of epoch `epoch` (0-based).
    public func rate(epoch: Int, step: Int) -> Double {
        let warmup = warmupEpochs
        if epoch < warmup {
            return peak * Double(epoch * stepsPerEpoch + step + 1) / Double(warmup * stepsPerEpoch)
        }
        switch options.kind {
        case .constant:
            return peak
        case .step:
            return peak * pow(options.gamma, Double((epoch - warmup) / options.stepSize))
        case .multistep:
            return peak * pow(options.gamma, Double(options.milestones.filter { $0 <= epoch }.count))
        case .cosine:
            let total = Double(max(epochs - warmup, 1) * stepsPerEpoch)
            let t = Double((epoch - warmup) * stepsPerEpoch + step)
            let floor = options.minimumLearningRate
            return floor + (peak - floor) * (1 + cos(Double.pi * min(t / total, 1))) / 2
        case .plateau:
            return plateauRate
        }
    }

    /// Sets the optimizer's rate for step `step` of epoch `epoch`.
    public func apply(epoch: Int, step: Int) {
        optimizer.learningRate = rate(epoch: epoch, step: step) * rateScale
    }

    /// Multiplies every later rate by `factor` (and the optimizer's current one).
    public func lowerRates(by factor: Double) {
        rateScale *= factor
        optimizer.learningRate *= factor
    }

    /// `plateau`: reports the test loss of epoch `epoch` (warm-up epochs do not count), which
    /// may cut the rate by gamma. Other kinds ignore it.
    public func endEpoch(_ epoch: Int, testLoss: Double) {
        guard let plateau, epoch >= warmupEpochs else { return }
        optimizer.learningRate = plateauRate
        plateau.step(metric: testLoss)
        plateauRate = optimizer.learningRate
    }
}
