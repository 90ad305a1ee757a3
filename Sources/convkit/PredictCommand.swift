import ArgumentParser
import ConvKit
import ConvKitData
import ConvKitTrain
import Foundation

/// `convkit predict`: class probabilities of images from an IDX file or a folder of PNGs.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Print the class probabilities a checkpoint gives images.",
        discussion: """
            --input is an IDX images file (as t10k-images-idx3-ubyte, optionally .gz: N×H×W bytes \
            for one-channel models), a folder of PNG files or one PNG file of the model's size \
            (grey for one channel, RGB for three). Output is CSV on standard output: the image, \
            the predicted class, then one probability per class.
            """
    )

    @OptionGroup var checkpoint: CheckpointFlags

    @Option(name: .long, help: ArgumentHelp(ImageInput.help, valueName: "path"))
    var input: String

    @Option(name: .long, help: "Predict at most this many images (default: all).")
    var limit: Int?

    @OptionGroup(title: "Device") var device: DeviceOptions

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more, not \(limit)") }
    }

    func run() throws {
        let context = try device.makeContext()
        let (recipe, model) = try checkpoint.load(on: context)
        let (names, images) = try load(recipe)
        let probabilities: [[Float]]
        do {
            probabilities = try Inference.probabilities(model, for: images, normalization: recipe.normalization, context: context)
        } catch let error as ConvKitError {
            throw CommandFailure(error.message)
        }
        print((["image", "predicted"] + recipe.classNames).map(csvField).joined(separator: ","))
        for (name, row) in zip(names, probabilities) {
            let fields = [name, recipe.classNames[argmax(row)]].map(csvField) + row.map { String(format: "%.4f", $0) }
            print(fields.joined(separator: ","))
        }
    }

    /// The images named for the output, at most `limit` of them.
    private func load(_ recipe: ModelRecipe) throws -> (names: [String], images: Dataset) {
        let (names, images) = try ImageInput.load(input, for: recipe)
        let count = min(limit ?? names.count, names.count)
        let prefix = try Dataset(name: images.name, images: Array(images.images.prefix(count * images.imageSize)),
                                 labels: Array(images.labels.prefix(count)), channels: images.channels,
                                 height: images.height, width: images.width, classNames: images.classNames)
        return (Array(names.prefix(count)), prefix)
    }
}

/// A CSV field, quoted when it holds a comma, quote or newline.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
