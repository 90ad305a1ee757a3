import ArgumentParser
import ConvKit
import ConvKitData
import ConvKitNN
import ConvKitTrain
import Foundation

/// `--checkpoint FILE`: a checkpoint written by `convkit train`, loaded into the model its
/// recipe names.
struct CheckpointFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A checkpoint written by convkit train (best.safetensors or last.safetensors).",
                                            valueName: "file"))
    var checkpoint: String

    /// The checkpoint's recipe and its model with the saved weights, on `context`.
    func load(on context: Context) throws -> (recipe: ModelRecipe, model: any Module) {
        do {
            let file = try Checkpoint.read(from: checkpoint)
            let recipe = try ModelRecipe(checkpoint: file)
            let model = try recipe.makeModel(on: context)
            try file.loadWeights(into: model, modelName: recipe.model)
            return (recipe, model)
        } catch let error as CheckpointError {
            throw CommandFailure(error.description)
        } catch let error as TrainingError {
            throw CommandFailure(error.description)
        } catch let error as ConvKitError {
            throw CommandFailure(error.message)
        }
    }
}

/// `convkit eval`: the test loss and accuracy of a checkpoint, overall and per class, from one
/// pass of class probabilities (the loss is the mean −log p(label)).
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint on its data set's test split: loss, accuracy and accuracy per class."
    )

    @OptionGroup var checkpoint: CheckpointFlags

    @Option(name: .customLong("data-dir"), help: ArgumentHelp(
        "Folder holding the data set the checkpoint was trained on (default: its usual place).", valueName: "dir"))
    var dataDirectory: String?

    @OptionGroup(title: "Device") var device: DeviceOptions

    func run() throws {
        let context = try device.makeContext()
        let (recipe, model) = try checkpoint.load(on: context)
        guard let kind = DatasetKind(rawValue: recipe.dataset) else {
            throw CommandFailure("\(checkpoint.checkpoint) was trained on \"\(recipe.dataset)\", which convkit cannot load")
        }
        let test: Dataset
        do {
            test = try kind.load(directory: dataDirectory).test
        } catch let error as DataError {
            throw CommandFailure(error.description)
        }
        guard ModelInput(channels: test.channels, height: test.height, width: test.width, classes: test.classCount) == recipe.input else {
            throw CommandFailure("the test images are \(test.channels)×\(test.height)×\(test.width) with \(test.classCount) classes, "
                + "but the checkpoint's model takes \(recipe.channels)×\(recipe.height)×\(recipe.width) with \(recipe.classNames.count)")
        }
        let probabilities: [[Float]]
        do {
            probabilities = try Inference.probabilities(model, for: test, normalization: recipe.normalization, context: context)
        } catch let error as ConvKitError {
            throw CommandFailure(error.message)
        }
        var hits = [Int](repeating: 0, count: test.classCount)
        var loss = 0.0
        for (row, label) in zip(probabilities, test.labels) {
            loss -= log(max(Double(row[Int(label)]), Double(Float.leastNormalMagnitude)))
            if argmax(row) == Int(label) { hits[Int(label)] += 1 }
        }
        print("\(recipe.model) on \(recipe.dataset) test (\(test.count) images), device \(context.summary)")
        print(String(format: "loss %.4f  accuracy %.2f%%", loss / Double(test.count), 100 * Double(hits.reduce(0, +)) / Double(test.count)))
        let width = test.classNames.map(\.count).max() ?? 0
        for (label, (name, count)) in zip(test.classNames, test.classCounts()).enumerated() {
            print(String(format: "  %@  %6.2f%%", name.padding(toLength: width, withPad: " ", startingAt: 0),
                         100 * Double(hits[label]) / Double(max(count, 1))))
        }
    }
}

/// The index of the largest value (the first one on ties).
func argmax(_ values: [Float]) -> Int {
    values.indices.max { values[$0] < values[$1] || (values[$0] == values[$1] && $0 > $1) } ?? 0
}
