import CConvKit
import ConvKit
import XCTest

/// Tensor creation, host transfers, forward values of the ops, and errors on bad input.
final class TensorTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 2) }

    func testFactoriesAndHostTransfers() throws {
        XCTAssertEqual(try Tensor.zeros([2, 2], on: context).scalars, [0, 0, 0, 0])
        XCTAssertEqual(try Tensor.ones([3], on: context).toArray(), [1, 1, 1])
        XCTAssertEqual(try Tensor.full([2], value: 2.5, on: context).scalars, [2.5, 2.5])
        let scalar = try Tensor([4], shape: [], on: context)
        XCTAssertEqual(scalar.count, 1)
        XCTAssertEqual(try scalar.item(), 4)
        XCTAssertEqual(try Tensor(labels: [3, 0], on: context).toDoubles(), [3, 0])
        let reference = try Context(backend: .reference)
        let precise = try Tensor(doubles: [0.1], shape: [1], dtype: .float64, on: reference)
        XCTAssertEqual(try precise.toDoubles(), [0.1])
    }

    func testSeededRandomTensorsAreDeterministicAndPlausible() throws {
        let a = try Tensor.randomNormal([1000], mean: 1, standardDeviation: 2, seed: 42, on: context).toDoubles()
        let b = try Tensor.randomNormal([1000], mean: 1, standardDeviation: 2, seed: 42, on: context).toDoubles()
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, try Tensor.randomNormal([1000], mean: 1, standardDeviation: 2, seed: 43, on: context).toDoubles())
        let mean = a.reduce(0, +) / 1000
        let std = (a.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 999).squareRoot()
        XCTAssertEqual(mean, 1, accuracy: 0.2) // standard error 2/√1000 ≈ 0.063
        XCTAssertEqual(std, 2, accuracy: 0.2)
        let u = try Tensor.randomUniform([500], lower: -3, upper: 5, seed: 1, on: context).toDoubles()
        XCTAssertTrue(u.allSatisfy { $0 >= -3 && $0 < 5 })
        XCTAssertEqual(u.reduce(0, +) / 500, 1, accuracy: 0.4) // standard error 8/√12/√500 ≈ 0.10
        // SplitMix64's published first output for seed 0.
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual(rng.next(), 0xE220_A839_7B1D_CDAF)
    }

    func testBroadcastingForwardValues() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3], on: context)
        let row = try Tensor([10, 20, 30], shape: [3], on: context)
        let column = try Tensor([100, 200], shape: [2, 1], on: context)
        XCTAssertEqual(try (a + row).scalars, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual(try (a - column).scalars, [-99, -98, -97, -196, -195, -194])
        XCTAssertEqual(try (column * row).scalars, [1000, 2000, 3000, 2000, 4000, 6000])
        XCTAssertEqual(try a.sum(axes: [0]).scalars, [5, 7, 9])
        XCTAssertEqual(try a.mean(axes: [1], keepingDims: true).shape, [2, 1])
        XCTAssertEqual(try a.reshaped(to: [3, -1]).shape, [3, 2])
    }

    func testSamePaddingFollowsTensorFlow() throws {
        // 5×5 input, 2×2 kernel, stride 2: output ceil(5/2) = 3, total padding 1, all of it bottom/right.
        let x = try Tensor((1...25).map { Float($0) }, shape: [1, 1, 5, 5], on: context)
        let w = try Tensor.ones([1, 1, 2, 2], on: context)
        let y = try Tensor.conv2d(x, w, stride: (2, 2), padding: .same)
        XCTAssertEqual(y.shape, [1, 1, 3, 3])
        XCTAssertEqual(try y.scalars.last, 25) // the last window holds only x[4][4]
        XCTAssertEqual(try x.maxPool2d(kernel: (2, 2), padding: .same).shape, [1, 1, 3, 3])
    }

    func testShapeErrorsCarryTheCoreMessage() throws {
        let x = try Tensor.zeros([1, 3, 5, 5], on: context)
        let w = try Tensor.zeros([2, 4, 3, 3], on: context)
        XCTAssertThrowsError(try Tensor.conv2d(x, w)) { error in
            let error = error as! ConvKitError
            XCTAssertEqual(error.status, CK_ERR_SHAPE_MISMATCH)
            XCTAssertTrue(error.message.contains("input has 3 channels but weight expects 4"), error.message)
        }
        XCTAssertThrowsError(try Tensor.matmul(try .zeros([2, 3], on: context), try .zeros([4, 5], on: context))) { error in
            XCTAssertTrue((error as! ConvKitError).message.contains("inner sizes differ"), "\(error)")
        }
        XCTAssertThrowsError(try Tensor.zeros([2, 3], on: context) + Tensor.zeros([4], on: context)) { error in
            XCTAssertEqual((error as! ConvKitError).message, "add: shapes [2, 3] and [4] do not broadcast")
        }
        XCTAssertThrowsError(try Tensor.softmaxCrossEntropy(logits: try .zeros([2, 3], on: context),
                                                            labels: try Tensor(labels: [0], on: context))) { error in
            XCTAssertEqual((error as! ConvKitError).status, CK_ERR_SHAPE_MISMATCH, "\(error)")
        }
    }

    func testOtherInvalidInputsThrowInsteadOfTrapping() throws {
        XCTAssertThrowsError(try Tensor.zeros([2, 0], on: context))
        XCTAssertThrowsError(try Tensor.zeros([Int.max, 4], on: context))
        XCTAssertThrowsError(try Tensor([1, 2, 3], shape: [2, 2], on: context))
        XCTAssertThrowsError(try Tensor.zeros([6], on: context).reshaped(to: [4, -1]))
        XCTAssertThrowsError(try Tensor.zeros([2, 3], on: context).sum(axes: [2]))
        XCTAssertThrowsError(try Tensor.zeros([2, 3], on: context).maxPool2d(kernel: (2, 2)))
        XCTAssertThrowsError(try Tensor.zeros([1, 1, 4, 4], on: context).avgPool2d(kernel: (2, 2), stride: (0, 1)))
        XCTAssertThrowsError(try Tensor.zeros([1, 2, 4, 4], on: context).conv2d(groups: Int(Int32.max) + 1))
        let other = try Context(backend: .cpu, threads: 1)
        XCTAssertThrowsError(try Tensor.zeros([2], on: context) * Tensor.zeros([2], on: other)) { error in
            XCTAssertTrue((error as! ConvKitError).message.contains("different contexts"))
        }
        // float64 is computed only by the reference backend; the core says so.
        let precise = try Tensor(doubles: [1, -1], shape: [2], dtype: .float64, on: context)
        XCTAssertThrowsError(try precise.relu()) { error in
            XCTAssertTrue((error as! ConvKitError).message.contains("only the reference backend"), "\(error)")
        }
    }
}

private extension Tensor {
    /// A 1×1 conv with `groups` (for the parameter-range check above).
    func conv2d(groups: Int) throws -> Tensor {
        try Tensor.conv2d(self, try .zeros([2, 1, 1, 1], on: context), groups: groups)
    }
}
