import CConvKit

/// The element type of a ``Tensor``.
public enum DType: Sendable, Equatable {
    /// 32-bit float: every backend computes in it.
    case float32
    /// 64-bit float: the reference backend only; used for precise gradient checks.
    case float64
    /// 32-bit integer: class labels.
    case int32

    var cValue: ck_dtype {
        switch self {
        case .float32: return CK_F32
        case .float64: return CK_F64
        case .int32: return CK_I32
        }
    }

    var byteSize: Int { self == .float64 ? 8 : 4 }
}

/// A dense row-major tensor in device memory with autodiff links.
///
/// The tensor owns one `ck_buffer` (created by `ck_buffer_create`, freed in `deinit`) on its
/// ``context``. Operations never share buffers between tensors: `reshaped`, `detach` and the
/// like copy. A tensor records how it was computed (its tape node) while gradient recording is on
/// and an input ``requiresGrad``; ``backward(gradient:onGradientReady:)`` then fills ``grad`` of the leaves.
public final class Tensor {
    /// The context (device and queue) that owns the buffer.
    public let context: Context
    /// Dimensions, outermost first (NCHW for images); `[]` is a scalar of one element.
    public let shape: [Int]
    /// The element type: float32 for computing, float64 on the reference backend, int32 for labels.
    public let dtype: DType
    /// The underlying `ck_buffer *`.
    let buffer: OpaquePointer

    /// Bumped by every in-place modification; the tape compares it at `backward()` time.
    public internal(set) var version = 0
    /// Set on a leaf the user wants gradients for (see ``requiringGrad()``).
    var isGradLeaf = false
    /// The tape node that computed this tensor; `nil` for a leaf.
    var gradFn: TapeNode?
    /// The accumulated gradient of a leaf that requires grad, same shape and dtype; `nil` until
    /// the first `backward()` reaches it. Gradients of intermediate tensors are not retained.
    public internal(set) var grad: Tensor?

    /// Allocates an uninitialized tensor (`ck_buffer_create`). Every dimension must be >= 1,
    /// at most `CK_MAX_DIMS` of them.
    init(_ context: Context, shape: [Int], dtype: DType) throws {
        guard shape.count <= Int(CK_MAX_DIMS), shape.allSatisfy({ $0 >= 1 }) else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "Tensor: shape \(shape) needs 0...\(CK_MAX_DIMS) dimensions, each >= 1")
        }
        guard let bytes = Tensor.product(shape + [dtype.byteSize]) else {
            throw ConvKitError(status: CK_ERR_OVERFLOW, message: "Tensor: shape \(shape) overflows the address space")
        }
        var buffer: OpaquePointer?
        try context.check(ck_buffer_create(context.handle, bytes, &buffer))
        guard let buffer else { throw ConvKitError(status: CK_ERR_INTERNAL, message: "ck_buffer_create returned no buffer") }
        self.context = context
        self.shape = shape
        self.dtype = dtype
        self.buffer = buffer
    }

    deinit { ck_buffer_destroy(buffer) }

    /// Number of elements (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// True for a tensor computed by a recorded op, or a leaf marked by ``requiringGrad()``.
    public var requiresGrad: Bool { isGradLeaf || gradFn != nil }

    /// True when the tensor was not computed by a recorded op.
    public var isLeaf: Bool { gradFn == nil }

    /// Marks this leaf as a parameter that receives gradients; returns `self`. A tensor computed
    /// by a recorded op requires grad already; use ``detach()`` to cut it off the tape.
    /// Int32 tensors (labels) are not differentiable and throw.
    @discardableResult
    public func requiringGrad() throws -> Tensor {
        guard dtype != .int32 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "requiringGrad: an int32 tensor cannot have gradients")
        }
        isGradLeaf = true
        return self
    }

    /// Drops the accumulated gradient (the next `backward()` starts it afresh).
    public func zeroGrad() { grad = nil }

    /// The `ck_tensor` view the C ops take.
    var view: ck_tensor { view(as: shape) }

    /// A view of this buffer with other dimensions of the same element count (a reinterpretation).
    func view(as dims: [Int]) -> ck_tensor {
        let dims64 = dims.map { Int64($0) }
        return dims64.withUnsafeBufferPointer { ck_tensor_nd(buffer, dtype.cValue, Int32(dims64.count), $0.baseAddress) }
    }

    /// A view of `count` elements starting at element `start`, with dimensions `dims`.
    func view(elementOffset start: Int, as dims: [Int]) -> ck_tensor {
        var t = view(as: dims)
        t.offset = start * dtype.byteSize
        return t
    }
}

