import CConvKit
import ConvKit
import XCTest

/// Finite-difference checks of the ops added for ConvKitNN's layers (linear, softmax, zero
/// padding, cropping, nearest and bilinear upsampling), in every precision of ``Precision`` (reference float64, CPU and OpenCL float32),
/// and their exactness and argument errors.
final class LayerSupportGradientCheckTests: XCTestCase {
    private func check(_ label: String, _ inputs: [GradInput], file: StaticString = #filePath, line: UInt = #line,
                       _ f: (Context, [Tensor]) throws -> Tensor) throws {
        try Precision.forEach { try checkGradients($0, label, inputs, file: file, line: line, f) }
    }

    func testLinear() throws {
        try check("linear with bias", [.uniform([3, 4], seed: 60), .uniform([5, 4], seed: 61), .uniform([5], seed: 62)]) {
            try Tensor.linear($1[0], weight: $1[1], bias: $1[2])
        }
        try check("linear, input reused as weight", [.uniform([3, 3], seed: 63)]) { try Tensor.linear($1[0], weight: $1[0]) }
    }

    func testSoftmax() throws {
        try check("softmax", [.uniform([3, 5], seed: 64, -3, 3)]) { try $1[0].softmax() }
        try check("softmax then product", [.uniform([2, 4], seed: 65, -2, 2), .uniform([2, 4], seed: 66)]) { try $1[0].softmax() * $1[1] }
    }

    func testPaddingAndCropping() throws {
        try check("zeroPadded", [.uniform([2, 3, 3, 2], seed: 67)]) { try $1[0].zeroPadded(top: 0, bottom: 2, left: 1, right: 3) }
        try check("cropped", [.uniform([2, 2, 5, 4], seed: 68)]) { try $1[0].cropped(top: 1, bottom: 2, left: 0, right: 1) }
    }

    func testUpsampling() throws {
        try check("upsampledNearest", [.uniform([2, 2, 3, 2], seed: 69)]) { try $1[0].upsampledNearest(scale: (2, 3)) }
        try check("upsampledBilinear", [.uniform([1, 2, 3, 4], seed: 70)]) { try $1[0].upsampledBilinear(scale: (2, 2)) }
        try check("upsampledBilinear align corners", [.uniform([2, 1, 3, 2], seed: 71)]) {
            try $1[0].upsampledBilinear(scale: (3, 2), alignCorners: true)
        }
        try check("resizedBilinear 3×4 to 7×5", [.uniform([1, 2, 3, 4], seed: 72)]) { try $1[0].resizedBilinear(height: 7, width: 5) }
        try check("resizedBilinear 5×6 to 3×4", [.uniform([2, 1, 5, 6], seed: 73)]) { try $1[0].resizedBilinear(height: 3, width: 4) }
    }

    /// Bilinear resizing to sizes that are not integer multiples: PyTorch 1.13's
    /// `F.interpolate(x, size=…, mode="bilinear")` gives [1, 1.4000001, 2, 2.6000001, 3] for
    /// (1, 2, 3) → 5 wide and [1.3333333, 3, 4.6666665] for (1, 2, 3, 4, 5) → 3 wide. Sample
    /// points 0.6·(o + ½) − ½ and 5/3·(o + ½) − ½, each a float32 product and difference, so 1e-6
    /// covers their rounding (a few units of 2⁻²³ on values up to 5).
    func testResizedBilinearMatchesPyTorch() throws {
        let context = try Context(backend: .cpu, threads: 2)
        let row = try Tensor([1, 2, 3], shape: [1, 1, 1, 3], on: context)
        for (value, expected) in zip(try row.resizedBilinear(height: 1, width: 5).scalars, [1, 1.4000001, 2, 2.6000001, 3] as [Float]) {
            XCTAssertEqual(value, expected, accuracy: 1e-6)
        }
        let wide = try Tensor([1, 2, 3, 4, 5], shape: [1, 1, 1, 5], on: context)
        for (value, expected) in zip(try wide.resizedBilinear(height: 1, width: 3).scalars, [1.3333333, 3, 4.6666665] as [Float]) {
            XCTAssertEqual(value, expected, accuracy: 1e-6)
        }
        XCTAssertThrowsError(try row.resizedBilinear(height: 0, width: 2)) { error in
            XCTAssertTrue((error as? ConvKitError)?.message.contains("at least 1×1") ?? false, "\(error)")
        }
    }

    /// Padding, cropping and nearest upsampling move values without arithmetic.
    func testSelectionsAreExact() throws {
        let context = try Context(backend: .cpu, threads: 2)
        let x = try Tensor([1, 2, 3, 4, 5, 6], shape: [1, 1, 2, 3], on: context)
        XCTAssertEqual(try x.zeroPadded(top: 1, bottom: 0, left: 0, right: 1).scalars, [0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0])
        XCTAssertEqual(try x.cropped(top: 1, bottom: 0, left: 1, right: 0).scalars, [5, 6])
        XCTAssertEqual(try x.upsampledNearest(scale: (1, 2)).scalars, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6])
        // Half-pixel bilinear along W of (1, 2, 3): samples at −0.25 (clamped to 0), 0.25, 0.75, ...
        let row = try Tensor([1, 2, 3], shape: [1, 1, 1, 3], on: context)
        XCTAssertEqual(try row.upsampledBilinear(scale: (1, 2)).scalars, [1, 1.25, 1.75, 2.25, 2.75, 3])
        XCTAssertThrowsError(try x.cropped(top: 1, bottom: 1, left: 0, right: 0)) { error in
            XCTAssertTrue((error as? ConvKitError)?.message.contains("leave at least one row") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try x.upsampledNearest(scale: (0, 1)))
        XCTAssertThrowsError(try x.upsampledBilinear(scale: (Int.max, 1))) { error in
            XCTAssertEqual((error as? ConvKitError)?.status, CK_ERR_OVERFLOW, "\(error)")
        }
        XCTAssertThrowsError(try x.upsampledNearest(scale: (1 << 40, 1 << 40)))
        XCTAssertThrowsError(try Tensor.zeros([2, 3], on: context).zeroPadded(top: 1, bottom: 1, left: 1, right: 1))
        XCTAssertThrowsError(try Tensor.zeros([2, 3, 1], on: context).softmax())
        XCTAssertThrowsError(try Tensor.linear(Tensor.zeros([2, 3], on: context), weight: Tensor.zeros([4, 2], on: context))) { error in
            XCTAssertEqual((error as? ConvKitError)?.status, CK_ERR_SHAPE_MISMATCH)
        }
    }

    /// `clamp` (two max-pool passes) returns each element or a bound, bit for bit.
    func testClampIsExact() throws {
        let context = try Context(backend: .cpu, threads: 2)
        let values: [Float] = [-1e30, -2.5, -1, -0.99999994, 0, .leastNonzeroMagnitude, 0.75, 1, 3]
        let x = try Tensor(values, shape: [values.count], on: context)
        try x.clamp(min: -1, max: 0.75)
        XCTAssertEqual(try x.scalars, values.map { Swift.min(Swift.max($0, -1), 0.75) })
        XCTAssertThrowsError(try x.clamp(min: 1, max: 0))
        XCTAssertThrowsError(try Tensor.zeros([2], on: context).requiringGrad().clamp(min: 0, max: 1), "needs withNoGrad")
    }
}
