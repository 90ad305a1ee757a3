import CConvKit
import ConvKit

/// Schedules run one after another, PyTorch's `SequentialLR`: schedule i drives the rate from
/// epoch `milestones[i − 1]` to `milestones[i]`, and starts there from its own epoch 0 (its
/// closed-form rate at 0, e.g. the base rate for a ``CosineAnnealingLR``). The usual use is a
/// warm-up followed by the main schedule:
///
/// ```swift
/// let warmup = try LinearLR(optimizer, startFactor: 0.1, totalIterations: 5)
/// let cosine = try CosineAnnealingLR(optimizer, tMax: 95)
/// let schedule = try SequentialLR(optimizer, schedulers: [warmup, cosine], milestones: [5])
/// ```
///
/// Create the schedules first (each performs its epoch-0 step); this resets the rate to the
/// optimizer's initial rate and performs the first schedule's epoch-0 step again, as PyTorch does.
/// Call ``step()`` once per epoch after ``Optimizer/step()``.
public final class SequentialLR {
    /// The optimizer whose rate the schedules set.
    public let optimizer: Optimizer
    /// The schedules, in the order they take over.
    public let schedulers: [LRScheduler]
    /// The epochs at which the next schedule takes over, increasing; one fewer than the schedules.
    public let milestones: [Int]
    /// Steps taken; 0 right after creation (PyTorch's `last_epoch`); a restored checkpoint sets it.
    public internal(set) var lastEpoch = 0

    /// PyTorch's `SequentialLR(optimizer, schedulers, milestones)`. Throws unless the schedules belong to
    /// `optimizer` and there is one increasing milestone ≥ 1 fewer than schedules.
    public init(_ optimizer: Optimizer, schedulers: [LRScheduler], milestones: [Int]) throws {
        guard !schedulers.isEmpty, schedulers.allSatisfy({ $0.optimizer === optimizer }) else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "SequentialLR: needs schedulers of this optimizer")
        }
        guard milestones.count == schedulers.count - 1, zip(milestones, milestones.dropFirst()).allSatisfy({ $0 < $1 }),
              milestones.allSatisfy({ $0 >= 1 }) else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "SequentialLR: \(schedulers.count) schedulers need \(schedulers.count - 1) increasing milestones >= 1, got \(milestones)")
        }
        (self.optimizer, self.schedulers, self.milestones) = (optimizer, schedulers, milestones)
        optimizer.learningRate = optimizer.initialLearningRate ?? optimizer.learningRate
        for scheduler in schedulers { scheduler.lastEpoch -= 1 }
        schedulers[0].step()
    }

    /// The schedule in charge at ``lastEpoch``.
    public var current: LRScheduler { schedulers[milestones.filter { $0 <= lastEpoch }.count] }

    /// Advances one epoch: the schedule in charge steps, or starts over at its milestone.
    public func step() {
        lastEpoch += 1
        let index = milestones.filter { $0 <= lastEpoch }.count
        if index > 0, milestones[index - 1] == lastEpoch {
            schedulers[index].restart()
        } else {
            schedulers[index].step()
        }
    }
}
