import CZlib

/// gzip decompression through zlib, for `.gz` data set files.
enum Gzip {
    /// True when `data` starts with the gzip magic bytes 1F 8B.
    static func isGzip<Bytes: Collection<UInt8>>(_ data: Bytes) -> Bool {
        data.starts(with: [0x1F, 0x8B])
    }

    /// Inflates every gzip member of `data` (a `.gz` file may hold several,
    /// concatenated). `path` only names the file in errors: a stream that
    /// ends early is reported as truncated, bad deflate data or a bad CRC as
    /// corrupt, bytes after the last member that are not another member as
    /// trailing garbage.
    static func decompress(_ data: [UInt8], path: String) throws -> [UInt8] {
        guard data.count <= Int(UInt32.max) else {
            throw DataError.invalidFile(path: path, reason: "gzip files over 4 GiB are not supported")
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError.invalidFile(path: path, reason: "zlib could not start inflating (out of memory?)")
        }
        defer { inflateEnd(&stream) }

        var output: [UInt8] = []
        output.reserveCapacity(sizeHint(data))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        try data.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            while true {
                var status = Z_OK
                repeat {
                    let produced = chunk.withUnsafeMutableBufferPointer { out -> Int in
                        stream.next_out = out.baseAddress
                        stream.avail_out = UInt32(out.count)
                        status = inflate(&stream, Z_NO_FLUSH)
                        return out.count - Int(stream.avail_out)
                    }
                    output.append(contentsOf: chunk[..<produced])
                } while status == Z_OK
                switch status {
                case Z_STREAM_END:
                    break
                case Z_BUF_ERROR:
                    throw DataError.invalidFile(
                        path: path,
                        reason: "truncated gzip stream: the file's \(input.count) bytes end before the stream does "
                            + "(\(output.count) bytes inflated so far)")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    throw DataError.invalidFile(path: path, reason: "corrupt gzip data: \(message)")
                }
                let remaining = Int(stream.avail_in)
                if remaining == 0 { return }
                guard isGzip(input[(input.count - remaining)...]) else {
                    throw DataError.invalidFile(
                        path: path, reason: "\(remaining) bytes of trailing garbage after the gzip stream")
                }
                inflateReset(&stream)
            }
        }
        return output
    }

    /// The inflated size the gzip trailer announces (ISIZE, the size modulo
    /// 2^32), bounded by deflate's largest ratio so a corrupt trailer cannot
    /// make us reserve absurd memory.
    private static func sizeHint(_ data: [UInt8]) -> Int {
        guard data.count >= 18 else { return 0 }
        let n = data.count
        let announced = Int(data[n - 1]) << 24 | Int(data[n - 2]) << 16 | Int(data[n - 3]) << 8 | Int(data[n - 4])
        return min(announced, data.count * 1032)
    }
}
