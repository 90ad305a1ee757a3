import CConvKit
import ConvKit
import Foundation

/// A safetensors file in memory: named tensors in data order and string metadata.
///
/// The format (Hugging Face's, read by `safetensors.torch.load_file`): an 8-byte little-endian
/// header length N; N bytes of UTF-8 JSON, `{"<name>": {"dtype": "F32", "shape": [2, 3],
/// "data_offsets": [begin, end]}, …, "__metadata__": {"<key>": "<value>", …}}`, padded with
/// spaces; then the data section, every tensor's row-major little-endian bytes at
/// [begin, end) relative to the section's start, back to back with no gap, overlap or
/// trailing byte. This writer pads the header so the data starts 8-byte aligned (as the
/// reference implementation does), sorts the JSON keys and leaves `__metadata__` out when
/// there is none. Reading is ``init(decoding:file:)`` (strict: see there).
public struct SafetensorsFile: Sendable {
    /// The header's `__metadata__` (empty when the file has none).
    public var metadata: [String: String]
    /// Tensor names in the order of their data, the first at offset 0.
    public private(set) var names: [String] = []
    private var tensorsByName: [String: SafetensorsTensor] = [:]

    /// The largest header this code writes or reads (the reference implementation's limit).
    static let maximumHeaderLength = 100_000_000

    /// An empty file with `metadata`.
    public init(metadata: [String: String] = [:]) { self.metadata = metadata }

    /// The tensor called `name`, if any.
    public subscript(name: String) -> SafetensorsTensor? { tensorsByName[name] }

    /// The number of tensors.
    public var count: Int { names.count }

    /// Adds `tensor` after the others. Throws for a name already present or `__metadata__`.
    public mutating func append(_ name: String, _ tensor: SafetensorsTensor) throws {
        guard name != "__metadata__", tensorsByName[name] == nil else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "SafetensorsFile: the name \"\(name)\" is \(name == "__metadata__" ? "reserved" : "already taken")")
        }
        names.append(name)
        tensorsByName[name] = tensor
    }

    /// The whole file as bytes (header length, header, data).
    public func encoded() throws -> [UInt8] {
        try encodedChunks().flatMap { $0 }
    }

    /// Writes the file to `path` atomically (a temporary file in the same folder, fsync, rename
    /// over `path`, fsync of the folder): a reader sees the previous file or this one, never a
    /// mixture, and a failure leaves the previous one intact and no temporary file behind.
    public func write(to path: String) throws {
        try writeFileAtomically(try encodedChunks(), to: path)
    }

    /// Reads and validates the file at `path` (``init(decoding:file:)``).
    public static func read(from path: String) throws -> SafetensorsFile {
        try SafetensorsFile(decoding: try readWholeFile(path), file: path)
    }

    /// The 8-byte length, the padded header, then each tensor's bytes as its own chunk (so
    /// writing needs no copy of the data).
    func encodedChunks() throws -> [[UInt8]] {
        var header: [String: Any] = [:]
        var offset = 0
        for name in names {
            let tensor = tensorsByName[name]!
            header[name] = ["dtype": tensor.dtype.rawValue, "shape": tensor.shape, "data_offsets": [offset, offset + tensor.bytes.count]]
            offset += tensor.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        json += [UInt8](repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8)
        guard json.count <= SafetensorsFile.maximumHeaderLength else {
            throw ConvKitError(status: CK_ERR_OVERFLOW,
                               message: "SafetensorsFile: a header of \(json.count) bytes exceeds the format's \(SafetensorsFile.maximumHeaderLength)")
        }
        let length = withUnsafeBytes(of: UInt64(json.count).littleEndian) { [UInt8]($0) }
        return [length, json] + names.map { tensorsByName[$0]!.bytes }
    }

    /// A file of `names` (in data order), their tensors and `metadata`, already validated.
    init(validatedNames names: [String], tensors: [String: SafetensorsTensor], metadata: [String: String]) {
        (self.names, self.tensorsByName, self.metadata) = (names, tensors, metadata)
    }
}
