import ConvKitNN
import Foundation

/// The files of a run in ``Trainer/outputDirectory``, written after every epoch: `log.csv`,
/// `chart.png`, `last.safetensors` (the checkpoint to resume from; also written when a run is
/// interrupted mid-epoch) and `best.safetensors` (the epoch with the best test accuracy).
///
/// A checkpoint holds the model, the optimizer's state, the schedule's state, the epoch and
/// step counts, the data seed (`rng.data.seed`) and the ``ModelRecipe`` (as `convkit.config`),
/// so ``Trainer/resume(from:)`` continues the run exactly and `convkit eval` / `predict`
/// rebuild the model from the file alone.
extension Trainer {
    /// `DIRECTORY/last.safetensors`, nil without an output directory.
    public var lastCheckpointPath: String? { outputPath("last.safetensors") }
    /// `DIRECTORY/best.safetensors`, nil without an output directory.
    public var bestCheckpointPath: String? { outputPath("best.safetensors") }

    /// False on every data-parallel replica but rank 0, which alone writes the run's files.
    var writesFiles: Bool { (dataParallel?.rank ?? 0) == 0 }

    private func outputPath(_ name: String) -> String? {
        outputDirectory.map { ($0 as NSString).appendingPathComponent(name) }
    }

    /// Writes a checkpoint of the run as it is now (atomically; see ``Checkpoint/save``).
    public func saveCheckpoint(to path: String) throws {
        let info = CheckpointInfo(modelName: recipe?.model ?? "model", dataset: recipe?.dataset ?? "",
                                  config: try recipe?.json() ?? "", epoch: completedEpochs, globalStep: globalStep,
                                  randomState: ["data.seed": options.seed, "data.batch_size": UInt64(options.batchSize)])
        try Checkpoint.save(to: path, model: model, optimizer: optimizer, schedules: [schedule], info: info)
    }

    /// Restores a checkpoint written by ``saveCheckpoint(to:)`` into this trainer, built with the
    /// same model, data and options: weights, optimizer and schedule state, epoch and step
    /// counts, and the history from the output directory's `log.csv` (rows up to the
    /// checkpoint's epoch). The next ``fit(onEpochEnd:)`` continues where the saved run stopped.
    public func resume(from checkpoint: Checkpoint) throws {
        guard let info = checkpoint.info else {
            throw TrainingError.invalidOption("\(checkpoint.file): a plain state dict cannot resume a run; it holds no training state")
        }
        if let seed = info.randomState["data.seed"], seed != options.seed {
            throw TrainingError.invalidOption("\(checkpoint.file) was trained with --seed \(seed); resume with the same seed "
                + "(not \(options.seed)) to get the same batches")
        }
        if let batchSize = info.randomState["data.batch_size"], batchSize != UInt64(options.batchSize) {
            throw TrainingError.invalidOption("\(checkpoint.file) was trained with --batch-size \(batchSize) (the global batch, "
                + "whatever the number of processes); resume with the same batch size (not \(options.batchSize))")
        }
        try checkpoint.restore(model: model, modelName: recipe?.model ?? "model", optimizer: optimizer, schedules: [schedule])
        completedEpochs = info.epoch
        globalStep = info.globalStep
        if let logPath = outputDirectory.map({ RunArtifacts(directory: $0).logPath }),
           FileManager.default.fileExists(atPath: logPath) {
            history = try TrainingLog(path: logPath).read().filter { $0.epoch <= completedEpochs }
        }
    }

    /// After an epoch: the log, the chart, `last.safetensors`, and `best.safetensors` when
    /// `isBest`. Nothing without an output directory.
    func writeEpochFiles(isBest: Bool) throws {
        guard writesFiles, let outputDirectory, let last = lastCheckpointPath, let best = bestCheckpointPath else { return }
        let title = recipe.map { "\($0.model) on \($0.dataset)" } ?? "training"
        try RunArtifacts(directory: outputDirectory, title: title).write(history)
        try saveCheckpoint(to: last)
        if isBest { try saveCheckpoint(to: best) }
    }

    /// After an interrupt: `last.safetensors` at the current step, and a line saying how to resume.
    func saveInterruptCheckpoint() throws {
        guard writesFiles, let last = lastCheckpointPath, let outputDirectory else { return }
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        try saveCheckpoint(to: last)
        output.write("\ninterrupted at step \(globalStep): saved \(last); continue with --resume \(last)\n")
    }
}

/// The schedule's progress in a checkpoint: its kind (`LearningRateSchedule[cosine]`), the
/// plateau rate, the rate scale (absent in older files: 1), and for `plateau` the ``ReduceLROnPlateau`` state under `plateau.`; the
/// other rates follow from the epoch and step counts.
extension LearningRateSchedule: CheckpointableSchedule {
    public var checkpointKind: String { "LearningRateSchedule[\(options.kind.rawValue)]" }

    public var checkpointState: [String: CheckpointScalar] {
        var state: [String: CheckpointScalar] = ["plateau_rate": .real(plateauRate), "rate_scale": .real(rateScale)]
        for (key, value) in plateau?.checkpointState ?? [:] { state["plateau." + key] = value }
        return state
    }

    public func restoreCheckpointState(_ state: [String: CheckpointScalar]) {
        if case .real(let rate) = state["plateau_rate"] { plateauRate = rate }
        if case .real(let scale) = state["rate_scale"] { rateScale = scale } else { rateScale = 1 }
        plateau?.restoreCheckpointState(Dictionary(uniqueKeysWithValues: state.compactMap { key, value in
            key.hasPrefix("plateau.") ? (String(key.dropFirst("plateau.".count)), value) : nil
        }))
    }
}
