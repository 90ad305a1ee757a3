import ArgumentParser
import CConvKit
import Foundation

/// `convkit devices`: what the C core can compute on, and what `auto` picks.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the CPU backend and every OpenCL device, and show which one a device spec picks.",
        discussion: """
            Device specs (for --device here and in the other commands, or the CONVKIT_DEVICE \
            environment variable): auto (the first OpenCL GPU, else the first OpenCL accelerator, \
            else the CPU backend), cpu, reference, opencl (the first OpenCL device), opencl:N \
            (device N in the list below) and opencl:TEXT (the first device whose platform or \
            device name contains TEXT).
            """
    )

    @Option(name: .long, help: "Also show which device this spec picks (e.g. opencl:1, opencl:nvidia, cpu).")
    var device: String?

    @Option(name: .long, help: "Worker threads for the CPU backend (0 = one per core).")
    var threads: Int32 = 0

    func validate() throws {
        guard threads >= 0 else { throw ValidationError("--threads must be 0 or more, not \(threads)") }
    }

    func run() throws {
        print("ConvKit \(String(cString: ck_version()))")
        print("CPU backend:    \(try describe(backend: CK_BACKEND_CPU, spec: nil))")

        let count = ck_opencl_device_count()
        if count == 0 {
            print("OpenCL devices: none (no OpenCL platform or device on this machine; the CPU backend is used)")
        } else {
            print("OpenCL devices:")
            for index in 0..<count {
                let name = ck_opencl_device_name(index).map { String(cString: $0) } ?? "?"
                print("  opencl:\(index)  \(name)")
                var info = ck_device_info()
                if ck_opencl_device_info(index, &info) == CK_OK {
                    print("             \(limits(of: info))")
                }
                // The description ends in the kernel tuning a context takes and where it comes from.
                if let tuning = try? describe(backend: CK_BACKEND_AUTO, spec: "opencl:\(index)").components(separatedBy: "; ").last {
                    print("             kernels: \(tuning)")
                }
            }
        }

        print("auto picks:     \(try describe(backend: CK_BACKEND_AUTO, spec: "auto"))")
        if let environment = ProcessInfo.processInfo.environment["CONVKIT_DEVICE"], !environment.isEmpty {
            print("CONVKIT_DEVICE=\(environment) picks: \(try describe(backend: CK_BACKEND_AUTO, spec: environment))")
        }
        if let device {
            print("\(device) picks: \(try describe(backend: CK_BACKEND_AUTO, spec: device))")
        }
    }

    /// A device's key limits (`ck_opencl_device_info`), e.g. "2 compute units, 5.2 GiB global, 1 MiB local,
    /// work groups <= 4096, allocations <= 2 GiB, fp64, driver 3.1".
    private func limits(of info: ck_device_info) -> String {
        let driver = withUnsafeBytes(of: info.driver_version) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(info.compute_units) compute units, \(bytes(info.global_memory_bytes)) global, "
            + "\(bytes(info.local_memory_bytes)) local, work groups <= \(info.max_work_group_size), "
            + "allocations <= \(bytes(info.max_allocation_bytes)), \(info.fp64 != 0 ? "fp64" : "no fp64"), driver \(driver)"
    }

    /// "5.2 GiB", "48 KiB", "512 bytes".
    private func bytes(_ count: UInt64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let whole = unit == 0 || value >= 100 || value == value.rounded()
        return whole ? "\(Int(value.rounded())) \(units[unit])" : String(format: "%.1f %@", value, units[unit])
    }

    /// Opens a context for (`backend`, `spec`) and returns `ck_context_describe`
    /// of it, or throws the C core's message when there is no such device.
    private func describe(backend: ck_backend_kind, spec: String?) throws -> String {
        var options = ck_context_options()
        ck_context_options_init(&options)
        options.backend = backend
        options.num_threads = threads
        var context: OpaquePointer?
        let status: ck_status = (spec ?? "").withCString { cSpec in
            options.device = spec == nil ? nil : cSpec
            return ck_context_create(&options, &context)
        }
        guard status == CK_OK, let context else {
            throw CommandFailure(String(cString: ck_last_error(nil)))
        }
        defer { ck_context_destroy(context) }
        return String(cString: ck_context_describe(context))
    }
}
