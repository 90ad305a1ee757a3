import CConvKit
import ConvKit

#if !_endian(little)
#error("ConvKitNN copies safetensors data (little-endian by the format) as host memory: it needs a little-endian host")
#endif

/// An element type of the safetensors format, named as in the file's header.
public enum SafetensorsDType: String, CaseIterable, Sendable {
    /// One byte per boolean.
    case bool = "BOOL"
    /// Unsigned 8-bit integers.
    case uint8 = "U8"
    /// Signed 8-bit integers.
    case int8 = "I8"
    /// 8-bit floats, 4 exponent and 3 mantissa bits.
    case float8E4M3 = "F8_E4M3"
    /// 8-bit floats, 5 exponent and 2 mantissa bits.
    case float8E5M2 = "F8_E5M2"
    /// Signed 16-bit integers.
    case int16 = "I16"
    /// Unsigned 16-bit integers.
    case uint16 = "U16"
    /// IEEE half precision.
    case float16 = "F16"
    /// bfloat16 (float32's exponent, 7 mantissa bits).
    case bfloat16 = "BF16"
    /// Signed 32-bit integers (class labels, `num_batches_tracked` here).
    case int32 = "I32"
    /// Unsigned 32-bit integers.
    case uint32 = "U32"
    /// IEEE single precision: ConvKit's parameters.
    case float32 = "F32"
    /// Signed 64-bit integers (PyTorch's `num_batches_tracked`, step counters).
    case int64 = "I64"
    /// Unsigned 64-bit integers.
    case uint64 = "U64"
    /// IEEE double precision.
    case float64 = "F64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E4M3, .float8E5M2: return 1
        case .int16, .uint16, .float16, .bfloat16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        }
    }
}

/// A Swift number type that is one safetensors dtype, so values convert without loss.
public protocol SafetensorsElement {
    /// The dtype that stores this type.
    static var safetensorsDType: SafetensorsDType { get }
}

extension Float: SafetensorsElement { public static var safetensorsDType: SafetensorsDType { .float32 } }
extension Double: SafetensorsElement { public static var safetensorsDType: SafetensorsDType { .float64 } }
extension Int32: SafetensorsElement { public static var safetensorsDType: SafetensorsDType { .int32 } }
extension Int64: SafetensorsElement { public static var safetensorsDType: SafetensorsDType { .int64 } }
extension UInt8: SafetensorsElement { public static var safetensorsDType: SafetensorsDType { .uint8 } }

/// One tensor of a safetensors file, on the host: dtype, shape (outermost first, `[]` for a
/// scalar, zero extents allowed) and the row-major little-endian bytes, exactly as stored.
public struct SafetensorsTensor: Equatable, Sendable {
    /// The element type.
    public let dtype: SafetensorsDType
    /// The dimensions, outermost first; `[]` is a scalar.
    public let shape: [Int]
    /// `elementCount · dtype.byteSize` bytes.
    public let bytes: [UInt8]

    /// A tensor of `dtype` and `shape` holding `bytes`; throws unless the count matches.
    public init(dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) throws {
        guard let count = SafetensorsTensor.byteCount(dtype, shape), count == bytes.count else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                               message: "SafetensorsTensor: \(bytes.count) bytes do not hold a \(dtype.rawValue) tensor of shape \(shape)")
        }
        (self.dtype, self.shape, self.bytes) = (dtype, shape, bytes)
    }

    /// A tensor holding `values` (row-major) of `shape`; throws unless the count matches.
    public init<T: SafetensorsElement>(_ values: [T], shape: [Int]) throws {
        try self.init(dtype: T.safetensorsDType, shape: shape, bytes: values.withUnsafeBytes { Array($0) })
    }

    /// A one-element tensor of shape `[]`.
    public init<T: SafetensorsElement>(scalar value: T) {
        (dtype, shape, bytes) = (T.safetensorsDType, [], withUnsafeBytes(of: value) { Array($0) })
    }

    /// The number of elements: the product of `shape` (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    /// The elements as `T`, or nil when `T` is not this tensor's dtype.
    public func values<T: SafetensorsElement>(as _: T.Type) -> [T]? {
        guard T.safetensorsDType == dtype else { return nil }
        let count = elementCount
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
    }

    /// The single element of a scalar (shape `[]`) of type `T`; nil for another dtype or shape.
    public func scalar<T: SafetensorsElement>(as type: T.Type) -> T? {
        shape.isEmpty ? values(as: type)?.first : nil
    }

    /// `elementCount · dtype.byteSize` for `shape`, or nil when an extent is negative or the
    /// product overflows.
    static func byteCount(_ dtype: SafetensorsDType, _ shape: [Int]) -> Int? {
        var result = dtype.byteSize
        for extent in shape {
            guard extent >= 0 else { return nil }
            let (next, overflow) = result.multipliedReportingOverflow(by: extent)
            if overflow { return nil }
            result = next
        }
        return result
    }
}
