import Foundation

/// Reading whole data set files into memory.
enum BinaryFile {
    /// The bytes of the file at `path`, inflated when they are gzip data
    /// (recognized by the magic bytes, whatever the file is called).
    static func readDecompressing(_ path: String) throws -> [UInt8] {
        let bytes = try read(path)
        return Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, path: path) : bytes
    }

    /// The raw bytes of the file at `path`.
    static func read(_ path: String) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            throw DataError.readFailed(path: path, reason: "no such file")
        } catch {
            throw DataError.readFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// True when `path` names an existing directory.
    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The first of `names` that exists as a file in `directory`, as a full path.
    static func firstExisting(in directory: String, names: [String]) -> String? {
        names.lazy
            .map { (directory as NSString).appendingPathComponent($0) }
            .first { FileManager.default.isReadableFile(atPath: $0) && !isDirectory($0) }
    }
}
