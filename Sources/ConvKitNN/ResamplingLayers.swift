import CConvKit
import ConvKit

/// Rows and columns of zeros around each image, Keras's `ZeroPadding2D` (PyTorch's
/// `nn.ZeroPad2d((left, right, top, bottom))`): (N, C, H, W) → (N, C, H+top+bottom,
/// W+left+right). `Tensor/zeroPadded(top:bottom:left:right:)` (a 1×1 `ck_conv2d_forward`).
public final class ZeroPadding2D: Module {
    /// Rows of zeros added above the image.
    public let top: Int
    /// Rows of zeros added below.
    public let bottom: Int
    /// Columns of zeros added on the left.
    public let left: Int
    /// Columns of zeros added on the right.
    public let right: Int
    public var isTraining = true

    /// Keras's `ZeroPadding2D(((top, bottom), (left, right)))`; throws for a negative amount.
    public init(top: Int, bottom: Int, left: Int, right: Int) throws {
        guard min(top, bottom, left, right) >= 0 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "ZeroPadding2D: padding must be >= 0")
        }
        (self.top, self.bottom, self.left, self.right) = (top, bottom, left, right)
    }

    /// `padding` pixels on every side.
    public convenience init(padding: Int) throws { try self.init(top: padding, bottom: padding, left: padding, right: padding) }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try checkImageInput(x, "ZeroPadding2D")
        return try x.zeroPadded(top: top, bottom: bottom, left: left, right: right)
    }
}

/// Drops rows and columns at the borders, Keras's `Cropping2D`: (N, C, H, W) →
/// (N, C, H−top−bottom, W−left−right). `Tensor/cropped(top:bottom:left:right:)` (a 1×1
/// `ck_conv_transpose2d_forward`, whose padding crops).
public final class Cropping2D: Module {
    /// Rows dropped at the top.
    public let top: Int
    /// Rows dropped at the bottom.
    public let bottom: Int
    /// Columns dropped on the left.
    public let left: Int
    /// Columns dropped on the right.
    public let right: Int
    public var isTraining = true

    /// Keras's `Cropping2D(((top, bottom), (left, right)))`; throws for a negative amount (an input
    /// too small to crop throws when the layer is called).
    public init(top: Int, bottom: Int, left: Int, right: Int) throws {
        guard min(top, bottom, left, right) >= 0 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "Cropping2D: cropping must be >= 0")
        }
        (self.top, self.bottom, self.left, self.right) = (top, bottom, left, right)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try checkImageInput(x, "Cropping2D")
        guard top + bottom < x.shape[2], left + right < x.shape[3] else {
            throw layerError("Cropping2D", "input \(x.shape) is too small to crop (\(top), \(bottom)) rows and (\(left), \(right)) columns")
        }
        return try x.cropped(top: top, bottom: bottom, left: left, right: right)
    }
}

/// Upsampling by integer factors, Keras's `UpSampling2D` and PyTorch's
/// `nn.Upsample(scale_factor=…)`: (N, C, H, W) → (N, C, H·sh, W·sw).
public final class UpSampling2D: Module {
    /// How the new pixels are computed.
    public enum Interpolation: Sendable, Equatable {
        /// Each pixel repeated in an sh×sw block (a strided `ck_conv_transpose2d_forward`).
        case nearest
        /// PyTorch's `mode="bilinear"` (`ck_gemm` along W, `ck_conv2d_forward` along H).
        case bilinear(alignCorners: Bool)
    }

    /// The integer factors (SH, SW) of the height and width.
    public let scale: (Int, Int)
    /// Nearest or bilinear.
    public let interpolation: Interpolation
    public var isTraining = true

    /// Keras's `UpSampling2D(size, interpolation)` / PyTorch's `Upsample(scale_factor, mode,
    /// align_corners)`; throws for a factor below 1.
    public init(scale: (Int, Int), interpolation: Interpolation = .nearest) throws {
        guard scale.0 >= 1, scale.1 >= 1 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "UpSampling2D: scale (\(scale.0), \(scale.1)) must be >= 1")
        }
        (self.scale, self.interpolation) = (scale, interpolation)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try checkImageInput(x, "UpSampling2D")
        switch interpolation {
        case .nearest: return try x.upsampledNearest(scale: scale)
        case let .bilinear(alignCorners): return try x.upsampledBilinear(scale: scale, alignCorners: alignCorners)
        }
    }
}
