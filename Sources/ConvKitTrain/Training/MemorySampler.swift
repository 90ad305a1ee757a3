import ConvKit
import ConvKitData
import Foundation

/// Appends a line to a CSV file every `interval` seconds with the process's resident memory
/// and the context's device memory (`convkit train --memory-log`; `scripts/soak.sh` reads it):
/// `seconds,rss_mib,device_live_mib,device_pooled_mib,device_allocations`. Call
/// ``sampleIfDue()`` from the thread that uses the context (the trainer's step hook).
public final class MemorySampler {
    public let path: String
    public let interval: Double
    private let context: Context
    private let start = ProgressBar.monotonicSeconds()
    private var next: Double
    private let file: FileHandle

    /// Creates (or empties) `path` and writes the header and a first sample.
    public init(path: String, interval: Double, context: Context) throws {
        guard interval > 0, interval.isFinite else {
            throw TrainingError.invalidOption("the memory-log interval must be a positive number of seconds, not \(interval)")
        }
        guard FileManager.default.createFile(atPath: path, contents: Data("seconds,rss_mib,device_live_mib,device_pooled_mib,device_allocations\n".utf8)),
              let file = FileHandle(forWritingAtPath: path) else {
            throw TrainingError.writeFailed(path: path, reason: "cannot create the memory log")
        }
        file.seekToEndOfFile()
        (self.path, self.interval, self.context, self.file, self.next) = (path, interval, context, file, 0)
        try sampleIfDue()
    }

    deinit { try? file.close() }

    /// Writes a sample when `interval` seconds have passed since the last one.
    public func sampleIfDue() throws {
        let now = ProgressBar.monotonicSeconds() - start
        guard now >= next else { return }
        next = now + interval
        let device = try context.memoryStatistics()
        let mib = { (bytes: UInt64) in String(format: "%.2f", Double(bytes) / 1_048_576) }
        let line = String(format: "%.1f,", now) + [mib(Self.residentBytes()), mib(device.liveBytes), mib(device.pooledBytes),
                                                  String(device.deviceAllocations)].joined(separator: ",") + "\n"
        file.write(Data(line.utf8))
    }

    /// The process's resident set size (`/proc/self/statm`, pages × page size); 0 where unreadable.
    public static func residentBytes() -> UInt64 {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = UInt64(fields[1]) else { return 0 }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
