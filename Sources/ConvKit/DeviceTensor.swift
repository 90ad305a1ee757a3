import CConvKit

/// A float32 tensor in device memory: a `ck_buffer` of its own and a dense row-major view of it.
public final class DeviceTensor {
    public let context: Context
    /// The underlying `ck_buffer *`.
    public let buffer: OpaquePointer
    /// Dimensions, outermost first (NCHW for images).
    public let shape: [Int]

    public var count: Int { shape.reduce(1, *) }

    /// Allocates an uninitialized tensor of `shape` (every dimension >= 1, at most `CK_MAX_DIMS` of them).
    public init(_ context: Context, shape: [Int]) throws {
        guard shape.count <= Int(CK_MAX_DIMS), shape.allSatisfy({ $0 >= 1 }) else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "DeviceTensor: shape \(shape) needs 0...\(CK_MAX_DIMS) dimensions, each >= 1")
        }
        let (bytes, overflow) = shape.reduce(MemoryLayout<Float>.size) { $0 * $1 }
            .multipliedReportingOverflow(by: 1)
        var buffer: OpaquePointer?
        try context.check(overflow ? CK_ERR_OVERFLOW : ck_buffer_create(context.handle, bytes, &buffer))
        self.context = context
        self.buffer = buffer!
        self.shape = shape
    }

    /// Allocates a tensor of `shape` holding `values` (row-major; `values.count` must match).
    public convenience init(_ context: Context, shape: [Int], values: [Float]) throws {
        try self.init(context, shape: shape)
        try write(values)
    }

    deinit { ck_buffer_destroy(buffer) }

    /// The `ck_tensor` view that C ops take.
    public var view: ck_tensor {
        let dims = shape.map { Int64($0) }
        return dims.withUnsafeBufferPointer { ck_tensor_nd(buffer, CK_F32, Int32(dims.count), $0.baseAddress) }
    }

    /// Copies `values` into the tensor (`ck_buffer_write`).
    public func write(_ values: [Float]) throws {
        guard values.count == count else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                               message: "DeviceTensor.write: \(values.count) values for a tensor of \(count) elements")
        }
        try values.withUnsafeBytes { raw in
            try context.check(ck_buffer_write(context.handle, buffer, 0, raw.baseAddress, raw.count))
        }
    }

    /// Reads the tensor back to the host (`ck_buffer_read`).
    public func read() throws -> [Float] {
        var values = [Float](repeating: 0, count: count)
        try values.withUnsafeMutableBytes { raw in
            try context.check(ck_buffer_read(context.handle, buffer, 0, raw.baseAddress, raw.count))
        }
        return values
    }
}
