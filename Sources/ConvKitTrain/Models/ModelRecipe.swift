import ConvKit
import ConvKitData
import ConvKitNN
import Foundation

/// Everything needed to rebuild a trained model and feed it images as it was trained: the
/// model's name and width, the input shape and classes, and the per-channel normalization.
/// A checkpoint written by the trainer carries it as JSON in its `convkit.config` metadata,
/// so `convkit eval` and `convkit predict` need nothing but the checkpoint file.
public struct ModelRecipe: Codable, Equatable, Sendable {
    /// A ``ModelKind`` raw value ("resnet20").
    public var model: String
    public var widthMultiplier: Double
    /// The data set trained on ("fashion-mnist").
    public var dataset: String
    public var channels: Int
    public var height: Int
    public var width: Int
    /// One name per class, index = label.
    public var classNames: [String]
    /// Per-channel mean and standard deviation the images were normalized with; nil = none.
    public var mean: [Float]?
    public var std: [Float]?

    public init(model: ModelKind, widthMultiplier: Double = 1, dataset: String, sample: Dataset,
                normalization: ChannelStatistics?) {
        self.model = model.rawValue
        self.widthMultiplier = widthMultiplier
        self.dataset = dataset
        (channels, height, width, classNames) = (sample.channels, sample.height, sample.width, sample.classNames)
        (mean, std) = (normalization?.mean, normalization?.std)
    }

    /// The model's input: (C, H, W) and the class count.
    public var input: ModelInput { ModelInput(channels: channels, height: height, width: width, classes: classNames.count) }

    /// The normalization to apply to every batch, nil for none.
    public var normalization: ChannelStatistics? {
        guard let mean, let std else { return nil }
        return ChannelStatistics(mean: mean, std: std)
    }

    /// The kind of model, or an error naming the known ones.
    public func kind() throws -> ModelKind {
        guard let kind = ModelKind(rawValue: model) else {
            throw TrainingError.invalidOption("unknown model \"\(model)\"; known: "
                + ModelKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return kind
    }

    /// A fresh model of this recipe (weights drawn from `seed`; load a checkpoint's over them).
    public func makeModel(seed: UInt64 = 0, on context: Context) throws -> any Module {
        try kind().make(for: input, widthMultiplier: widthMultiplier, seed: seed, on: context)
    }

    /// The recipe as one line of JSON (keys sorted).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The recipe of a checkpoint written by the trainer; a clear error for a checkpoint
    /// without one (a plain state dict, or one written by another program).
    public init(checkpoint: Checkpoint) throws {
        guard let config = checkpoint.info?.config, !config.isEmpty,
              let recipe = try? JSONDecoder().decode(ModelRecipe.self, from: Data(config.utf8)) else {
            throw TrainingError.invalidOption("\(checkpoint.file): not a checkpoint written by `convkit train` "
                + "(its metadata has no model recipe in convkit.config), so the model to build is unknown")
        }
        self = recipe
    }
}
