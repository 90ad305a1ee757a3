import CConvKit
import COpSuite
import ConvKit
import Foundation
import XCTest

/// CONVKIT_CPU_CONV, the CPU backend's conv algorithm selector (the benchmark compares the
/// algorithms with it): every conv suite passes with im2col + sgemm forced on every conv;
/// a forced direct or depthwise algorithm runs the very kernels auto picks for the convs
/// they take, and refuses the others with a message.
final class CPUConvAlgorithmTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    override func tearDown() { unsetenv("CONVKIT_CPU_CONV") }

    /// A context created while CONVKIT_CPU_CONV is `choice` (the backend reads it at creation).
    private func context(_ choice: String?) throws -> Context {
        if let choice { setenv("CONVKIT_CPU_CONV", choice, 1) } else { unsetenv("CONVKIT_CPU_CONV") }
        defer { unsetenv("CONVKIT_CPU_CONV") }
        return try Context(backend: .cpu, threads: 2)
    }

    /// Seeded values in [-1, 1).
    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Double(state >> 40) / Double(1 << 24) * 2 - 1)
        }
    }

    /// y = conv2d(x, w) and, when `backward`, dx and dw for the gradient of sum(y · g).
    private func conv(on context: Context, x xShape: [Int], w wShape: [Int], stride: Int, pad: Int, groups: Int,
                      backward: Bool) throws -> [[Float]] {
        let x = try Tensor(values(xShape.reduce(1, *), seed: 1), shape: xShape, on: context).requiringGrad()
        let w = try Tensor(values(wShape.reduce(1, *), seed: 2), shape: wShape, on: context).requiringGrad()
        let y = try Tensor.conv2d(x, w, stride: (stride, stride),
                                  padding: .explicit(top: pad, bottom: pad, left: pad, right: pad), groups: groups)
        guard backward else { return [try y.toArray()] }
        let g = try Tensor(values(y.shape.reduce(1, *), seed: 3), shape: y.shape, on: context)
        try y.backward(gradient: g)
        return [try y.toArray(), try XCTUnwrap(x.grad).toArray(), try XCTUnwrap(w.grad).toArray()]
    }

    func testEveryConvSuitePassesWithGEMMForcedOnEveryConv() {
        setenv("CONVKIT_CPU_CONV", "gemm", 1)
        for name in ["conv2d", "conv_transpose2d", "gradcheck", "fixtures_torch", "fixtures_onnx"] {
            var result = ck_suite_result()
            XCTAssertEqual(ck_suite_run(name, CK_BACKEND_CPU, fixtures, &result), 0, "\(name): could not run")
            XCTAssertGreaterThan(result.checks, 0, "\(name): made no checks")
            XCTAssertEqual(result.failures, 0, "\(name) with CONVKIT_CPU_CONV=gemm: \(result.failures) checks failed")
        }
    }

    /// Bitwise equality: forced or chosen, the same kernel runs with the same thread count, and the
    /// CPU backend's results are reproducible for a fixed thread count.
    func testForcedDepthwiseRunsTheKernelsAutoPicksForADepthwiseConv() throws {
        let shape = (x: [2, 8, 9, 9], w: [8, 1, 3, 3])
        let chosen = try conv(on: context(nil), x: shape.x, w: shape.w, stride: 1, pad: 1, groups: 8, backward: true)
        let forced = try conv(on: context("depthwise"), x: shape.x, w: shape.w, stride: 1, pad: 1, groups: 8,
                              backward: true)
        XCTAssertEqual(forced, chosen)
    }

    /// The direct kernels have forward and backward-weights passes; a 3-channel 7×7 stride-2 stem takes them.
    func testForcedDirectRunsTheKernelsAutoPicksForAFewChannelStem() throws {
        let probe = try context(nil)
        guard String(cString: ck_context_describe(probe.handle)).contains("AVX2") else {
            throw XCTSkip("the direct conv kernels need AVX2/FMA")
        }
        let shape = (x: [2, 3, 20, 20], w: [4, 3, 7, 7])
        let chosen = try conv(on: context(nil), x: shape.x, w: shape.w, stride: 2, pad: 3, groups: 1, backward: false)
        let forced = try conv(on: context("direct"), x: shape.x, w: shape.w, stride: 2, pad: 3, groups: 1, backward: false)
        XCTAssertEqual(forced, chosen)
    }

    func testForcedAlgorithmRefusesAConvItDoesNotTake() throws {
        for choice in ["direct", "depthwise"] {
            XCTAssertThrowsError(try conv(on: context(choice), x: [1, 16, 6, 6], w: [4, 16, 3, 3], stride: 1, pad: 1,
                                          groups: 1, backward: false)) { error in
                let error = error as! ConvKitError
                XCTAssertEqual(error.status, CK_ERR_UNSUPPORTED, choice)
                XCTAssertTrue(error.message.contains("CONVKIT_CPU_CONV=\(choice)"), error.message)
            }
        }
    }

    func testUnknownChoiceIsRefusedAtContextCreation() {
        XCTAssertThrowsError(try context("winograd")) { error in
            let error = error as! ConvKitError
            XCTAssertEqual(error.status, CK_ERR_INVALID_ARGUMENT)
            XCTAssertTrue(error.message.contains("CONVKIT_CPU_CONV is 'winograd'"), error.message)
        }
    }
}
