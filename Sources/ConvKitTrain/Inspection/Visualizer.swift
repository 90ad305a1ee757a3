import ConvKit
import ConvKitData
import ConvKitNN
import Foundation

/// The pictures `convkit visualize` writes, each as `<rawValue>.png`.
public enum VisualizationKind: String, CaseIterable, Sendable {
    /// The chosen layer's output, a tile per channel (``ActivationFigure``).
    case activations
    /// The chosen convolution's weights (``FilterFigure``).
    case filters
    /// |d logit / d pixel| of the chosen class (``ConvKitNN/Saliency``, ``AttributionFigure``).
    case saliency
    /// Grad-CAM of the chosen class at the Grad-CAM layer, over the input (``ConvKitNN/GradCAM``).
    case gradcam
}

/// What to draw for one image.
public struct VisualizationRequest: Sendable {
    /// The layer whose activations and filters are drawn (a path of ``ConvKitNN/Module/namedSubmodules()``).
    public var layer: String
    /// The layer Grad-CAM weighs; nil: `layer`.
    public var gradCAMLayer: String?
    /// The class saliency and Grad-CAM explain; nil: the predicted class.
    public var classIndex: Int?
    public var kinds: [VisualizationKind]
    /// The folder the PNG files go to (created when missing).
    public var outputDirectory: String

    public init(layer: String, gradCAMLayer: String? = nil, classIndex: Int? = nil,
                kinds: [VisualizationKind] = VisualizationKind.allCases, outputDirectory: String) {
        (self.layer, self.gradCAMLayer, self.classIndex) = (layer, gradCAMLayer, classIndex)
        (self.kinds, self.outputDirectory) = (kinds, outputDirectory)
    }
}

/// What a visualization found and wrote.
public struct VisualizationReport: Sendable {
    /// Softmax probabilities of every class for the image.
    public let probabilities: [Float]
    public let predicted: Int
    /// The class saliency and Grad-CAM were computed for.
    public let classIndex: Int
    /// The chosen layer's output shape, (1, …).
    public let layerShape: [Int]
    /// The files written, in the order of the request's kinds.
    public let files: [(kind: VisualizationKind, path: String)]
}

