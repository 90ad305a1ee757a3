import CConvKit
import ConvKit

/// Gradient clipping on the device, PyTorch's `torch.nn.utils.clip_grad_norm_` and
/// `clip_grad_value_`. Parameters without a gradient are skipped.
public enum GradientClipping {
    /// Scales every gradient by maxNorm / (‖g‖ + 1e-6) when that is below 1, ‖g‖ being the
    /// Euclidean norm of all gradients as one vector; returns ‖g‖. Each gradient's Σg² is
    /// `ck_mul` + `ck_reduce_sum` on the device, the scalars are added there too, and the one
    /// total is read to the host (`ck_buffer_read`) to choose the factor (`ck_scale`, in place).
    @discardableResult
    public static func clipByGlobalNorm(_ parameters: [Tensor], maxNorm: Double) throws -> Double {
        guard maxNorm > 0, maxNorm.isFinite else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "clipByGlobalNorm: maxNorm \(maxNorm) must be finite and > 0")
        }
        let gradients = parameters.compactMap(\.grad)
        guard !gradients.isEmpty else { return 0 }
        let norm = try withNoGrad {
            let squares = try gradients.map { try ($0 * $0).sum() }
            return try squares.dropFirst().reduce(squares[0]) { try $0 + $1 }.item().squareRoot()
        }
        let factor = maxNorm / (norm + 1e-6)
        if factor < 1 {
            for gradient in gradients { try gradient.scale(by: factor) }
        }
        return norm
    }

    /// Clamps every gradient element into [−limit, limit], in place and exactly
    /// (`Tensor/clamp(min:max:)`: two `ck_pool2d_forward` max passes).
    public static func clipByValue(_ parameters: [Tensor], limit: Double) throws {
        guard limit >= 0, limit.isFinite else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "clipByValue: limit \(limit) must be finite and >= 0")
        }
        for gradient in parameters.compactMap(\.grad) { try gradient.clamp(min: -limit, max: limit) }
    }
}
