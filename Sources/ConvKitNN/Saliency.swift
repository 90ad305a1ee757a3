import ConvKit

/// A saliency map (Simonyan, Vedaldi & Zisserman, 2014): how strongly each input pixel moves
/// the score of a chosen class, |d logit_c / d x|.
///
/// The score is the pre-softmax logit of the class. The model runs in evaluation mode (its mode
/// is restored afterwards), on the tape, and `Tensor.gradients(withRespectTo:gradient:)`
/// returns the input gradient without touching any parameter's gradient. For an input of
/// several channels the map takes the largest |gradient| over the channels at each pixel.
public struct Saliency {
    /// The model's class scores, (N, classes), off the tape.
    public let logits: Tensor
    /// The class each image's map is for.
    public let classes: [Int]
    /// d logit[n, classes[n]] / d input[n], signed, (N, C, H, W): the gradient with respect to
    /// `input` itself, before `preprocessing`.
    public let gradient: Tensor

    /// Computes the gradient for `input` (N, C, H, W) and one class per image. `preprocessing`
    /// (normalization, say) runs on the input before the model and is differentiated through,
    /// so the map is for the pixels as given. Throws ``InspectionError`` for a class out of
    /// range or not one per image, and the model's own errors.
    public init(model: any Module, input: Tensor, classes: [Int],
                preprocessing: (Tensor) throws -> Tensor = { $0 }) throws {
        try ClassScores.checkImages(input)
        let x = try input.detach().requiringGrad()
        let logits = try ClassScores.recording(model) { try model(preprocessing(x)) }
        let seed = try ClassScores.oneHot(logits, classes: classes)
        gradient = try logits.gradients(withRespectTo: [x], gradient: seed)[0]
        self.logits = try logits.detach()
        self.classes = classes
    }

    /// The saliency map: max over channels of |gradient| at each pixel, one H × W map per image
    /// (read to the host).
    public func map() throws -> HeatMaps {
        let (n, c, h, w) = (gradient.shape[0], gradient.shape[1], gradient.shape[2], gradient.shape[3])
        let values = try gradient.toArray()
        var maps = [Float](repeating: 0, count: n * h * w)
        for image in 0..<n {
            for channel in 0..<c {
                let source = (image * c + channel) * h * w
                for pixel in 0..<(h * w) {
                    maps[image * h * w + pixel] = max(maps[image * h * w + pixel], abs(values[source + pixel]))
                }
            }
        }
        return try HeatMaps(count: n, height: h, width: w, values: maps)
    }
}
