import ArgumentParser
import ConvKit
import ConvKitData
import ConvKitNN
import ConvKitTrain
import Foundation

/// `convkit visualize`: what a trained model sees in one image, as PNG pictures.
struct VisualizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visualize",
        abstract: "Draw a layer's activations and filters, and a class's saliency map and Grad-CAM, for one image.",
        discussion: """
            Writes into --output: activations.png (the layer's output, a tile per channel, each \
            scaled min to max), filters.png (the layer's convolution weights on one blue-white-red \
            scale), saliency.png (abs(d logit / d pixel) of the class, max over channels) and \
            gradcam.png (Grad-CAM of the class at --gradcam-layer, over the input). The score is \
            the class's logit before softmax. Layers are the checkpoint's module paths \
            (features.3, layer1.0.conv1): --list-layers prints them with their output shapes. \
            --input takes what `convkit predict` takes; --index picks one of its images.
            """
    )

    @OptionGroup var checkpoint: CheckpointFlags

    @Option(name: .long, help: ArgumentHelp(ImageInput.help, valueName: "path"))
    var input: String?

    @Option(name: .long, help: "Which image of --input to draw (IDX row, or PNG in name order).")
    var index: Int = 0

    @Option(name: .long, help: ArgumentHelp("The layer whose activations and filters are drawn, and Grad-CAM's layer.",
                                            valueName: "path"))
    var layer: String?

    @Option(name: .customLong("gradcam-layer"), help: ArgumentHelp("Grad-CAM at another layer than --layer.", valueName: "path"))
    var gradCAMLayer: String?

    @Option(name: .customLong("class"), help: ArgumentHelp(
        "The class saliency and Grad-CAM explain: an index or a name (sneaker, \"ankle boot\"). Default: the predicted class.",
        valueName: "class"))
    var classChoice: String?

    @Option(name: .long, help: ArgumentHelp("Folder for the PNG files (created when missing).", valueName: "dir"))
    var output = "runs/visualize"

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "Draw only these: activations, filters, saliency, gradcam (default: all four).", valueName: "kind"))
    var only: [String] = []

    @Flag(name: .customLong("list-layers"), help: "Print the model's layers, their types and output shapes, then stop.")
    var listLayers = false

    @OptionGroup(title: "Device") var device: DeviceOptions

    func validate() throws {
        guard index >= 0 else { throw ValidationError("--index must be 0 or more, not \(index)") }
        if !listLayers {
            guard input != nil else { throw ValidationError("--input is required (or --list-layers)") }
            guard layer != nil else { throw ValidationError("--layer is required; --list-layers prints the model's layers") }
        }
        _ = try kinds()
    }

    /// `--only` as kinds, in the order given (commas also separate).
    private func kinds() throws -> [VisualizationKind] {
        let names = only.flatMap { $0.split(separator: ",").map(String.init) }
        guard !names.isEmpty else { return VisualizationKind.allCases }
        return try names.map { name in
            guard let kind = VisualizationKind(rawValue: name.lowercased()) else {
                throw ValidationError("--only: no picture called \"\(name)\"; choose from "
                    + VisualizationKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return kind
        }
    }

    func run() throws {
        let context = try device.makeContext()
        let (recipe, model) = try checkpoint.load(on: context)
        do {
            if listLayers {
                try printLayers(model, recipe, context)
                return
            }
            let (names, images) = try ImageInput.load(input!, for: recipe)
            guard index < names.count else {
                throw CommandFailure("--index \(index): \(input!) holds \(names.count) image(s), 0...\(names.count - 1)")
            }
            let size = images.imageSize
            let image = DisplayImage(channels: images.channels, height: images.height, width: images.width,
                                     pixels: Array(images.images[(index * size)..<((index + 1) * size)]))
            let request = VisualizationRequest(layer: layer!, gradCAMLayer: gradCAMLayer,
                                               classIndex: try classChoice.map { try recipe.classIndex(for: $0) },
                                               kinds: try kinds(), outputDirectory: output)
            let report = try Visualizer.run(model: model, recipe: recipe, image: image, imageName: names[index], request: request,
                                            context: context)
            let predicted = report.predicted, chosen = report.classIndex
            print("\(names[index]): predicted \(recipe.classNames[predicted]) (p = \(String(format: "%.4f", report.probabilities[predicted]))); "
                + "explaining class \(chosen) \(recipe.classNames[chosen]) (p = \(String(format: "%.4f", report.probabilities[chosen])))")
            print("\(layer!) outputs \(report.layerShape); device \(context.summary)")
            for file in report.files { print("wrote \(file.path)") }
        } catch let error as InspectionError {
            throw CommandFailure(error.description)
        } catch let error as TrainingError {
            throw CommandFailure(error.description)
        } catch let error as ConvKitError {
            throw CommandFailure(error.message)
        }
    }

    private func printLayers(_ model: any Module, _ recipe: ModelRecipe, _ context: Context) throws {
        let rows = try Visualizer.layers(of: model, recipe: recipe, context: context)
        let nameWidth = max(rows.map(\.name.count).max() ?? 0, 5), typeWidth = max(rows.map(\.type.count).max() ?? 0, 4)
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        print("\(pad("layer", nameWidth))  \(pad("type", typeWidth))  output for one \(recipe.channels)×\(recipe.height)×\(recipe.width) image")
        for row in rows { print("\(pad(row.name, nameWidth))  \(pad(row.type, typeWidth))  \(row.shape)") }
    }
}
