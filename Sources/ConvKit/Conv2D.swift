import CConvKit

/// Thin Swift calls over the C conv ops; the full Tensor/autodiff layer builds on these.
extension Context {
    /// y = conv2d(x, w) + bias (`ck_conv2d_forward`).
    /// x: (N, C, H, W); w: (O, C/groups, KH, KW); bias: (O) or nil. Returns y: (N, O, OH, OW).
    public func conv2d(_ x: DeviceTensor, _ w: DeviceTensor, bias: DeviceTensor? = nil,
                       params: ck_conv2d_params = ck_conv2d_params_default()) throws -> DeviceTensor {
        guard x.shape.count == 4, w.shape.count == 4 else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                               message: "conv2d: x \(x.shape) and w \(w.shape) must both have 4 dimensions")
        }
        var params = params
        var xDims = x.shape.map { Int64($0) }, wDims = w.shape.map { Int64($0) }
        var yDims = [Int64](repeating: 0, count: 4)
        try check(ck_conv2d_output_dims(handle, &params, &xDims, &wDims, &yDims))
        let y = try DeviceTensor(self, shape: yDims.map { Int($0) })
        var xv = x.view, wv = w.view, yv = y.view
        if let bias {
            var bv = bias.view
            try check(ck_conv2d_forward(handle, &params, &xv, &wv, &bv, &yv))
        } else {
            try check(ck_conv2d_forward(handle, &params, &xv, &wv, nil, &yv))
        }
        return y
    }
}
