import CConvKit
import ConvKit
import XCTest

/// The tape itself: accumulation, no-grad mode, detach, and the in-place (version) guard.
final class AutodiffTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 2) }

    private func vector(_ values: [Float]) throws -> Tensor { try Tensor(values, shape: [values.count], on: context) }

    func testGradientsAccumulateAcrossPathsAndCalls() throws {
        let x = try vector([1, 2, 3]).requiringGrad()
        // y = sum(x * x + 3x): dy/dx = 2x + 3, reached through three uses of x.
        let y = try (x * x + x.scaled(by: 3)).sum()
        try y.backward()
        XCTAssertEqual(try x.grad?.scalars, [5, 7, 9])
        // A second backward adds to the gradient, as PyTorch does, until zeroGrad().
        try y.backward()
        XCTAssertEqual(try x.grad?.scalars, [10, 14, 18])
        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testOnlyLeavesThatRequireGradGetGradients() throws {
        let w = try vector([2, -1]).requiringGrad()
        let c = try vector([5, 7])
        let y = try (w * c).mean()
        XCTAssertTrue(y.requiresGrad)
        XCTAssertFalse(y.isLeaf)
        try y.backward()
        XCTAssertEqual(try w.grad?.scalars, [2.5, 3.5])
        XCTAssertNil(c.grad)
        XCTAssertEqual(try y.item(), 1.5, accuracy: 1e-6)
    }

    func testNoGradAndDetachRecordNothing() throws {
        let x = try vector([1, 2]).requiringGrad()
        let inference = try withNoGrad { try x * x }
        XCTAssertFalse(inference.requiresGrad)
        XCTAssertTrue(GradMode.isEnabled)
        let detached = try (x * x).detach()
        XCTAssertFalse(detached.requiresGrad)
        XCTAssertEqual(try detached.scalars, [1, 4])
        XCTAssertThrowsError(try inference.sum().backward()) { error in
            XCTAssertTrue((error as! ConvKitError).message.contains("does not require grad"))
        }
    }

    func testModifyingASavedTensorInPlaceFailsAtBackward() throws {
        let x = try vector([1, 2, 3]).requiringGrad()
        let w = try vector([4, 5, 6])
        let y = try (x * w).sum() // mul saves x and w
        try w.fill(0)
        XCTAssertEqual(w.version, 1)
        XCTAssertThrowsError(try y.backward()) { error in
            let error = error as! ConvKitError
            XCTAssertEqual(error.status, CK_ERR_INVALID_ARGUMENT)
            XCTAssertTrue(error.message.contains("saved by mul was modified in place"), error.message)
        }
        XCTAssertNil(x.grad, "no gradient is written when backward refuses")
    }

    func testModifyingAFusedConvOutputInPlaceFailsAtBackward() throws {
        let x = try Tensor.ones([1, 1, 3, 3], on: context)
        let w = try Tensor.ones([1, 1, 2, 2], on: context).requiringGrad()
        let y = try Tensor.conv2d(x, w, activation: .relu) // its backward reads y
        let loss = try y.sum()
        try withNoGrad { try y.scale(by: 2) }
        XCTAssertThrowsError(try loss.backward()) { error in
            XCTAssertTrue((error as! ConvKitError).message.contains("saved by conv2d was modified in place"),
                          (error as! ConvKitError).message)
        }
        XCTAssertNil(w.grad)
    }

    func testFusedLeakyReLUNeedsANonNegativeSlope() throws {
        let x = try Tensor.ones([1, 1, 3, 3], on: context), w = try Tensor.ones([1, 1, 2, 2], on: context)
        XCTAssertThrowsError(try Tensor.conv2d(x, w, activation: .leakyRelu(negativeSlope: -0.1))) { error in
            XCTAssertTrue((error as! ConvKitError).message.contains("slope >= 0"), (error as! ConvKitError).message)
        }
    }

    func testModifyingAnUnsavedInputIsFine() throws {
        let x = try vector([1, 2]).requiringGrad()
        let b = try vector([3, 4])
        let y = try (x + b).sum() // add saves nothing
        try b.assign([0, 0])
        try y.backward()
        XCTAssertEqual(try x.grad?.scalars, [1, 1])
    }

    func testInPlaceOnATensorThatRequiresGradNeedsNoGrad() throws {
        let p = try vector([1, 2]).requiringGrad()
        XCTAssertThrowsError(try p.scale(by: 2))
        try withNoGrad { try p.add(try vector([1, 1]), scaledBy: -0.5) }
        XCTAssertEqual(try p.scalars, [0.5, 1.5])
    }

    func testBatchNormTrainingUpdatesRunningStatisticsAndTheirVersion() throws {
        let x = try Tensor([1, 3, 5, 7], shape: [2, 1, 1, 2], on: context)
        let mean = try Tensor.zeros([1], on: context), variance = try Tensor.ones([1], on: context)
        let (gamma, beta) = (try Tensor.ones([1], on: context), try Tensor.zeros([1], on: context))
        _ = try x.batchNorm2d(gamma: gamma, beta: beta, runningMean: mean, runningVar: variance, training: true, momentum: 0.5)
        XCTAssertEqual(try mean.item(), 2, accuracy: 1e-6) // 0.5 · 0 + 0.5 · 4
        XCTAssertEqual(try variance.item(), 0.5 + 0.5 * 20 / 3, accuracy: 1e-5) // unbiased batch variance 20/3
        XCTAssertEqual(mean.version, 1)
    }

    func testBackwardArgumentErrors() throws {
        let x = try vector([1, 2]).requiringGrad()
        let y = try x.scaled(by: 2)
        XCTAssertThrowsError(try y.backward()) { error in
            XCTAssertTrue((error as! ConvKitError).message.contains("needs an explicit gradient"))
        }
        XCTAssertThrowsError(try y.backward(gradient: try vector([1, 2, 3])))
        XCTAssertThrowsError(try Tensor(labels: [1], on: context).requiringGrad())
        try y.backward(gradient: try vector([1, -1]))
        XCTAssertEqual(try x.grad?.scalars, [2, -2])
    }
}
