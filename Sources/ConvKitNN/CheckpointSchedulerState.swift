/// One value of a schedule's state: a counter (stored as an I64 scalar) or a real number
/// (an F64 scalar, so ±∞ and every double survive exactly).
public enum CheckpointScalar: Equatable, Sendable {
    /// A counter (an epoch, a number of bad epochs).
    case integer(Int64)
    /// A real number (a rate, a best metric).
    case real(Double)

    /// The safetensors scalar that stores this value.
    var tensor: SafetensorsTensor {
        switch self {
        case .integer(let value): return SafetensorsTensor(scalar: value)
        case .real(let value): return SafetensorsTensor(scalar: value)
        }
    }

    /// `tensor` read back as the same kind of value as `self`; nil for another dtype or shape.
    func sameKind(from tensor: SafetensorsTensor) -> CheckpointScalar? {
        switch self {
        case .integer: return tensor.scalar(as: Int64.self).map(CheckpointScalar.integer)
        case .real: return tensor.scalar(as: Double.self).map(CheckpointScalar.real)
        }
    }

    var integer: Int { if case .integer(let value) = self { return Int(value) } else { preconditionFailure("not an integer") } }
    var real: Double { if case .real(let value) = self { return value } else { preconditionFailure("not a real") } }
}

/// A learning-rate schedule whose progress a checkpoint saves and restores, so that a resumed
/// run continues the schedule exactly. The optimizer's current rate is saved with the
/// optimizer; a schedule holds what its next step needs besides it.
///
/// ConvKit's schedules conform: every ``LRScheduler`` (`last_epoch`, `base_lr`),
/// ``ReduceLROnPlateau`` (`best`, `num_bad_epochs`, `cooldown_counter`, `last_epoch`),
/// ``ChainedScheduler`` (its schedules' entries under `0.`, `1.`, …) and ``SequentialLR``
/// (`last_epoch` and its schedules' entries likewise), named after PyTorch's scheduler
/// `state_dict()` keys.
public protocol CheckpointableSchedule: AnyObject {
    /// The schedule's type, checked on restore ("CosineAnnealingLR",
    /// "ChainedScheduler[LinearLR,CosineAnnealingLR]").
    var checkpointKind: String { get }
    /// The state by name.
    var checkpointState: [String: CheckpointScalar] { get }
    /// Sets the state from `state`, which has exactly the names and kinds of
    /// ``checkpointState`` (the checkpoint checked that).
    func restoreCheckpointState(_ state: [String: CheckpointScalar])
}

extension LRScheduler: CheckpointableSchedule {
    public var checkpointKind: String { String(describing: type(of: self)) }

    public var checkpointState: [String: CheckpointScalar] {
        ["last_epoch": .integer(Int64(lastEpoch)), "base_lr": .real(baseLearningRate)]
    }

    public func restoreCheckpointState(_ state: [String: CheckpointScalar]) {
        lastEpoch = state["last_epoch"]!.integer
        baseLearningRate = state["base_lr"]!.real
    }
}

extension ReduceLROnPlateau: CheckpointableSchedule {
    public var checkpointKind: String { "ReduceLROnPlateau" }

    public var checkpointState: [String: CheckpointScalar] {
        ["best": .real(best), "num_bad_epochs": .integer(Int64(badEpochs)), "cooldown_counter": .integer(Int64(cooldownCounter)),
         "last_epoch": .integer(Int64(lastEpoch))]
    }

    public func restoreCheckpointState(_ state: [String: CheckpointScalar]) {
        best = state["best"]!.real
        badEpochs = state["num_bad_epochs"]!.integer
        cooldownCounter = state["cooldown_counter"]!.integer
        lastEpoch = state["last_epoch"]!.integer
    }
}

extension ChainedScheduler: CheckpointableSchedule {
    public var checkpointKind: String { "ChainedScheduler[\(schedulers.map(\.checkpointKind).joined(separator: ","))]" }

