import ConvKit

/// Grad-CAM (Selvaraju et al., 2017): where in the image a chosen layer's features speak for
/// a class.
///
/// With A the layer's output (N, K, h, w) and y_c the pre-softmax logit of the class:
///
///     α_k = mean over (h, w) of d y_c / d A^k          (weights, (N, K))
///     map = ReLU(Σ_k α_k · A^k)                          (N, 1, h, w)
///     upsampled = bilinear resize of map to the input's H × W  (PyTorch's
///                 interpolate(size=(H, W), mode="bilinear", align_corners=False))
///
/// For display, ``normalized()`` divides each image's upsampled map by its maximum. The model
/// runs in evaluation mode (restored afterwards); the layer's output is captured with
/// ``ForwardHooks`` and its gradient comes from `Tensor.gradients(withRespectTo:gradient:)`,
/// so no parameter's gradient changes. Every step runs on the model's device.
public struct GradCAM {
    /// The layer's dotted path.
    public let layer: String
    /// The model's class scores, (N, classes), off the tape.
    public let logits: Tensor
    /// The class each image's map is for.
    public let classes: [Int]
    /// The layer's output A, (N, K, h, w), off the tape.
    public let activations: Tensor
    /// d logit[n, classes[n]] / d A, (N, K, h, w).
    public let gradients: Tensor
    /// α, the spatial means of `gradients`, (N, K).
    public let weights: Tensor
    /// ReLU(Σ_k α_k A^k), (N, 1, h, w), before resizing or normalization.
    public let map: Tensor
    /// `map` resized bilinearly to the input's size, (N, 1, H, W).
    public let upsampled: Tensor

    /// Computes Grad-CAM of `layer` (a path of ``Module/namedSubmodules()`` whose output is an
    /// (N, K, h, w) feature map) for `input` (N, C, H, W) and one class per image.
    /// `preprocessing` runs on the input before the model. Throws ``InspectionError`` for an
    /// unknown layer, a layer without a feature map, a class out of range or not one per image.
    public init(model: any Module, input: Tensor, classes: [Int], layer: String,
                preprocessing: (Tensor) throws -> Tensor = { $0 }) throws {
        try ClassScores.checkImages(input)
        let module = try model.submodule(named: layer)
        let x = try input.detach().requiringGrad()
        let (logits, captured) = try ClassScores.recording(model) { try model(preprocessing(x), capturing: [layer]) }
        let features = captured[layer]!
        guard features.shape.count == 4 else {
            throw InspectionError.noFeatureMap(layer: layer, type: module.typeName, shape: features.shape)
        }
        let seed = try ClassScores.oneHot(logits, classes: classes)
        let gradients = try logits.gradients(withRespectTo: [features], gradient: seed)[0]
        let activations = try features.detach()
        let (n, k) = (features.shape[0], features.shape[1])
        let (weights, map, upsampled) = try withNoGrad {
            let weights = try gradients.mean(axes: [2, 3])
            let map = try (activations * weights.reshaped(to: [n, k, 1, 1])).sum(axes: [1], keepingDims: true).relu()
            return (weights, map, try map.resizedBilinear(height: input.shape[2], width: input.shape[3]))
        }
        (self.layer, self.classes, self.logits) = (layer, classes, try logits.detach())
        (self.activations, self.gradients, self.weights, self.map, self.upsampled) = (activations, gradients, weights, map, upsampled)
    }

    /// The upsampled maps for display: each image's map divided by its maximum, into [0, 1]
    /// (all zeros where the map is zero everywhere: no positive evidence for the class).
    public func normalized() throws -> HeatMaps {
        let (n, h, w) = (upsampled.shape[0], upsampled.shape[2], upsampled.shape[3])
        return try HeatMaps(count: n, height: h, width: w, values: try upsampled.toArray()).scaledToUnitMaximum()
    }
}
