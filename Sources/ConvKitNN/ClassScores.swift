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
