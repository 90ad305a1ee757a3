import Foundation

/// Strict reading of the safetensors format: every rule of the format is checked, and a broken
/// rule is a ``CheckpointError`` of kind `.corrupt` that names the file and the problem.
extension SafetensorsFile {
    /// Parses `bytes`, the contents of `file` (used in error messages only).
    ///
    /// Checks, in order: the 8-byte header length fits the file and the format's 100 MB limit;
    /// the header is UTF-8 JSON, an object starting with `{`; `__metadata__`, if present, maps
    /// strings to strings; every other entry has exactly `dtype` (a known name), `shape` (a list
    /// of integers ≥ 0) and `data_offsets` (two integers, begin ≤ end) spanning exactly
    /// elements × element size bytes; and the tensors tile the data section: the first starts
    /// at 0, each starts where the previous one ends (no gap, no overlap), none runs past the
    /// end, and no byte follows the last one.
    public init(decoding bytes: [UInt8], file: String) throws {
        func corrupt(_ problem: String) -> CheckpointError { CheckpointError(.corrupt, file: file, problem) }
        guard bytes.count >= 8 else {
            throw corrupt("the file has \(bytes.count) bytes, too few for the 8-byte header length of a safetensors file")
        }
        let declared = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard declared <= UInt64(bytes.count - 8) else {
            throw corrupt("the header length field says \(declared) bytes but only \(bytes.count - 8) follow it (truncated, or not a safetensors file)")
        }
        let headerLength = Int(declared)
        guard headerLength <= SafetensorsFile.maximumHeaderLength else {
            throw corrupt("the header length \(headerLength) exceeds the format's limit of \(SafetensorsFile.maximumHeaderLength) bytes")
        }
        let header = bytes[8..<8 + headerLength]
        guard header.first == UInt8(ascii: "{") else { throw corrupt("the header does not start with '{' (not a safetensors file?)") }
        guard String(validating: header, as: UTF8.self) != nil else { throw corrupt("the header is not valid UTF-8") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(header))
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey].map { "\($0)" } ?? "\(error)"
            throw corrupt("the header is not valid JSON: \(reason)")
        }
        guard let entries = object as? [String: Any] else { throw corrupt("the header is not a JSON object") }

        var metadata: [String: String] = [:]
        var located: [(name: String, begin: Int, end: Int)] = []
        var tensors: [String: SafetensorsTensor] = [:]
        let dataStart = 8 + headerLength
        for (name, value) in entries.sorted(by: { $0.key < $1.key }) {
            if name == "__metadata__" {
                metadata = try SafetensorsFile.metadata(value, corrupt)
                continue
            }
            let info = try SafetensorsFile.tensorInfo(name, value, corrupt)
            guard info.end <= bytes.count - dataStart else {
                throw corrupt("tensor \(name): data_offsets [\(info.begin), \(info.end)] run past the data section's "
                    + "\(bytes.count - dataStart) bytes (truncated file?)")
            }
            let data = Array(bytes[dataStart + info.begin..<dataStart + info.end])
            tensors[name] = try SafetensorsTensor(dtype: info.dtype, shape: info.shape, bytes: data)
            located.append((name, info.begin, info.end))
        }

        located.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var position = 0
        var previous: String?
        for tensor in located {
            if tensor.begin < position {
                throw corrupt("tensors \(previous!) and \(tensor.name) overlap: \(previous!) ends at byte \(position) "
                    + "of the data section, \(tensor.name) begins at \(tensor.begin)")
            }
            if tensor.begin > position {
                throw corrupt("bytes \(position)..<\(tensor.begin) of the data section, before tensor \(tensor.name), belong to no tensor")
            }
            (position, previous) = (tensor.end, tensor.name)
        }
        let dataLength = bytes.count - dataStart
        guard position == dataLength else {
            throw corrupt("\(dataLength - position) trailing bytes follow the last tensor's data (the data section has \(dataLength))")
        }
        self.init(validatedNames: located.map(\.name), tensors: tensors, metadata: metadata)
    }

    /// The `__metadata__` object: strings to strings.
    private static func metadata(_ value: Any, _ corrupt: (String) -> CheckpointError) throws -> [String: String] {
        guard let object = value as? [String: Any] else { throw corrupt("__metadata__ is not a JSON object") }
        var result: [String: String] = [:]
        for (key, entry) in object {
            guard let text = entry as? String else { throw corrupt("__metadata__ entry \"\(key)\" is not a string") }
            result[key] = text
        }
        return result
    }

    /// One tensor's header entry, checked on its own (dtype, shape, offsets and their size).
    private static func tensorInfo(_ name: String, _ value: Any, _ corrupt: (String) -> CheckpointError) throws
        -> (dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int) {
        guard let fields = value as? [String: Any] else { throw corrupt("tensor \(name): its header entry is not a JSON object") }
        let expected: Set = ["dtype", "shape", "data_offsets"]
        if let unknown = fields.keys.sorted().first(where: { !expected.contains($0) }) {
            throw corrupt("tensor \(name): unknown header field \"\(unknown)\"")
        }
        if let missing = expected.sorted().first(where: { fields[$0] == nil }) {
            throw corrupt("tensor \(name): the header entry has no \(missing)")
        }
        guard let dtypeName = fields["dtype"] as? String, let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw corrupt("tensor \(name): unknown dtype \(fields["dtype"]!)")
        }
        guard let shape = integers(fields["shape"]!) else {
            throw corrupt("tensor \(name): shape \(fields["shape"]!) is not a list of integers >= 0")
        }
        guard let offsets = integers(fields["data_offsets"]!), offsets.count == 2, offsets[0] <= offsets[1] else {
            throw corrupt("tensor \(name): data_offsets \(fields["data_offsets"]!) are not two integers begin <= end")
        }
        guard let needed = SafetensorsTensor.byteCount(dtype, shape), needed == offsets[1] - offsets[0] else {
            throw corrupt("tensor \(name): data_offsets [\(offsets[0]), \(offsets[1])] span \(offsets[1] - offsets[0]) bytes, "
                + "but a \(dtype.rawValue) tensor of shape \(shape) needs \(SafetensorsTensor.byteCount(dtype, shape).map { "\($0)" } ?? "more than Int.max")")
        }
        return (dtype, shape, offsets[0], offsets[1])
    }

    /// A JSON list of integers >= 0 (no booleans, no numbers written with a fraction or exponent).
    private static func integers(_ value: Any) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        var result: [Int] = []
        for element in list {
            guard let number = element as? NSNumber, !["c", "d", "f"].contains(String(cString: number.objCType)),
                  let integer = Int(exactly: number), integer >= 0 else { return nil }
            result.append(integer)
        }
        return result
    }
}
