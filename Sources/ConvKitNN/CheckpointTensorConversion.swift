import CConvKit
import ConvKit

/// Moving tensors between the device (`Tensor`) and a safetensors file (``SafetensorsTensor``).
///
/// float32 ↔ F32 and float64 ↔ F64 bit for bit. ConvKit has no 64-bit integers: an int32
/// tensor is stored as I32, or as I64 where PyTorch keeps a `long` (BatchNorm's
/// `num_batches_tracked`), and either loads back into an int32 tensor if every value fits.
extension SafetensorsTensor {
    /// A host copy of `tensor` (`ck_buffer_read`); int32 tensors become `int32Storage`
    /// (`.int32` or `.int64`).
    public init(_ tensor: Tensor, int32Storage: SafetensorsDType = .int32) throws {
        switch tensor.dtype {
        case .float32: try self.init(try tensor.toArray(), shape: tensor.shape)
        case .float64: try self.init(try tensor.toDoubles(), shape: tensor.shape)
        case .int32:
            let values = try tensor.toDoubles()
            switch int32Storage {
            case .int32: try self.init(values.map { Int32($0) }, shape: tensor.shape)
            case .int64: try self.init(values.map { Int64($0) }, shape: tensor.shape)
            default:
                throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                                   message: "SafetensorsTensor: int32 tensors are stored as I32 or I64, not \(int32Storage.rawValue)")
            }
        }
    }

    /// Whether this tensor loads into a ConvKit tensor of `dtype` without changing a value's
    /// meaning: F32 → float32, F64 → float64, I32 or I64 → int32 (each value checked on load).
    public func loads(into dtype: DType) -> Bool {
        switch (self.dtype, dtype) {
        case (.float32, .float32), (.float64, .float64), (.int32, .int32), (.int64, .int32): return true
        default: return false
        }
    }

    /// A new device tensor of `dtype` on `context` with these values (`ck_buffer_write`).
    /// Throws unless ``loads(into:)``, for an I64 value outside Int32's range, and for a zero
    /// extent (ConvKit tensors have none).
    public func makeTensor(_ dtype: DType, on context: Context) throws -> Tensor {
        guard loads(into: dtype) else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "a \(self.dtype.rawValue) tensor does not load into \(dtype)")
        }
        switch self.dtype {
        case .float32: return try Tensor(values(as: Float.self)!, shape: shape, dtype: dtype, on: context)
        case .float64: return try Tensor(doubles: values(as: Double.self)!, shape: shape, dtype: dtype, on: context)
        case .int32: return try Tensor(doubles: values(as: Int32.self)!.map { Double($0) }, shape: shape, dtype: dtype, on: context)
        default:
            let wide = values(as: Int64.self)!
            if let outlier = wide.first(where: { Int32(exactly: $0) == nil }) {
                throw ConvKitError(status: CK_ERR_OVERFLOW, message: "the I64 value \(outlier) does not fit ConvKit's int32")
            }
            return try Tensor(doubles: wide.map { Double($0) }, shape: shape, dtype: dtype, on: context)
        }
    }
}
