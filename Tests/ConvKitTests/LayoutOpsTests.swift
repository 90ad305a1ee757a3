import CConvKit
import ConvKit
import XCTest

/// Transposes, concatenation and slices: finite-difference checks in every precision of
/// ``Precision``, exact values against the same reordering done here on the host, and the
/// argument errors.
final class LayoutOpsTests: XCTestCase {
    private func check(_ label: String, _ inputs: [GradInput], file: StaticString = #filePath, line: UInt = #line,
                       _ f: (Context, [Tensor]) throws -> Tensor) throws {
        try Precision.forEach { try checkGradients($0, label, inputs, file: file, line: line, f) }
    }

    func testPermuteAndTransposeGradients() throws {
        try check("permuted NCHW to NHWC", [.uniform([2, 3, 2, 4], seed: 80)]) { try $1[0].permuted([0, 2, 3, 1]) }
        try check("transposed matrix, then matmul", [.uniform([3, 4], seed: 81), .uniform([3, 2], seed: 82)]) {
            try Tensor.matmul($1[0].transposed(), $1[1])
        }
        try check("transposed axes 0 and 2, negative axis", [.uniform([2, 3, 4], seed: 83)]) { try $1[0].transposed(0, -1) }
    }

    func testConcatenateAndSliceGradients() throws {
        try check("concatenated along channels", [.uniform([2, 1, 2, 3], seed: 84), .uniform([2, 3, 2, 3], seed: 85)]) {
            try Tensor.concatenated([$1[0], $1[1]], axis: 1)
        }
        try check("concatenated along axis 0, a tensor twice", [.uniform([2, 3], seed: 86), .uniform([1, 3], seed: 87)]) {
            try Tensor.concatenated([$1[0], $1[1], $1[0]], axis: 0)
        }
        try check("sliced along the last axis", [.uniform([2, 3, 5], seed: 88)]) { try $1[0].sliced(axis: -1, range: 1..<4) }
        try check("sliced along axis 0", [.uniform([4, 3], seed: 89)]) { try $1[0].sliced(axis: 0, range: 2..<4) }
        try check("split and joined back", [.uniform([2, 5, 3], seed: 90)]) { _, t in
            let (head, tail) = (try t[0].sliced(axis: 1, range: 0..<2), try t[0].sliced(axis: 1, range: 2..<5))
            return try Tensor.concatenated([tail, head], axis: 1) * t[0]
        }
    }

    /// Every result is the host's reordering of the same values, bit for bit, on every backend.
    func testResultsAreExactReorderings() throws {
        let values = (0..<60).map { Float($0) * 0.37 - 9 }
        func x(_ i: Int, _ j: Int, _ k: Int) -> Float { values[i * 20 + j * 5 + k] } // (3, 4, 5)
        var permuted: [Float] = [], transposed: [Float] = [], sliced: [Float] = [], joined: [Float] = []
        for k in 0..<5 { for i in 0..<3 { for j in 0..<4 { permuted.append(x(i, j, k)) } } }
        for i in 0..<3 { for k in 0..<5 { for j in 0..<4 { transposed.append(x(i, j, k)) } } }
        for i in 0..<3 { for j in 1..<3 { for k in 0..<5 { sliced.append(x(i, j, k)) } } }
        for i in 0..<3 { for j in 0..<4 { joined += (0..<5).map { x(i, j, $0) } + [values[i * 4 + j]] } }
        for context in try testContexts() {
            let label = context.backendName
            let t = try Tensor(values, shape: [3, 4, 5], on: context)
            XCTAssertEqual(try t.permuted([2, 0, 1]).shape, [5, 3, 4], label)
            XCTAssertEqual(try t.permuted([2, 0, 1]).scalars, permuted, label)
            XCTAssertEqual(try t.transposed().scalars, transposed, label)
            XCTAssertEqual(try t.sliced(axis: 1, range: 1..<3).scalars, sliced, label)
            let column = try Tensor(Array(values.prefix(12)), shape: [3, 4, 1], on: context)
            let both = try Tensor.concatenated([t, column], axis: 2)
            XCTAssertEqual(both.shape, [3, 4, 6], label)
            XCTAssertEqual(try both.scalars, joined, label)
            XCTAssertEqual(try t.permuted([0, 1, 2]).scalars, values, "\(label): the identity permutation copies")
        }
    }

    func testArgumentErrors() throws {
        let context = try Context(backend: .cpu, threads: 2)
        let x = try Tensor.zeros([2, 3], on: context)
        for bad in [[0, 0], [0], [0, 2], [1, 0, 2]] {
            XCTAssertThrowsError(try x.permuted(bad)) { error in
                XCTAssertEqual((error as? ConvKitError)?.status, CK_ERR_INVALID_ARGUMENT, "\(bad): \(error)")
            }
        }
        XCTAssertThrowsError(try Tensor.zeros([4], on: context).transposed())
        XCTAssertThrowsError(try x.sliced(axis: 1, range: 2..<4)) { error in
            XCTAssertTrue((error as? ConvKitError)?.message.contains("non-empty part of 0..<3") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try x.sliced(axis: 1, range: 1..<1))
        XCTAssertThrowsError(try x.sliced(axis: 2, range: 0..<1))
        XCTAssertThrowsError(try Tensor.concatenated([], axis: 0))
        XCTAssertThrowsError(try Tensor.concatenated([x, try Tensor.zeros([3, 3], on: context)], axis: 1)) { error in
            XCTAssertEqual((error as? ConvKitError)?.status, CK_ERR_SHAPE_MISMATCH, "\(error)")
        }
        let other = try Context(backend: .cpu, threads: 1)
        XCTAssertThrowsError(try Tensor.concatenated([x, try Tensor.zeros([2, 3], on: other)], axis: 0))
        XCTAssertThrowsError(try Tensor(labels: [1, 2], on: context).permuted([0]), "int32 tensors are not permuted")
    }

    /// The CPU context, and the OpenCL one when the tests cover it.
    private func testContexts() throws -> [Context] {
        var contexts = [try Context(backend: .cpu, threads: 2)]
        try Precision.forEach { if $0.backend == .opencl { contexts.append(try Context(backend: .opencl, threads: 2)) } }
        return contexts
    }
}
