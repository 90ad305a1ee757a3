import ArgumentParser
import CConvKit
import ConvKit

/// `--device` and `--threads`, shared by the commands that compute.
struct DeviceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Device spec: auto, cpu, reference, opencl, opencl:N or opencl:TEXT (see `convkit devices`). "
            + "Default: the CONVKIT_DEVICE environment variable, else auto (the first OpenCL GPU, else the CPU backend).",
        valueName: "spec"))
    var device: String?

    @Option(name: .long, help: "Worker threads of the CPU backend (0 = one per core).")
    var threads: Int32 = 0

    func validate() throws {
        guard threads >= 0 else { throw ValidationError("--threads must be 0 or more, not \(threads)") }
    }

    /// The context for `--device` (or CONVKIT_DEVICE, or auto), or the C core's message
    /// listing the devices when there is no such device.
    func makeContext() throws -> Context {
        do {
            return try Context(device: device, threads: threads)
        } catch let error as ConvKitError {
            throw CommandFailure(error.message)
        }
    }
}

extension Context {
    /// `ck_context_describe`: "cpu: 2 threads, AVX2+FMA kernels" or the OpenCL device's name.
    var summary: String { String(cString: ck_context_describe(handle)) }
}
