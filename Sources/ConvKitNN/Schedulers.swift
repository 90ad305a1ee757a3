import CConvKit
import ConvKit
import Foundation

/// A learning-rate schedule driven by epochs (or iterations): PyTorch's chainable schedulers.
///
/// As in PyTorch, a scheduler changes its optimizer's ``Optimizer/learningRate`` in place by a
/// recursive rule (new lr from the current lr), takes its base from the optimizer's
/// ``Optimizer/initialLearningRate`` (set by the first scheduler created for it), and performs
/// its epoch-0 step when created. Call ``step()`` once per epoch after ``Optimizer/step()``.
/// Several schedulers on one optimizer compose through ``ChainedScheduler`` (each applies its
/// rule every epoch, e.g. a ``LinearLR`` warm-up with a ``CosineAnnealingLR``) or run one after
/// another through ``SequentialLR`` (a warm-up, then any schedule from its start). Rules are
/// PyTorch 1.13's `get_lr` (and `_get_closed_form_lr` where a ``SequentialLR`` restarts a
/// schedule), evaluated in the same order in double precision.
public class LRScheduler {
    /// The optimizer whose ``Optimizer/learningRate`` this schedule sets.
    public let optimizer: Optimizer
    /// The optimizer's learning rate before any scheduler touched it (PyTorch's `base_lrs`);
    /// a restored checkpoint sets it.
    public internal(set) var baseLearningRate: Double
    /// Steps taken; 0 right after creation (PyTorch's `last_epoch`); a restored checkpoint sets it.
    public internal(set) var lastEpoch = -1

    init(_ optimizer: Optimizer) {
        if optimizer.initialLearningRate == nil { optimizer.initialLearningRate = optimizer.learningRate }
        self.optimizer = optimizer
        baseLearningRate = optimizer.initialLearningRate!
        step()
    }

    /// Advances one epoch and sets the optimizer's learning rate.
    public func step() {
        lastEpoch += 1
        optimizer.learningRate = nextLearningRate(current: optimizer.learningRate)
    }

    /// The learning rate at ``lastEpoch`` from the current one; each schedule overrides it.
    func nextLearningRate(current: Double) -> Double { current }

    /// The learning rate at ``lastEpoch`` from the base alone (PyTorch's `_get_closed_form_lr`);
    /// each schedule overrides it.
    func closedFormLearningRate() -> Double { baseLearningRate }

    /// Starts the schedule over at epoch 0 (PyTorch's `step(0)`, which ``SequentialLR`` uses at a
    /// milestone): the rate becomes the closed form's at epoch 0.
    func restart() {
        lastEpoch = 0
        optimizer.learningRate = closedFormLearningRate()
    }
}

/// lr · gamma every `stepSize` epochs, PyTorch's `StepLR`.
public final class StepLR: LRScheduler {
    /// Epochs between two cuts.
    public let stepSize: Int
    /// The factor of each cut.
    public let gamma: Double

    /// PyTorch's `StepLR(optimizer, step_size, gamma)`; performs the epoch-0 step.
    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = 0.1) throws {
        (self.stepSize, self.gamma) = (try positive(stepSize, "stepSize", "StepLR"), gamma)
        super.init(optimizer)
    }

    override func nextLearningRate(current: Double) -> Double {
        lastEpoch == 0 || lastEpoch % stepSize != 0 ? current : current * gamma
    }

    override func closedFormLearningRate() -> Double { baseLearningRate * pow(gamma, Double(lastEpoch / stepSize)) }
}

/// lr · gamma at each milestone epoch (gamma^k for a milestone listed k times), PyTorch's `MultiStepLR`.
public final class MultiStepLR: LRScheduler {
    /// The epochs of the cuts, sorted (a repeated one cuts that many times).
    public let milestones: [Int]
    /// The factor of each cut.
    public let gamma: Double

    /// PyTorch's `MultiStepLR(optimizer, milestones, gamma)`; performs the epoch-0 step.
    public init(_ optimizer: Optimizer, milestones: [Int], gamma: Double = 0.1) {
        (self.milestones, self.gamma) = (milestones.sorted(), gamma)
        super.init(optimizer)
    }

    override func nextLearningRate(current: Double) -> Double {
        let hits = milestones.filter { $0 == lastEpoch }.count
        return hits == 0 ? current : current * pow(gamma, Double(hits))
    }

    override func closedFormLearningRate() -> Double {
        baseLearningRate * pow(gamma, Double(milestones.filter { $0 <= lastEpoch }.count))
    }
}

