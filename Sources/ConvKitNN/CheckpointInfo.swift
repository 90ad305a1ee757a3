import CConvKit

/// What a checkpoint records about its run besides model, optimizer and schedule state.
///
/// Stored as safetensors metadata (strings: `convkit.model`, `convkit.dataset`,
/// `convkit.config`, `convkit.version`) and as I64 scalars covered by the checksum
/// (`training.epoch`, `training.global_step`, `rng.<name>`).
public struct CheckpointInfo: Equatable, Sendable {
    /// The model's name as the trainer knows it ("resnet20"); ``Checkpoint/restore(model:modelName:optimizer:schedules:)``
    /// refuses a checkpoint of another model.
    public var modelName: String
    /// The data set trained on ("cifar10").
    public var dataset: String
    /// The run's configuration in any form the trainer chooses (its command line, JSON).
    public var config: String
    /// Epochs completed. A run resumes with epoch `epoch` (0-based).
    public var epoch: Int
    /// Optimizer steps taken over the whole run. A checkpoint taken in the middle of an epoch
    /// (on Ctrl-C) resumes at batch `globalStep − epoch · stepsPerEpoch` of epoch `epoch`.
    public var globalStep: Int
    /// Seeds and counters of the trainer's random streams by name ("data.seed"): whatever,
    /// with `epoch` and `globalStep`, recreates the shuffling and augmentation of the batches
    /// still to come. Names are dotted words and may not start with `dropout.` (the dropout
    /// layers' counters are saved with the model, see ``Checkpoint``).
    public var randomState: [String: UInt64]
    /// The ConvKit version (`ck_version()`) that wrote the checkpoint; the running one for a
    /// new value.
    public internal(set) var convKitVersion: String

    /// The metadata of a checkpoint about to be saved; the ConvKit version is filled in.
    public init(modelName: String, dataset: String = "", config: String = "", epoch: Int = 0, globalStep: Int = 0,
                randomState: [String: UInt64] = [:]) {
        (self.modelName, self.dataset, self.config) = (modelName, dataset, config)
        (self.epoch, self.globalStep, self.randomState) = (epoch, globalStep, randomState)
        convKitVersion = String(cString: ck_version())
    }

    static let modelKey = "convkit.model"
    static let datasetKey = "convkit.dataset"
    static let configKey = "convkit.config"
    static let versionKey = "convkit.version"
    static let epochName = "training.epoch"
    static let globalStepName = "training.global_step"
    static let randomPrefix = "rng."

    /// Adds the metadata and the training and random-state scalars to `file`; throws for a
    /// negative count or a random-state name that is empty or starts with `dropout.`.
    func store(in file: inout SafetensorsFile, path: String) throws {
        guard epoch >= 0, globalStep >= 0 else {
            throw CheckpointError(.mismatch, file: path, "epoch \(epoch) and global step \(globalStep) must be >= 0")
        }
        if let bad = randomState.keys.sorted().first(where: { $0.isEmpty || $0.hasPrefix("dropout.") }) {
            throw CheckpointError(.mismatch, file: path, "the random-state name \"\(bad)\" is empty or reserved (dropout.)")
        }
        file.metadata[CheckpointInfo.modelKey] = modelName
        file.metadata[CheckpointInfo.datasetKey] = dataset
        file.metadata[CheckpointInfo.configKey] = config
        file.metadata[CheckpointInfo.versionKey] = String(cString: ck_version())
        try file.append(CheckpointInfo.epochName, SafetensorsTensor(scalar: Int64(epoch)))
        try file.append(CheckpointInfo.globalStepName, SafetensorsTensor(scalar: Int64(globalStep)))
        for (name, value) in randomState.sorted(by: { $0.key < $1.key }) {
            try file.append(CheckpointInfo.randomPrefix + name, SafetensorsTensor(scalar: Int64(bitPattern: value)))
        }
    }

    /// Reads the info back from a checkpoint's metadata and scalars; anything missing or
    /// malformed is `.corrupt`.
    init(from file: SafetensorsFile, path: String) throws {
        func corrupt(_ problem: String) -> CheckpointError { CheckpointError(.corrupt, file: path, problem) }
        func text(_ key: String) throws -> String {
            guard let value = file.metadata[key] else { throw corrupt("the checkpoint metadata has no \(key)") }
            return value
        }
        func count(_ name: String) throws -> Int {
            guard let value = file[name]?.scalar(as: Int64.self), value >= 0 else {
                throw corrupt("\(name) is missing or not an I64 scalar >= 0")
            }
            return Int(value)
        }
        self.init(modelName: try text(CheckpointInfo.modelKey), dataset: try text(CheckpointInfo.datasetKey),
                  config: try text(CheckpointInfo.configKey), epoch: try count(CheckpointInfo.epochName),
                  globalStep: try count(CheckpointInfo.globalStepName))
        convKitVersion = try text(CheckpointInfo.versionKey)
        if let unknown = file.names.first(where: { $0.hasPrefix("training.") && ![CheckpointInfo.epochName, CheckpointInfo.globalStepName].contains($0) }) {
            throw corrupt("unknown training entry \(unknown)")
        }
        for name in file.names where name.hasPrefix(CheckpointInfo.randomPrefix) && !name.hasPrefix("rng.dropout.") {
            guard let value = file[name]!.scalar(as: Int64.self) else { throw corrupt("\(name) is not an I64 scalar") }
            randomState[String(name.dropFirst(CheckpointInfo.randomPrefix.count))] = UInt64(bitPattern: value)
        }
    }
}