extension Tensor: CustomStringConvertible {
    /// Shape, dtype, backend and tape state; reads no values.
    public var description: String {
        "Tensor(\(shape), \(dtype), \(context.backendName)\(requiresGrad ? ", requiresGrad" : ""))"
    }
}

// MARK: - Host transfers

extension Tensor {
    /// Copies the tensor to the host as `Float` (`ck_buffer_read`; waits for queued work).
    public func toArray() throws -> [Float] {
        dtype == .float32 ? try read(Float.self) : try toDoubles().map { Float($0) }
    }

    /// The elements as `Float`, row-major (`ck_buffer_read`).
    public var scalars: [Float] { get throws { try toArray() } }

    /// The elements as `Double` (exact for every dtype).
    public func toDoubles() throws -> [Double] {
        switch dtype {
        case .float32: return try read(Float.self).map { Double($0) }
        case .float64: return try read(Double.self)
        case .int32: return try read(Int32.self).map { Double($0) }
        }
    }

    /// The single element of a one-element tensor (a loss, say).
    public func item() throws -> Double {
        guard count == 1 else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "item: tensor of shape \(shape) has \(count) elements, not 1")
        }
        return try toDoubles()[0]
    }

    private func read<T: Numeric>(_: T.Type) throws -> [T] {
        var values = [T](repeating: 0, count: count)
        try values.withUnsafeMutableBytes { raw in
            try context.check(ck_buffer_read(context.handle, buffer, 0, raw.baseAddress, raw.count))
        }
        return values
    }

    /// Writes `values` (row-major, `count` of them) converted to the dtype (`ck_buffer_write`).
    func write(_ values: [Double]) throws {
        guard values.count == count else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                               message: "Tensor: \(values.count) values for shape \(shape) (\(count) elements)")
        }
        switch dtype {
        case .float32: try write(raw: values.map { Float($0) })
        case .float64: try write(raw: values)
        case .int32:
            let ints = values.compactMap { Int32(exactly: $0) }
            guard ints.count == values.count else {
                throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "Tensor: int32 tensor given non-integer values")
            }
            try write(raw: ints)
        }
    }

    private func write<T>(raw values: [T]) throws {
        try values.withUnsafeBytes { raw in
            try context.check(ck_buffer_write(context.handle, buffer, 0, raw.baseAddress, raw.count))
        }
    }
}

// MARK: - Op helpers

extension Tensor {
    /// The product of `dims`, or nil when it overflows `Int`.
    static func product(_ dims: [Int]) -> Int? {
        var result = 1
        for dim in dims {
            let (next, overflow) = result.multipliedReportingOverflow(by: dim)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// The first step of every op's validation: its tensors live on one context, which it returns.
    static func commonContext(_ op: String, _ tensors: [Tensor?]) throws -> Context {
        let present = tensors.compactMap { $0 }
        guard let context = present.first?.context, present.allSatisfy({ $0.context === context }) else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "\(op): the tensors live on different contexts")
        }
        return context
    }
}

/// Calls `body` with a pointer to the tensor's view, or with nil (a C op's optional argument).
func withOptionalView<R>(_ tensor: Tensor?, _ body: (UnsafePointer<ck_tensor>?) throws -> R) rethrows -> R {
    guard var view = tensor?.view else { return try body(nil) }
    return try withUnsafePointer(to: &view) { try body($0) }
}