/// Cosine annealing from the base rate to `minimumLearningRate` over `tMax` epochs and back up
/// over the next tMax (period 2·tMax), PyTorch's `CosineAnnealingLR` (without restarts):
/// η_t = η_min + (η_base − η_min)·(1 + cos(π·t/tMax))/2, applied recursively as PyTorch does.
public final class CosineAnnealingLR: LRScheduler {
    /// Epochs from the base rate down to the minimum (half the period).
    public let tMax: Int
    /// The rate at the bottom of the cosine (PyTorch's `eta_min`).
    public let minimumLearningRate: Double

    /// PyTorch's `CosineAnnealingLR(optimizer, T_max, eta_min)`; performs the epoch-0 step.
    public init(_ optimizer: Optimizer, tMax: Int, minimumLearningRate: Double = 0) throws {
        (self.tMax, self.minimumLearningRate) = (try positive(tMax, "tMax", "CosineAnnealingLR"), minimumLearningRate)
        super.init(optimizer)
    }

    override func nextLearningRate(current: Double) -> Double {
        let (t, period, etaMin) = (Double(lastEpoch), Double(tMax), minimumLearningRate)
        if lastEpoch == 0 { return current }
        if (lastEpoch - 1 - tMax) % (2 * tMax) == 0 {
            return current + (baseLearningRate - etaMin) * (1 - cos(Double.pi / period)) / 2
        }
        return (1 + cos(Double.pi * t / period)) / (1 + cos(Double.pi * (t - 1) / period)) * (current - etaMin) + etaMin
    }

    override func closedFormLearningRate() -> Double {
        minimumLearningRate + (baseLearningRate - minimumLearningRate) * (1 + cos(Double.pi * Double(lastEpoch) / Double(tMax))) / 2
    }
}

/// Linear warm-up (or decay): the factor goes linearly from `startFactor` at epoch 0 to
/// `endFactor` at `totalIterations` and stays there, PyTorch's `LinearLR`.
public final class LinearLR: LRScheduler {
    /// The factor of the base rate at epoch 0, in (0, 1].
    public let startFactor: Double
    /// The factor reached at `totalIterations`, in [0, 1].
    public let endFactor: Double
    /// Epochs over which the factor moves.
    public let totalIterations: Int

    /// PyTorch's `LinearLR(optimizer, start_factor, end_factor, total_iters)` with its defaults;
    /// performs the epoch-0 step (the rate becomes base·startFactor).
    public init(_ optimizer: Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalIterations: Int = 5) throws {
        guard startFactor > 0, startFactor <= 1, endFactor >= 0, endFactor <= 1 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "LinearLR: startFactor \(startFactor) must be in (0, 1] and endFactor \(endFactor) in [0, 1]")
        }
        (self.startFactor, self.endFactor) = (startFactor, endFactor)
        self.totalIterations = try positive(totalIterations, "totalIterations", "LinearLR")
        super.init(optimizer)
    }

    override func nextLearningRate(current: Double) -> Double {
        if lastEpoch == 0 { return current * startFactor }
        if lastEpoch > totalIterations { return current }
        let slope = endFactor - startFactor
        return current * (1 + slope / (Double(totalIterations) * startFactor + Double(lastEpoch - 1) * slope))
    }

    override func closedFormLearningRate() -> Double {
        baseLearningRate * (startFactor + (endFactor - startFactor) * Double(min(totalIterations, lastEpoch)) / Double(totalIterations))
    }
}

/// lr · gamma every epoch, PyTorch's `ExponentialLR`.
public final class ExponentialLR: LRScheduler {
    /// The factor applied every epoch.
    public let gamma: Double

    /// PyTorch's `ExponentialLR(optimizer, gamma)`; performs the epoch-0 step. Throws unless gamma is
    /// finite and > 0.
    public init(_ optimizer: Optimizer, gamma: Double) throws {
        guard gamma > 0, gamma.isFinite else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "ExponentialLR: gamma \(gamma) must be finite and > 0")
        }
        self.gamma = gamma
        super.init(optimizer)
    }

    override func nextLearningRate(current: Double) -> Double { lastEpoch == 0 ? current : current * gamma }

    override func closedFormLearningRate() -> Double { baseLearningRate * pow(gamma, Double(lastEpoch)) }
}

/// Steps several schedulers of one optimizer together, each applying its rule to the rate the
/// previous one left, PyTorch's `ChainedScheduler`.
public final class ChainedScheduler {
    /// The schedules, stepped in this order.
    public let schedulers: [LRScheduler]

    /// PyTorch's `ChainedScheduler(schedulers)`; throws unless they share one optimizer.
    public init(_ schedulers: [LRScheduler]) throws {
        guard let first = schedulers.first, schedulers.allSatisfy({ $0.optimizer === first.optimizer }) else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "ChainedScheduler: needs schedulers of one optimizer")
        }
        self.schedulers = schedulers
    }

    /// Steps every scheduler, in order.
    public func step() {
        for scheduler in schedulers { scheduler.step() }
    }
}
