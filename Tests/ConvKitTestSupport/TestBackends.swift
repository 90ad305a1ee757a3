import ConvKit
import Foundation

/// Which backends the Swift tests must cover, and the OpenCL device they run on.
///
/// `CONVKIT_TEST_BACKENDS` (comma- or semicolon-separated, as CMake's cache variable of the same
/// name: `cpu`, `reference`, `opencl`) lists them; unset, all three are required. CI always has
/// an OpenCL driver (PoCL), so a required OpenCL backend without any OpenCL device is a test
/// failure, not a skip: leave `opencl` out of the list to run on a machine without OpenCL.
public enum TestBackends {
    /// The backends named by `CONVKIT_TEST_BACKENDS`, or all three when it is unset or empty.
    public static var required: Set<String> {
        let names = (ProcessInfo.processInfo.environment["CONVKIT_TEST_BACKENDS"] ?? "")
            .split(whereSeparator: { $0 == "," || $0 == ";" })
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty }
        return names.isEmpty ? ["cpu", "reference", "opencl"] : Set(names)
    }

    /// Whether the OpenCL variants of the tests run: true when OpenCL is required and a device is
    /// there, false when `CONVKIT_TEST_BACKENDS` leaves it out. Throws ``MissingOpenCLDevice``
    /// when OpenCL is required and this machine has no OpenCL device.
    public static func openCLRequired() throws -> Bool {
        guard required.contains("opencl") else { return false }
        guard !Context.openCLDevices.isEmpty else { throw MissingOpenCLDevice() }
        return true
    }

    /// A context on the first OpenCL device (PoCL in CI), two threads for the ops it hands to the CPU.
    public static func openCLContext() throws -> Context {
        try Context(backend: .opencl, threads: 2)
    }
}

/// OpenCL is required by the tests but this machine has none.
public struct MissingOpenCLDevice: Error, CustomStringConvertible {
    public init() {}

    public var description: String {
        "no OpenCL device on this machine, so the OpenCL backend cannot be tested: install an OpenCL driver "
            + "(pocl-opencl-icd; scripts/install-deps.sh does), or set CONVKIT_TEST_BACKENDS=cpu,reference to test without it"
    }
}