/// Draws what a trained model sees in one image: the activations and filters of a layer, the
/// saliency map and Grad-CAM of a class, each as a PNG (libpng through ``Canvas``). The image is
/// normalized as the model was trained (``ModelRecipe/normalization``) by device ops that are
/// differentiated through, so saliency is with respect to the pixels in [0, 1]. The layers, the
/// class and the image are checked (one forward pass) before any file is written.
public enum Visualizer {
    public static func run(model: any Module, recipe: ModelRecipe, image: DisplayImage, imageName: String,
                           request: VisualizationRequest, context: Context) throws -> VisualizationReport {
        let layerModule = try model.submodule(named: request.layer)
        let gradCAMLayer = request.gradCAMLayer ?? request.layer
        let gradCAMModule = try model.submodule(named: gradCAMLayer)
        let filters = request.kinds.contains(.filters) ? try ConvolutionFilters(model: model, layer: request.layer) : nil
        if let index = request.classIndex, !recipe.classNames.indices.contains(index) {
            throw InspectionError.classOutOfRange(index, classCount: recipe.classNames.count)
        }
        guard image.channels == recipe.channels, image.height == recipe.height, image.width == recipe.width,
              image.pixels.count == image.channels * image.height * image.width else {
            throw TrainingError.invalidOption("\(imageName): the image is \(image.channels)×\(image.height)×\(image.width), "
                + "the model takes \(recipe.channels)×\(recipe.height)×\(recipe.width)")
        }
        let x = try Tensor(image.pixels, shape: [1, image.channels, image.height, image.width], on: context)
        let normalize = { (pixels: Tensor) in try recipe.normalization.map { try $0.normalize(pixels) } ?? pixels }
        let (logits, captured) = try withNoGrad {
            try model.evaluating { try model(normalize(x), capturing: [request.layer, gradCAMLayer]) }
        }
        if request.kinds.contains(.gradcam), let features = captured[gradCAMLayer], features.shape.count != 4 {
            throw InspectionError.noFeatureMap(layer: gradCAMLayer, type: gradCAMModule.typeName, shape: features.shape)
        }
        let probabilities = try logits.softmax().toArray()
        let predicted = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        let classIndex = request.classIndex ?? predicted
        let activations = captured[request.layer]!
        let className = recipe.classNames[classIndex]
        let scores = try logits.toArray()
        let classLine = "class \(classIndex) \(className): logit \(format(scores[classIndex])), p = \(format(probabilities[classIndex]))"
            + (predicted == classIndex ? " (predicted)" : ", predicted \(recipe.classNames[predicted])")
        let layerType = layerModule.typeName

        do {
            try FileManager.default.createDirectory(atPath: request.outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.writeFailed(path: request.outputDirectory, reason: error.localizedDescription)
        }
        var files: [(kind: VisualizationKind, path: String)] = []
        for kind in request.kinds {
            let canvas: Canvas
            switch kind {
            case .activations:
                let shape = Array(activations.shape.dropFirst())
                canvas = ActivationFigure.render(try activations.toArray(), shape: shape,
                                                 heading: "activations of \(request.layer) (\(layerType))",
                                                 details: [activationLine(shape), "image \(imageName)"])
            case .filters:
                canvas = FilterFigure.render(filters!, heading: "filters of \(request.layer) (\(layerType))", details: filterLines(filters!))
            case .saliency:
                let saliency = try Saliency(model: model, input: x, classes: [classIndex], preprocessing: normalize)
                let map = try saliency.map()
                canvas = AttributionFigure.saliency(
                    image: image, map: map.scaledToUnitMaximum().map(0), heading: "saliency for \(className)",
                    details: [classLine, "|d logit / d pixel|, max over channels, divided by its maximum \(format(map.values.max() ?? 0))"])
            case .gradcam:
                let cam = try GradCAM(model: model, input: x, classes: [classIndex], layer: gradCAMLayer, preprocessing: normalize)
                let raw = cam.map.shape
                canvas = AttributionFigure.gradCAM(
                    image: image, map: try cam.normalized().map(0), heading: "grad-cam for \(className) at \(gradCAMLayer)",
                    details: [classLine,
                              "relu(sum of a_k A_k) over \(cam.activations.shape[1]) maps of \(raw[2])x\(raw[3]), a_k = mean d logit / d A_k,",
                              "resized bilinearly to \(image.height)x\(image.width), divided by its maximum \(format(try cam.upsampled.toArray().max() ?? 0))"])
            }
            let path = (request.outputDirectory as NSString).appendingPathComponent("\(kind.rawValue).png")
            try canvas.writePNG(to: path)
            files.append((kind, path))
        }
        return VisualizationReport(probabilities: probabilities, predicted: predicted, classIndex: classIndex,
                                   layerShape: activations.shape, files: files)
    }

    /// Every layer of `model` with its type and its output shape for one `recipe`-sized image
    /// of zeros (one forward pass in evaluation mode).
    public static func layers(of model: any Module, recipe: ModelRecipe, context: Context) throws -> [(name: String, type: String, shape: [Int])] {
        let names = model.namedSubmodules()
        let x = try Tensor.zeros(recipe.input.batchShape(1), on: context)
        let (_, captured) = try withNoGrad { try model.evaluating { try model(x, capturing: names.map(\.name)) } }
        return names.map { ($0.name, $0.module.typeName, captured[$0.name]!.shape) }
    }

    private static func activationLine(_ shape: [Int]) -> String {
        guard shape.count == 3 else { return "\(shape.reduce(1, *)) features, scaled from their minimum (black) to their maximum (white)" }
        return "\(shape[0]) channels of \(shape[1])x\(shape[2]), each scaled from its minimum (black) to its maximum (white)"
    }

    private static func filterLines(_ filters: ConvolutionFilters) -> [String] {
        let (mode, _, _, outputs, inputs) = FilterFigure.layout(filters)
        let shape = "\(filters.outputs) outputs, \(filters.inputsPerOutput) inputs each, \(filters.kernelHeight)x\(filters.kernelWidth) kernels"
        let scale = "weights divided by max |w| = \(format(FilterFigure.range(filters)))"
        switch mode {
        case .perOutput: return [shape, "one tile per output channel, blue < 0 < red, \(scale)"]
        case .colour: return [shape, "one tile per output channel, inputs 0 1 2 as red green blue, 0 at mid grey, \(scale)"]
        case .matrix:
            return [shape, "row = output channel (first \(outputs)), column = input channel (first \(inputs)), blue < 0 < red, \(scale)"]
        }
    }

    /// Four significant digits ("0.9731", "7.312", "1.234e-05").
    static func format(_ value: Float) -> String { String(format: "%.4g", value) }
}

extension ChannelStatistics {
    /// (x − mean) · (1 / std) per channel of an (N, C, H, W) tensor, as device ops on the tape
    /// (`ck_add` and `ck_mul` with broadcasting), the normalization the trainer applies on the host.
    func normalize(_ x: Tensor) throws -> Tensor {
        let shape = [1, mean.count, 1, 1]
        let means = try Tensor(mean, shape: shape, dtype: x.dtype, on: x.context)
        let scales = try Tensor(std.map { 1 / $0 }, shape: shape, dtype: x.dtype, on: x.context)
        return try (x - means) * scales
    }
}
