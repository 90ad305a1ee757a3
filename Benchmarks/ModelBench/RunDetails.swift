import CConvKit
import ConvKit
import Foundation

/// What a run ran on, as ck-bench records it: processor, cores, memory, OS, the library version,
/// the context's description and, on OpenCL, the device and its driver.
enum RunDetails {
    static func machine() -> [String: Any] {
        var system = utsname()
        uname(&system)
        let memory = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_073_741_824
        return ["cpu_model": cpuModel(), "cpu_flags": simdFlags(), "cores": ProcessInfo.processInfo.activeProcessorCount,
                "memory_gib": (memory * 10).rounded() / 10,
                "os": "\(text(system.sysname)) \(text(system.release)) \(text(system.machine))"]
    }

    /// The SIMD flags ck-bench records (Benchmarks/ConvBench/machine.c) that /proc/cpuinfo lists.
    static func simdFlags() -> String {
        let wanted = ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw", "avx512vl",
                      "avx512_vnni", "avx512_bf16", "amx_tile", "asimd", "sve"]
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") || $0.hasPrefix("Features") }),
              let colon = line.firstIndex(of: ":") else { return "" }
        let present = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        return wanted.filter(present.contains).joined(separator: " ")
    }

    /// The first "model name" of /proc/cpuinfo.
    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return "unknown" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// The OpenCL device of a context that runs on one ("opencl: device N, ..."), else nil.
    static func device(of context: Context) -> [String: Any]? {
        let describe = String(cString: ck_context_describe(context.handle))
        guard context.backendName == "opencl", let range = describe.range(of: "device ") else { return nil }
        guard let index = Int32(describe[range.upperBound...].prefix { $0.isNumber }) else { return nil }
        var info = ck_device_info()
        guard ck_opencl_device_info(index, &info) == CK_OK else { return nil }
        return ["type": text(info.type), "name": text(info.name), "vendor": text(info.vendor),
                "platform": text(info.platform), "opencl_version": text(info.version),
                "driver_version": text(info.driver_version), "compute_units": Int(info.compute_units),
                "global_memory_bytes": info.global_memory_bytes]
    }

    /// A C char array (a Swift tuple) up to its first zero, as UTF-8.
    private static func text<T>(_ characters: T) -> String {
        withUnsafeBytes(of: characters) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// Now, ISO 8601 in UTC.
    static func date() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
