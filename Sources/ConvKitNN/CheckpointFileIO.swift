import Foundation

/// Writes `chunks`, one after the other, to `path` so that the file at `path` is at every
/// moment either the previous one or the complete new one, and the new one survives a crash
/// once this returns.
///
/// Steps: create a temporary file next to the target (same folder, so on the same file
/// system), `.<name>.tmp-<pid>-<random>`, exclusively; write every byte (retrying short writes
/// and EINTR); `fsync` it; `rename` it over the target (atomic in POSIX); `fsync` the folder so
/// the rename itself is durable (a file system without folder sync, EINVAL, is accepted). On
/// any error before the rename the temporary file is removed and the previous file is
/// untouched. After a successful write, temporary files of the same target left by processes
/// that no longer run (killed mid-write) are removed. `beforeChunk` is a test hook called with the bytes written so far before each
/// chunk; what it throws aborts the write like an I/O error would.
func writeFileAtomically(_ chunks: [[UInt8]], to path: String, beforeChunk: ((Int) throws -> Void)? = nil) throws {
    let (folder, name) = splitPath(path)
    guard !name.isEmpty else { throw CheckpointError(.io, file: path, "the path names a folder, not a file") }
    let temporary = "\(folder)/.\(name).tmp-\(getpid())-\(String(UInt32.random(in: .min ... .max), radix: 16))"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
        throw CheckpointError(.io, file: path, "cannot create a temporary file in \(folder): \(systemError())")
    }
    do {
        var written = 0
        for chunk in chunks {
            try beforeChunk?(written)
            try writeAll(chunk, to: descriptor, path: path)
            written += chunk.count
        }
        guard fsync(descriptor) == 0 else { throw CheckpointError(.io, file: path, "fsync of the new file failed: \(systemError())") }
    } catch {
        close(descriptor)
        unlink(temporary)
        throw error
    }
    guard close(descriptor) == 0 else {
        let reason = systemError()
        unlink(temporary)
        throw CheckpointError(.io, file: path, "closing the new file failed: \(reason)")
    }
    guard rename(temporary, path) == 0 else {
        let reason = systemError()
        unlink(temporary)
        throw CheckpointError(.io, file: path, "cannot move the new file into place: \(reason)")
    }
    try syncFolder(folder, path: path)
    removeAbandonedTemporaries(folder: folder, name: name)
}

/// Deletes `.<name>.tmp-<pid>-<random>` files in `folder` whose process is gone (`kill(pid, 0)`
/// fails with ESRCH): what a write killed before its rename leaves. Best effort.
private func removeAbandonedTemporaries(folder: String, name: String) {
    let prefix = ".\(name).tmp-"
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
    for entry in entries where entry.hasPrefix(prefix) {
        guard let pid = Int32(entry.dropFirst(prefix.count).prefix { $0 != "-" }), pid > 0, pid != getpid(),
              kill(pid, 0) != 0, errno == ESRCH else { continue }
        unlink("\(folder)/\(entry)")
    }
}

/// The whole contents of the file at `path`.
func readWholeFile(_ path: String) throws -> [UInt8] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw CheckpointError(.io, file: path, "cannot open: \(systemError())") }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw CheckpointError(.io, file: path, "cannot stat: \(systemError())") }
    guard status.st_mode & S_IFMT == S_IFREG else { throw CheckpointError(.io, file: path, "not a regular file") }
    var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
    var filled = 0
    while true {
        if filled == bytes.count { bytes.append(contentsOf: [UInt8](repeating: 0, count: 1 << 16)) }
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
        if count < 0, errno == EINTR { continue }
        guard count >= 0 else { throw CheckpointError(.io, file: path, "read failed: \(systemError())") }
        if count == 0 { break }
        filled += count
    }
    bytes.removeLast(bytes.count - filled)
    return bytes
}

/// Writes all of `bytes` to `descriptor`, in pieces of at most 1 GiB, retrying short writes.
private func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
    try bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let count = write(descriptor, raw.baseAddress! + done, min(raw.count - done, 1 << 30))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw CheckpointError(.io, file: path, "write failed: \(systemError())") }
            done += count
        }
    }
}

/// `fsync` of the folder, which makes a rename in it durable.
private func syncFolder(_ folder: String, path: String) throws {
    let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else {
        throw CheckpointError(.io, file: path, "written, but the folder \(folder) cannot be opened to sync it: \(systemError())")
    }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 || errno == EINVAL else {
        throw CheckpointError(.io, file: path, "written, but syncing the folder \(folder) failed: \(systemError())")
    }
}

/// (folder, file name) of `path`; the folder is "." for a bare name.
private func splitPath(_ path: String) -> (folder: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let folder = String(path[..<slash])
    return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
}

/// `strerror(errno)`.
private func systemError() -> String { String(cString: strerror(errno)) }
