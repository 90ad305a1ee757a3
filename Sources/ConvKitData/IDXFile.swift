/// An array in IDX format, the format of the MNIST and Fashion-MNIST files.
///
/// Layout: two zero bytes, a dtype byte, a rank byte (together the "magic
/// number", e.g. 0x00000803 for a rank-3 array of unsigned bytes), then
/// `rank` big-endian UInt32 dimensions, then the elements in row-major order,
/// big-endian. MNIST's images are `[count, rows, cols]` UInt8 (idx3), its
/// labels `[count]` UInt8 (idx1).
public struct IDXFile: Sendable {
    /// The dtype byte of an IDX header.
    public enum ElementType: UInt8, Sendable, CustomStringConvertible {
        case uint8 = 0x08
        case int8 = 0x09
        case int16 = 0x0B
        case int32 = 0x0C
        case float32 = 0x0D
        case float64 = 0x0E

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }

        public var description: String {
            let name: String
            switch self {
            case .uint8: name = "unsigned byte"
            case .int8: name = "signed byte"
            case .int16: name = "int16"
            case .int32: name = "int32"
            case .float32: name = "float32"
            case .float64: name = "float64"
            }
            return "0x" + String(rawValue, radix: 16, uppercase: true).zeroPadded(to: 2) + " (\(name))"
        }
    }

    /// The file the array was read from (for error messages).
    public let path: String
    public let elementType: ElementType
    /// The dimensions, outermost first, e.g. `[60000, 28, 28]`.
    public let dimensions: [Int]
    /// The elements' bytes as stored (big-endian), `dimensions.product * elementType.size` of them.
    public let payload: [UInt8]

    /// Reads and validates the IDX file at `path`, gzipped or not.
    public init(path: String) throws {
        try self.init(bytes: BinaryFile.readDecompressing(path), path: path)
    }

    /// Parses IDX `bytes`, checking the magic number, the dtype, every
    /// dimension and that the data is exactly as long as the dimensions say.
    /// `path` names the source in errors.
    public init(bytes: [UInt8], path: String) throws {
        func invalid(_ reason: String) -> DataError { .invalidFile(path: path, reason: reason) }
        guard bytes.count >= 4 else {
            throw invalid("too short for an IDX header: \(bytes.count) bytes, the magic number alone takes 4")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            let magic = bytes[0..<4].map { String($0, radix: 16, uppercase: true).zeroPadded(to: 2) }.joined()
            throw invalid("bad magic number 0x\(magic): an IDX file starts with two zero bytes, a dtype and a rank "
                + "(0x00000803 for images, 0x00000801 for labels)")
        }
        guard let elementType = ElementType(rawValue: bytes[2]) else {
            throw invalid("unknown IDX dtype 0x\(String(bytes[2], radix: 16, uppercase: true).zeroPadded(to: 2)) "
                + "(known: 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E)")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw invalid("IDX rank is 0; an array needs at least one dimension") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw invalid("truncated header: rank \(rank) needs \(headerSize) header bytes, the file has \(bytes.count)")
        }
        var dimensions: [Int] = []
        var elementCount = 1
        for axis in 0..<rank {
            let o = 4 + 4 * axis
            let size = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            guard size > 0 else { throw invalid("dimension \(axis) is 0") }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow, product <= Int.max / 8 else {
                throw invalid("dimensions \(dimensions + [size]) describe more elements than memory can hold")
            }
            dimensions.append(size)
            elementCount = product
        }
        let dataSize = elementCount * elementType.size
        let actual = bytes.count - headerSize
        guard actual >= dataSize else {
            throw invalid("truncated: dimensions \(dimensions) of \(elementType) need \(dataSize) data bytes, "
                + "the file has \(actual)")
        }
        guard actual == dataSize else {
            throw invalid("\(actual - dataSize) unexpected bytes after the \(dataSize) data bytes "
                + "that dimensions \(dimensions) of \(elementType) take")
        }
        self.path = path
        self.elementType = elementType
        self.dimensions = dimensions
        self.payload = Array(bytes[headerSize...])
    }

    /// The elements as bytes, after checking that they are unsigned bytes in
    /// an array of rank `rank` (what MNIST-layout images and labels are).
    public func unsignedBytes(rank: Int, of what: String) throws -> [UInt8] {
        guard elementType == .uint8 else {
            throw DataError.invalidFile(path: path, reason: "\(what) must be of dtype 0x08 (unsigned byte), not \(elementType)")
        }
        guard dimensions.count == rank else {
            throw DataError.invalidFile(
                path: path, reason: "\(what) must have \(rank) dimension(s), this file has \(dimensions.count): \(dimensions)")
        }
        return payload
    }
}

extension String {
    /// The string with zeros in front up to `width` characters ("7" → "07").
    func zeroPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
