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
            for one-channel models) or a folder of PNG files of the model's size (grey for one \
            channel, RGB for three). Output is CSV on standard output: the image, the predicted \
            class, then one probability per class.
            """
    )

    @OptionGroup var checkpoint: CheckpointFlags

    @Option(name: .long, help: ArgumentHelp("An IDX images file or a folder of .png files.", valueName: "path"))
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

    /// The images named for the output: IDX rows by index, PNGs by file name.
    private func load(_ recipe: ModelRecipe) throws -> (names: [String], images: Dataset) {
        do {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) else {
                throw CommandFailure("\(input): no such file or folder")
            }
            let (names, images) = isFolder.boolValue
                ? try PNGReader.folder(input, channels: recipe.channels, height: recipe.height, width: recipe.width,
                                       classNames: recipe.classNames)
                : try idxImages(recipe)
            let count = min(limit ?? names.count, names.count)
            let prefix = try Dataset(name: images.name, images: Array(images.images.prefix(count * images.imageSize)),
                                     labels: Array(images.labels.prefix(count)), channels: images.channels,
                                     height: images.height, width: images.width, classNames: images.classNames)
            return (Array(names.prefix(count)), prefix)
        } catch let error as TrainingError {
            throw CommandFailure(error.description)
        } catch let error as DataError {
            throw CommandFailure(error.description)
        }
    }

    /// An IDX file of N×H×W bytes (or N×C×H×W), scaled to [0, 1].
    private func idxImages(_ recipe: ModelRecipe) throws -> (names: [String], images: Dataset) {
        let file = try IDXFile(path: input)
        let expected = recipe.channels == 1 ? [recipe.height, recipe.width] : [recipe.channels, recipe.height, recipe.width]
        guard file.elementType == .uint8, file.dimensions.count == expected.count + 1, Array(file.dimensions.dropFirst()) == expected else {
            throw CommandFailure("\(input): holds \(file.elementType) \(file.dimensions); the model takes unsigned bytes "
                + "[N, \(expected.map(String.init).joined(separator: ", "))]")
        }
        let count = file.dimensions[0]
        let images = try Dataset(name: input, images: file.payload.map { Float($0) / 255 },
                                 labels: [Int32](repeating: 0, count: count), channels: recipe.channels,
                                 height: recipe.height, width: recipe.width, classNames: recipe.classNames)
        let name = (input as NSString).lastPathComponent
        return ((0..<count).map { "\(name)[\($0)]" }, images)
    }
}

/// A CSV field, quoted when it holds a comma, quote or newline.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
