import ConvKit
import ConvKitData
import ConvKitNN

/// One checked visualization of one image: the layers resolved, the class and the image
/// checked, the forward pass done (in evaluation mode, off the tape); ``picture(_:)`` draws each
/// kind, computing saliency and Grad-CAM on demand.
struct VisualizationScene {
    let model: any Module
    let recipe: ModelRecipe
    let image: DisplayImage
    let imageName: String
    let request: VisualizationRequest
    let gradCAMLayer: String
    let layerType: String
    let filters: ConvolutionFilters?
    /// The image as a (1, C, H, W) tensor of pixels in [0, 1].
    let input: Tensor
    let logits: [Float]
    let probabilities: [Float]
    let predicted: Int
    let classIndex: Int
    /// The chosen layer's output, (1, …).
    let activations: Tensor

    init(model: any Module, recipe: ModelRecipe, image: DisplayImage, imageName: String, request: VisualizationRequest,
         context: Context) throws {
        (self.model, self.recipe, self.image, self.imageName, self.request) = (model, recipe, image, imageName, request)
        layerType = try model.submodule(named: request.layer).typeName
        gradCAMLayer = request.gradCAMLayer ?? request.layer
        let gradCAMModule = try model.submodule(named: gradCAMLayer)
        filters = request.kinds.contains(.filters) ? try ConvolutionFilters(model: model, layer: request.layer) : nil
        if let index = request.classIndex, !recipe.classNames.indices.contains(index) {
            throw InspectionError.classOutOfRange(index, classCount: recipe.classNames.count)
        }
        guard image.channels == recipe.channels, image.height == recipe.height, image.width == recipe.width,
              image.pixels.count == image.channels * image.height * image.width else {
            throw TrainingError.invalidOption("\(imageName): the image is \(image.channels)×\(image.height)×\(image.width), "
                + "the model takes \(recipe.channels)×\(recipe.height)×\(recipe.width)")
        }
        input = try Tensor(image.pixels, shape: [1, image.channels, image.height, image.width], on: context)
        let (normalization, layers, x) = (recipe.normalization, [request.layer, gradCAMLayer], input)
        let (output, captured) = try withNoGrad {
            try model.evaluating { try model(VisualizationScene.normalize(x, normalization), capturing: layers) }
        }
        if request.kinds.contains(.gradcam), let features = captured[gradCAMLayer], features.shape.count != 4 {
            throw InspectionError.noFeatureMap(layer: gradCAMLayer, type: gradCAMModule.typeName, shape: features.shape)
        }
        let probabilities = try output.softmax().toArray()
        let predicted = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        (logits, self.probabilities, self.predicted) = (try output.toArray(), probabilities, predicted)
        classIndex = request.classIndex ?? predicted
        activations = captured[request.layer]!
    }

    /// `pixels` normalized as the model was trained, on the tape (see ``ChannelStatistics/normalize(_:)``).
    static func normalize(_ pixels: Tensor, _ statistics: ChannelStatistics?) throws -> Tensor {
        try statistics.map { try $0.normalize(pixels) } ?? pixels
    }

    func picture(_ kind: VisualizationKind) throws -> Canvas {
        let normalization = recipe.normalization
        let preprocessing = { (pixels: Tensor) in try VisualizationScene.normalize(pixels, normalization) }
        let className = recipe.classNames[classIndex]
        switch kind {
        case .activations:
            let shape = Array(activations.shape.dropFirst())
            return ActivationFigure.render(try activations.toArray(), shape: shape, heading: "activations of \(request.layer) (\(layerType))",
                                           details: [activationLine(shape), "image \(imageName)"])
        case .filters:
            return FilterFigure.render(filters!, heading: "filters of \(request.layer) (\(layerType))", details: filterLines(filters!))
        case .saliency:
            let map = try Saliency(model: model, input: input, classes: [classIndex], preprocessing: preprocessing).map()
            return AttributionFigure.saliency(
                image: image, map: map.scaledToUnitMaximum().map(0), heading: "saliency for \(className)",
                details: [classLine, "|d logit / d pixel|, max over channels, divided by its maximum \(format(map.values.max() ?? 0))"])
        case .gradcam:
            let cam = try GradCAM(model: model, input: input, classes: [classIndex], layer: gradCAMLayer, preprocessing: preprocessing)
            let raw = cam.map.shape
            return AttributionFigure.gradCAM(
                image: image, map: try cam.normalized().map(0), heading: "grad-cam for \(className) at \(gradCAMLayer)",
                details: [classLine,
                          "relu(sum of a_k A_k) over \(cam.activations.shape[1]) maps of \(raw[2])x\(raw[3]), a_k = mean d logit / d A_k,",
                          "resized bilinearly to \(image.height)x\(image.width), divided by its maximum \(format(try cam.upsampled.toArray().max() ?? 0))"])
        }
    }

    /// "class 7 Sneaker: logit 7.312, p = 0.9731 (predicted)".
    private var classLine: String {
        "class \(classIndex) \(recipe.classNames[classIndex]): logit \(format(logits[classIndex])), p = \(format(probabilities[classIndex]))"
            + (predicted == classIndex ? " (predicted)" : ", predicted \(recipe.classNames[predicted])")
    }

    private func activationLine(_ shape: [Int]) -> String {
        guard shape.count == 3 else { return "\(shape.reduce(1, *)) features, scaled from their minimum (black) to their maximum (white)" }
        return "\(shape[0]) channels of \(shape[1])x\(shape[2]), each scaled from its minimum (black) to its maximum (white)"
    }

    private func filterLines(_ filters: ConvolutionFilters) -> [String] {
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
    private func format(_ value: Float) -> String { String(format: "%.4g", value) }
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