    public var checkpointState: [String: CheckpointScalar] { CheckpointSchedules.nestedState(schedulers) }

    public func restoreCheckpointState(_ state: [String: CheckpointScalar]) {
        CheckpointSchedules.restoreNested(schedulers, from: state)
    }
}

extension SequentialLR: CheckpointableSchedule {
    public var checkpointKind: String { "SequentialLR[\(schedulers.map(\.checkpointKind).joined(separator: ","))]" }

    public var checkpointState: [String: CheckpointScalar] {
        CheckpointSchedules.nestedState(schedulers).merging(["last_epoch": .integer(Int64(lastEpoch))]) { nested, _ in nested }
    }

    public func restoreCheckpointState(_ state: [String: CheckpointScalar]) {
        lastEpoch = state["last_epoch"]!.integer
        CheckpointSchedules.restoreNested(schedulers, from: state)
    }
}

/// Saving and restoring the schedules of a checkpoint: entries `scheduler.<i>.<key>` for the
/// i-th schedule passed, and the kinds listed in the metadata.
enum CheckpointSchedules {
    /// The states of `schedulers`, each entry under its index (`0.last_epoch`, `1.base_lr`, …).
    static func nestedState(_ schedulers: [LRScheduler]) -> [String: CheckpointScalar] {
        var state: [String: CheckpointScalar] = [:]
        for (index, scheduler) in schedulers.enumerated() {
            for (key, value) in scheduler.checkpointState { state["\(index).\(key)"] = value }
        }
        return state
    }

    /// Restores each of `schedulers` from the entries under its index in `state`.
    static func restoreNested(_ schedulers: [LRScheduler], from state: [String: CheckpointScalar]) {
        for (index, scheduler) in schedulers.enumerated() {
            let prefix = "\(index)."
            scheduler.restoreCheckpointState(Dictionary(uniqueKeysWithValues: state.compactMap { key, value in
                key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), value) : nil
            }))
        }
    }

    /// The entries of `schedules` (names relative to `scheduler.`).
    static func entries(_ schedules: [any CheckpointableSchedule]) -> [(name: String, tensor: SafetensorsTensor)] {
        schedules.enumerated().flatMap { index, schedule in
            schedule.checkpointState.sorted { $0.key < $1.key }.map { ("\(index).\($0.key)", $0.value.tensor) }
        }
    }

    /// Checks `entries` (relative to `scheduler.`) against `schedules` and returns the action
    /// that restores them. Throws a `.mismatch` naming the first missing, extra or mistyped entry.
    static func prepareRestore(_ entries: [String: SafetensorsTensor], into schedules: [any CheckpointableSchedule],
                               file: String) throws -> () -> Void {
        var remaining = entries
        var states: [[String: CheckpointScalar]] = []
        for (index, schedule) in schedules.enumerated() {
            var state: [String: CheckpointScalar] = [:]
            for (key, expected) in schedule.checkpointState.sorted(by: { $0.key < $1.key }) {
                let name = "\(index).\(key)"
                guard let stored = remaining.removeValue(forKey: name) else {
                    throw CheckpointError(.mismatch, file: file, "schedule \(index) (\(schedule.checkpointKind)) has no saved \(key)")
                }
                guard let value = expected.sameKind(from: stored) else {
                    throw CheckpointError(.mismatch, file: file, "scheduler.\(name) is a \(stored.dtype.rawValue) tensor of shape "
                        + "\(stored.shape), not the scalar \(expected.tensor.dtype.rawValue) it must be")
                }
                state[key] = value
            }
            states.append(state)
        }
        guard remaining.isEmpty else {
            throw CheckpointError(.mismatch, file: file, "schedule entries \(listed(remaining.keys.map { "scheduler.\($0)" })) "
                + "belong to no schedule passed to restore")
        }
        return {
            for (schedule, state) in zip(schedules, states) { schedule.restoreCheckpointState(state) }
        }
    }
}
