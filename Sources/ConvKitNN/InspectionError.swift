/// Why a look inside a network (``Module/callAsFunction(_:capturing:)``, ``Saliency``,
/// ``GradCAM``, ``ConvolutionFilters``) cannot be made, in words a user can act on.
public enum InspectionError: Error, Equatable, CustomStringConvertible {
    /// No submodule has this dotted path; `available` is every path the model has, in order.
    case unknownLayer(String, available: [String])
    /// A class index outside 0..<classCount.
    case classOutOfRange(Int, classCount: Int)
    /// No class has this name (or it starts several names); `classNames` are the model's.
    case unknownClass(String, classNames: [String])
    /// Not one class per image of the batch.
    case classCountMismatch(classes: Int, images: Int)
    /// Filters are drawn from a convolution's weight only; `convolutions` lists the model's.
    case notAConvolution(layer: String, type: String, convolutions: [String])
    /// Grad-CAM weighs the channels of a (N, C, H, W) feature map; this layer gives `shape`.
    case noFeatureMap(layer: String, type: String, shape: [Int])
    /// The forward pass never handed this layer's output to the hooks: its parent calls it
    /// without ``Module/hooked(_:)``, or does not call it for this input.
    case layerNotReached(String)
    /// The input is not an (N, C, H, W) image batch.
    case notAnImageBatch(shape: [Int])
    /// The model's output is not (N, classes) class scores.
    case notClassScores(shape: [Int])

    /// The message, naming the layer or class and what is available.
    public var description: String {
        switch self {
        case let .unknownLayer(name, available):
            return "no layer named \"\(name)\"; the model's layers are: \(available.joined(separator: ", "))"
        case let .classOutOfRange(index, classCount):
            return "class \(index) is out of range: the model has \(classCount) classes, 0...\(classCount - 1)"
        case let .unknownClass(name, classNames):
            let listed = classNames.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: ", ")
            return "no single class is called \"\(name)\"; give an index or a name: \(listed)"
        case let .classCountMismatch(classes, images):
            return "\(classes) classes given for \(images) images; give one class per image"
        case let .notAConvolution(layer, type, convolutions):
            let choice = convolutions.isEmpty ? "the model has no convolution" : "its convolutions are: " + convolutions.joined(separator: ", ")
            return "layer \"\(layer)\" is a \(type), not a convolution, so it has no filters; \(choice)"
        case let .noFeatureMap(layer, type, shape):
            return "layer \"\(layer)\" (\(type)) outputs \(shape), not an (N, C, H, W) feature map; "
                + "Grad-CAM needs a convolutional layer or a block, pooling or activation after one"
        case let .layerNotReached(name):
            return "the forward pass did not report layer \"\(name)\": its parent does not call it through hooked(_:) for this input"
        case let .notAnImageBatch(shape):
            return "the input \(shape) is not an (N, C, H, W) image batch"
        case let .notClassScores(shape):
            return "the model outputs \(shape), not (N, classes) class scores"
        }
    }
}
