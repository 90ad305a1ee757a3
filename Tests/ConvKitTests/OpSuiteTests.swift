import COpSuite
import CConvKit
import ConvKitTestSupport
import Foundation
import XCTest

/// Runs every suite of the C op conformance suite (Tests/COpSuite) on every backend.
/// The same suites run under ctest in the CMake build.
final class OpSuiteTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    private func runAllSuites(on backend: ck_backend_kind) {
        let count = ck_suite_count()
        XCTAssertGreaterThan(count, 0, "the suite registry is empty")
        for index in 0..<count {
            let name = String(cString: ck_suite_name(index))
            var result = ck_suite_result()
            let rc = ck_suite_run(name, backend, fixtures, &result)
            let label = "\(name) on \(String(cString: ck_backend_name(backend)))"
            XCTAssertEqual(rc, 0, "\(label): could not run")
            XCTAssertGreaterThan(result.checks, 0, "\(label): made no checks")
            XCTAssertEqual(result.failures, 0, "\(label): \(result.failures) of \(result.checks) checks failed (details on stderr)")
            print("op suite \(label): \(result.cases) cases, \(result.checks) checks, \(result.failures) failures")
        }
    }

    func testSuitesOnCPUBackend() { runAllSuites(on: CK_BACKEND_CPU) }

    func testSuitesOnReferenceBackend() { runAllSuites(on: CK_BACKEND_REFERENCE) }

    /// Skips when `CONVKIT_TEST_BACKENDS` leaves OpenCL out; fails when OpenCL is required
    /// (the default) and this machine has no OpenCL device (``TestBackends``).
    private func requireOpenCL() throws {
        guard try TestBackends.openCLRequired() else {
            throw XCTSkip("CONVKIT_TEST_BACKENDS leaves opencl out: the OpenCL backend is untested")
        }
    }

    /// The OpenCL backend on the first OpenCL device (PoCL in CI).
    func testSuitesOnOpenCLBackend() throws {
        try requireOpenCL()
        print("op suite: OpenCL device 0 is \(String(cString: ck_opencl_device_name(0)))")
        runAllSuites(on: CK_BACKEND_OPENCL)
    }

    /// The conv suites on OpenCL with the implicit-GEMM forward (CONVKIT_CL_TUNING with no direct
    /// conv), the kernels GPUs run, which a CPU device such as PoCL otherwise skips for the forward.
    func testConvSuitesOnOpenCLWithImplicitGEMM() throws {
        try requireOpenCL()
        setenv("CONVKIT_CL_TUNING", "32,32,16,4,4,0,0", 1)
        defer { unsetenv("CONVKIT_CL_TUNING") }
        for name in ["conv2d", "conv_transpose2d", "gradcheck"] {
            var result = ck_suite_result()
            XCTAssertEqual(ck_suite_run(name, CK_BACKEND_OPENCL, fixtures, &result), 0, "\(name): could not run")
            XCTAssertGreaterThan(result.checks, 0, "\(name): made no checks")
            XCTAssertEqual(result.failures, 0, "\(name) on OpenCL (implicit GEMM): \(result.failures) checks failed")
        }
    }

    /// The pooling and batch-norm suites on OpenCL without vector kernels (CONV_VEC 0: the kernels GPUs
    /// run) and with those of CPU devices at each vector width (4, 8, 16), whose row and plane
    /// remainders differ.
    func testPoolAndBatchNormSuitesOnOpenCLAtEveryVectorWidth() throws {
        try requireOpenCL()
        defer { unsetenv("CONVKIT_CL_TUNING") }
        for tuning in ["32,32,16,4,4,0,0", "32,32,16,4,4,4,4", "32,32,16,4,4,8,8", "32,32,16,4,4,16,8"] {
            setenv("CONVKIT_CL_TUNING", tuning, 1)
            for name in ["pool2d", "batchnorm"] {
                var result = ck_suite_result()
                XCTAssertEqual(ck_suite_run(name, CK_BACKEND_OPENCL, fixtures, &result), 0, "\(name): could not run")
                XCTAssertGreaterThan(result.checks, 0, "\(name): made no checks")
                XCTAssertEqual(result.failures, 0, "\(name) on OpenCL (tuning \(tuning)): \(result.failures) checks failed")
            }
        }
    }

    /// The CPU backend's portable kernels, which AVX2/FMA machines otherwise never run.
    func testSuitesOnCPUBackendWithPortableKernels() {
        setenv("CONVKIT_CPU_SIMD", "portable", 1)
        defer { unsetenv("CONVKIT_CPU_SIMD") }
        runAllSuites(on: CK_BACKEND_CPU)
    }
}
