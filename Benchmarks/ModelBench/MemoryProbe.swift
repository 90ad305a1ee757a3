import Foundation

/// The process's peak resident memory (VmHWM of /proc/self/status), and a way to start counting
/// it again: writing "5" to /proc/self/clear_refs resets the peak to the current resident size
/// (Linux 4.0 and later), so each measured configuration gets its own peak. The C library's
/// allocator is asked first to give back what earlier configurations freed (`malloc_trim`), so
/// that it does not count as the next one's.
enum MemoryProbe {
    /// Resets the peak; false when the kernel refuses (the peak then spans the whole process).
    static func resetPeak() -> Bool {
        trimHeap()
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }

    /// glibc's `malloc_trim(0)`, looked up at run time (other C libraries lack it: nothing then).
    private static func trimHeap() {
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
    }

    /// VmHWM in bytes; nil where /proc/self/status is not readable.
    static func peakResidentBytes() -> UInt64? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = UInt64(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kib * 1024
    }
}
