import CConvKit
import ConvKit

/// What saliency and Grad-CAM differentiate: the pre-softmax logit of one chosen class per
/// image, as in the Grad-CAM paper (Selvaraju et al., 2017).
enum ClassScores {
    /// Runs `forward` in evaluation mode with gradient recording on (also inside
    /// ``withNoGrad(_:)``), restoring the model's mode afterwards.
    static func recording<R>(_ model: any Module, _ forward: () throws -> R) throws -> R {
        try GradMode.$isEnabled.withValue(true) { try model.evaluating(forward) }
    }

    /// Checks that `input` is an (N, C, H, W) batch.
    static func checkImages(_ input: Tensor) throws {
        guard input.shape.count == 4 else { throw InspectionError.notAnImageBatch(shape: input.shape) }
    }

    /// The upstream gradient that picks logit[n, classes[n]] of each image: a one-hot (N, K)
    /// tensor, so that d(Σₙ logit[n, classes[n]])/dx holds each image's own class gradient (the
    /// images of a batch are independent in evaluation mode). Checks the logits' shape and
    /// every class index.
    static func oneHot(_ logits: Tensor, classes: [Int]) throws -> Tensor {
        guard logits.shape.count == 2 else { throw InspectionError.notClassScores(shape: logits.shape) }
        let (images, classCount) = (logits.shape[0], logits.shape[1])
        guard classes.count == images else { throw InspectionError.classCountMismatch(classes: classes.count, images: images) }
        if let bad = classes.first(where: { !(0..<classCount).contains($0) }) {
            throw InspectionError.classOutOfRange(bad, classCount: classCount)
        }
        var values = [Double](repeating: 0, count: images * classCount)
        for (image, label) in classes.enumerated() { values[image * classCount + label] = 1 }
        return try Tensor(doubles: values, shape: logits.shape, dtype: logits.dtype, on: logits.context)
    }
}

/// N maps of height × width on the host, row-major (a saliency or Grad-CAM map per image).
public struct HeatMaps: Equatable, Sendable {
    public let count: Int
    public let height: Int
    public let width: Int
    /// `count · height · width` values, image after image.
    public private(set) var values: [Float]

    public init(count: Int, height: Int, width: Int, values: [Float]) throws {
        guard count >= 0, height >= 1, width >= 1, values.count == count * height * width else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "HeatMaps: \(values.count) values for \(count) maps of \(height)×\(width)")
        }
        (self.count, self.height, self.width, self.values) = (count, height, width, values)
    }

    /// Image `index`'s map, height · width values.
    public func map(_ index: Int) -> ArraySlice<Float> {
        values[(index * height * width)..<((index + 1) * height * width)]
    }

    /// Each map divided by its own maximum, into [0, 1] for maps of values >= 0; a map whose
    /// maximum is 0 (nothing to show) stays all zeros.
    public func scaledToUnitMaximum() -> HeatMaps {
        var scaled = self
        scaled.values = (0..<count).flatMap { index -> [Float] in
            let plane = map(index)
            let top = plane.max() ?? 0
            return top > 0 ? plane.map { $0 / top } : Array(plane)
        }
        return scaled
    }
}
