import CConvKit

/// Zero padding, cropping and upsampling of (N, C, H, W) tensors, composed from convolutions
/// and matrix products so that they run on the device and are differentiated by the existing
/// backward rules. The constant weights hold 0 and 1 (and bilinear weights), so padding,
/// cropping and nearest upsampling are exact: every output is 1·x or 0.
extension Tensor {
    /// Zero rows and columns around the image: (N, C, H, W) → (N, C, H+top+bottom, W+left+right).
    /// A depthwise 1×1 `ck_conv2d_forward` with a ones weight and that padding.
    public func zeroPadded(top: Int, bottom: Int, left: Int, right: Int) throws -> Tensor {
        let channels = try channelCount("zeroPadded")
        guard min(top, bottom, left, right) >= 0 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "zeroPadded: padding (\(top), \(bottom), \(left), \(right)) must be >= 0")
        }
        let ones = try Tensor.ones([channels, 1, 1, 1], dtype: dtype, on: context)
        return try Tensor.conv2d(self, ones, padding: .explicit(top: top, bottom: bottom, left: left, right: right),
                                 groups: channels)
    }

    /// Drops rows and columns at the borders: (N, C, H, W) → (N, C, H−top−bottom, W−left−right).
    /// A depthwise 1×1 `ck_conv_transpose2d_forward` with a ones weight, whose padding crops.
    public func cropped(top: Int, bottom: Int, left: Int, right: Int) throws -> Tensor {
        let channels = try channelCount("cropped")
        guard min(top, bottom, left, right) >= 0, top + bottom < shape[2], left + right < shape[3] else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "cropped: cropping (\(top), \(bottom), \(left), \(right)) must be >= 0 and leave at least one row and column of \(shape)")
        }
        let ones = try Tensor.ones([channels, 1, 1, 1], dtype: dtype, on: context)
        return try Tensor.convTranspose2d(self, ones, padding: .explicit(top: top, bottom: bottom, left: left, right: right),
                                          groups: channels)
    }

    /// Nearest-neighbour upsampling by integer factors: (N, C, H, W) → (N, C, H·sh, W·sw), each
    /// pixel repeated in an sh×sw block (PyTorch's `nearest` for integer scale factors).
    /// A depthwise `ck_conv_transpose2d_forward` with an sh×sw ones kernel and stride (sh, sw).
    public func upsampledNearest(scale: (Int, Int)) throws -> Tensor {
        let channels = try channelCount("upsampledNearest")
        try Tensor.checkScale(scale, "upsampledNearest")
        let ones = try Tensor.ones([channels, 1, scale.0, scale.1], dtype: dtype, on: context)
        return try Tensor.convTranspose2d(self, ones, stride: scale, groups: channels)
    }

    /// Bilinear upsampling by integer factors: (N, C, H, W) → (N, C, H·sh, W·sw), PyTorch's
    /// `interpolate(mode="bilinear")`; ``resizedBilinear(height:width:alignCorners:)`` to H·sh × W·sw.
    public func upsampledBilinear(scale: (Int, Int), alignCorners: Bool = false) throws -> Tensor {
        _ = try channelCount("upsampledBilinear")
        try Tensor.checkScale(scale, "upsampledBilinear")
        guard let oh = Tensor.product([shape[2], scale.0]), let ow = Tensor.product([shape[3], scale.1]),
              Int32(exactly: oh) != nil, Int32(exactly: ow) != nil else {
            throw ConvKitError(status: CK_ERR_OVERFLOW,
                               message: "upsampledBilinear: \(shape[2])×\(shape[3]) scaled by (\(scale.0), \(scale.1)) exceeds 2^31 - 1 rows or columns")
        }
        return try resizedBilinear(height: oh, width: ow, alignCorners: alignCorners)
    }

    /// Bilinear resampling to any size: (N, C, H, W) → (N, C, height, width), PyTorch's
    /// `interpolate(size=(height, width), mode="bilinear")` (no antialiasing when shrinking).
    /// Without `alignCorners` an output pixel o samples the input at max(0, (o + ½)·H/height − ½)
    /// (Keras's and TensorFlow's half-pixel rule); with it, at o·(H − 1)/(height − 1). For an
    /// integer factor s, H/height is 1/s exactly. Separable: Y = A_H · X · A_Wᵀ per image plane,
    /// where each row of A holds the two interpolation weights. The W axis is one `ck_gemm`
    /// ((N·C·H, W) · A_Wᵀ), the H axis one `ck_conv2d_forward` of the (N·C, 1, H, width) result
    /// with A_H as a (height, 1, H, 1) weight. Weights are computed in float as PyTorch does.
    public func resizedBilinear(height oh: Int, width ow: Int, alignCorners: Bool = false) throws -> Tensor {
        _ = try channelCount("resizedBilinear")
        guard oh >= 1, ow >= 1, Int32(exactly: oh) != nil, Int32(exactly: ow) != nil else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "resizedBilinear: output size \(oh)×\(ow) must be at least 1×1 and below 2^31 in each direction")
        }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let rowsW = Tensor.interpolationMatrix(input: w, output: ow, alignCorners: alignCorners)
        let matrixW = try Tensor(doubles: Tensor.transposed(rowsW, rows: ow, columns: w), shape: [w, ow], dtype: dtype, on: context)
        let rowsH = Tensor.interpolationMatrix(input: h, output: oh, alignCorners: alignCorners)
        let matrixH = try Tensor(doubles: rowsH, shape: [oh, 1, h, 1], dtype: dtype, on: context)
        let alongW = try Tensor.matmul(reshaped(to: [n * c * h, w]), matrixW)
        let alongH = try Tensor.conv2d(alongW.reshaped(to: [n * c, 1, h, ow]), matrixH)
        return try alongH.reshaped(to: [n, c, oh, ow])
    }

    /// The (output, input) row-major matrix of 1-D linear interpolation, PyTorch's rule
    /// (`area_pixel_compute_scale` and `area_pixel_compute_source_index`) in float arithmetic.
    static func interpolationMatrix(input: Int, output: Int, alignCorners: Bool) -> [Double] {
        var matrix = [Double](repeating: 0, count: output * input)
        let step: Float = alignCorners ? (output > 1 ? Float(input - 1) / Float(output - 1) : 0) : Float(input) / Float(output)
        for o in 0..<output {
            let source = alignCorners ? step * Float(o) : max(step * (Float(o) + 0.5) - 0.5, 0)
            let low = min(Int(source), input - 1)
            let high = low < input - 1 ? low + 1 : low
            let highWeight = source - Float(low)
            matrix[o * input + low] += Double(1 - highWeight)
            matrix[o * input + high] += Double(highWeight)
        }
        return matrix
    }

    static func transposed(_ matrix: [Double], rows: Int, columns: Int) -> [Double] {
        (0..<columns * rows).map { matrix[($0 % rows) * columns + $0 / rows] }
    }

    private static func checkScale(_ scale: (Int, Int), _ op: String) throws {
        guard scale.0 >= 1, scale.1 >= 1 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "\(op): scale factors (\(scale.0), \(scale.1)) must be >= 1")
        }
    }

    private func channelCount(_ op: String) throws -> Int {
        _ = try spatialSize(self, op)
        return shape[1]
    }
}
