import CConvKit
import ConvKit

/// A shape-mismatch error worded for a layer ("Conv2D: input [2, 4, 8, 8] has 4 channels ...").
func layerError(_ layer: String, _ message: String) -> ConvKitError {
    ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "\(layer): \(message)")
}

/// Checks that `x` is an (N, C, H, W) image batch, with `channels` channels when given.
func checkImageInput(_ x: Tensor, _ layer: String, channels: Int? = nil) throws {
    guard x.shape.count == 4 else {
        throw layerError(layer, "input \(x.shape) must have 4 dimensions (N, C, H, W)")
    }
    if let channels, x.shape[1] != channels {
        throw layerError(layer, "input \(x.shape) has \(x.shape[1]) channels but the layer expects \(channels)")
    }
}

/// Checks that `x` is an (N, features) matrix.
func checkFeatureInput(_ x: Tensor, _ layer: String, features: Int) throws {
    guard x.shape.count == 2 else {
        throw layerError(layer, "input \(x.shape) must have 2 dimensions (N, \(features)); flatten images first")
    }
    guard x.shape[1] == features else {
        throw layerError(layer, "input \(x.shape) has \(x.shape[1]) features but the layer expects \(features)")
    }
}

/// `value` when >= 1, else an invalid-argument error naming the layer's setting.
func positive(_ value: Int, _ name: String, _ layer: String) throws -> Int {
    guard value >= 1 else {
        throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "\(layer): \(name) is \(value); it must be >= 1")
    }
    return value
}
