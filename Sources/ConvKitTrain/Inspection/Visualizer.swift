import ConvKit
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
        let scene = try VisualizationScene(model: model, recipe: recipe, image: image, imageName: imageName, request: request,
                                           context: context)
        do {
            try FileManager.default.createDirectory(atPath: request.outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.writeFailed(path: request.outputDirectory, reason: error.localizedDescription)
        }
        var files: [(kind: VisualizationKind, path: String)] = []
        for kind in request.kinds {
            let path = (request.outputDirectory as NSString).appendingPathComponent("\(kind.rawValue).png")
            try scene.picture(kind).writePNG(to: path)
            files.append((kind, path))
        }
        return VisualizationReport(probabilities: scene.probabilities, predicted: scene.predicted, classIndex: scene.classIndex,
                                   layerShape: scene.activations.shape, files: files)
    }

    /// Every layer of `model` with its type and its output shape for one `recipe`-sized image
    /// of zeros (one forward pass in evaluation mode).
    public static func layers(of model: any Module, recipe: ModelRecipe, context: Context) throws -> [(name: String, type: String, shape: [Int])] {
        let names = model.namedSubmodules()
        let x = try Tensor.zeros(recipe.input.batchShape(1), on: context)
        let (_, captured) = try withNoGrad { try model.evaluating { try model(x, capturing: names.map(\.name)) } }
        return names.map { ($0.name, $0.module.typeName, captured[$0.name]!.shape) }
    }
}
