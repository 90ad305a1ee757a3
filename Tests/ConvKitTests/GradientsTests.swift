import CConvKit
import ConvKit
import XCTest

/// `gradients(withRespectTo:gradient:)`: the gradients `backward()` would accumulate, for leaves
/// and intermediate tensors, without changing any tensor's `grad`.
final class GradientsTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 2) }

    private func vector(_ values: [Float]) throws -> Tensor { try Tensor(values, shape: [values.count], on: context) }

    /// y = Σ m·m + 3·a with m = a·b: dy/dm = 2m, dy/da = 2m·b + 3, dy/db = 2m·a. Small integers
    /// and halves, so every value is exact in float32.
    func testLeafAndIntermediateGradientsWithoutSideEffects() throws {
        let a = try vector([1, 2, -3]).requiringGrad()
        let b = try vector([0.5, -1, 2]).requiringGrad()
        let m = try a * b
        let y = try (m * m + a.scaled(by: 3)).sum()
        let result = try y.gradients(withRespectTo: [m, a, b])
        let (dm, da, db) = (result[0], result[1], result[2])
        XCTAssertEqual(try dm.scalars, [1, -4, -12])
        XCTAssertEqual(try da.scalars, [3.5, 7, -21])
        XCTAssertEqual(try db.scalars, [1, -8, 36])
        XCTAssertNil(a.grad, "gradients(withRespectTo:) leaves grad alone")
        XCTAssertNil(b.grad)

        // The leaves' results are exactly what backward() accumulates from zero.
        try y.backward()
        XCTAssertEqual(try a.grad?.scalars, try da.scalars)
        XCTAssertEqual(try b.grad?.scalars, try db.scalars)
        // And they do not change a gradient backward() already holds.
        _ = try y.gradients(withRespectTo: [a])
        XCTAssertEqual(try a.grad?.scalars, try da.scalars)
    }

    /// An upstream gradient weighs the output; a target the output does not depend on gets zeros.
    func testUpstreamGradientAndUnrelatedTargets() throws {
        let x = try vector([1, 2]).requiringGrad()
        let unrelated = try vector([5, 6, 7]).requiringGrad()
        let y = try x.scaled(by: 4)
        let result = try y.gradients(withRespectTo: [x, unrelated], gradient: try vector([1, -0.5]))
        XCTAssertEqual(try result[0].scalars, [4, -2])
        XCTAssertEqual(try result[1].scalars, [0, 0, 0])
        XCTAssertEqual(result[1].shape, [3])
    }

    func testArgumentErrors() throws {
        let x = try vector([1, 2]).requiringGrad()
        let y = try x.scaled(by: 2)
        XCTAssertThrowsError(try y.gradients(withRespectTo: [x])) { error in
            XCTAssertTrue((error as! ConvKitError).message.contains("gradients: a tensor of shape [2] needs an explicit gradient"), "\(error)")
        }
        XCTAssertThrowsError(try y.gradients(withRespectTo: [try vector([1, 1])], gradient: try vector([1, 1]))) { error in
            XCTAssertTrue((error as! ConvKitError).message.contains("does not require grad"), "\(error)")
        }
        XCTAssertThrowsError(try vector([1]).gradients(withRespectTo: [x])) { error in
            XCTAssertEqual((error as! ConvKitError).status, CK_ERR_INVALID_ARGUMENT)
        }
    }
}
