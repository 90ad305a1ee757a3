import CConvKit
import ConvKit
import XCTest

/// `backward(onGradientReady:)` — each leaf reported once, as soon as its gradient is final —
/// and ops recorded from outside the module (`recording(_:inputs:saved:backward:)`).
final class GradientReadyTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 1) }

    private func vector(_ values: [Float]) throws -> Tensor { try Tensor(values, shape: [values.count], on: context) }

    func testEachLeafIsReportedOnceWithItsFinalGradientLastLayerFirst() throws {
        // y = sum(w2 * relu(w1 * x) + w1): w1 is used twice, by the first and the last op.
        let x = try vector([1, -2, 3])
        let w1 = try vector([0.5, 1, -1]).requiringGrad()
        let w2 = try vector([2, 3, 4]).requiringGrad()
        let y = try (w2 * (w1 * x).relu() + w1).sum()
        var reports: [(leaf: String, gradient: [Float])] = []
        try y.backward { leaf in
            reports.append((leaf === w1 ? "w1" : leaf === w2 ? "w2" : "?", try leaf.grad!.scalars))
        }
        XCTAssertEqual(reports.map(\.leaf), ["w2", "w1"], "w2's last use comes first in reverse order")
        XCTAssertEqual(reports[0].gradient, try w2.grad!.scalars)
        XCTAssertEqual(reports[1].gradient, try w1.grad!.scalars, "w1 reported only after both of its uses")
        // dy/dw1 = w2 · x · [w1·x > 0] + 1 = [2·1 + 1, 0 + 1, 0 + 1]; dy/dw2 = relu(w1 · x) = [0.5, 0, 0].
        XCTAssertEqual(try w1.grad!.scalars, [3, 1, 1])
        XCTAssertEqual(try w2.grad!.scalars, [0.5, 0, 0])
    }

    func testALeafLossIsReportedAndNoHookChangesNothing() throws {
        let w = try vector([4]).requiringGrad()
        var reported = 0
        try w.backward(gradient: vector([2])) { _ in reported += 1 }
        XCTAssertEqual(reported, 1)
        let v = try vector([1, 2]).requiringGrad()
        try (v * v).sum().backward()
        XCTAssertEqual(try v.grad!.scalars, [2, 4])
    }

    func testAnErrorFromTheHookEndsBackward() throws {
        let w = try vector([1, 2]).requiringGrad()
        struct Refused: Error {}
        XCTAssertThrowsError(try (w * w).sum().backward { _ in throw Refused() }) { XCTAssertTrue($0 is Refused) }
    }

    func testACustomOpGetsItsGradientFromItsClosure() throws {
        // cube(x) = x³ computed outside the tape, with the rule d/dx = 3x²·dy.
        let x = try vector([1, -2, 0.5]).requiringGrad()
        let value = try withNoGrad { try x * x * x }
        let cube = try value.recording("cube", inputs: [x], saved: [x]) { dy in
            [try withNoGrad { try dy * x * x.scaled(by: 3) }]
        }
        try (cube * cube).sum().backward()
        // d/dx (x⁶) = 6x⁵.
        XCTAssertEqual(try x.grad!.scalars, [6, -192, 0.1875])
    }

    func testACustomOpChecksWhatItRecords() throws {
        let x = try vector([1, 2]).requiringGrad()
        XCTAssertThrowsError(try x.recording("again", inputs: [x]) { dy in [dy] }) { error in
            XCTAssertTrue((error as! ConvKitError).message.contains("only a fresh result can be recorded"))
        }
        let wrongShape = try withNoGrad { try x.scaled(by: 2) }.recording("wrong", inputs: [x]) { _ in [try self.vector([1])] }
        XCTAssertThrowsError(try wrongShape.sum().backward()) { error in
            XCTAssertTrue((error as! ConvKitError).message.contains("wrong: backward gave a gradient of shape [1]"))
        }
        let saved = try vector([3, 4])
        let readsSaved = try withNoGrad { try x * saved }.recording("readsSaved", inputs: [x], saved: [saved]) { dy in
            [try withNoGrad { try dy * saved }]
        }
        try saved.fill(0)
        XCTAssertThrowsError(try readsSaved.sum().backward()) { error in
            XCTAssertTrue((error as! ConvKitError).message.contains("saved by readsSaved was modified in place"))
        }
    }

    func testHostCopiesRoundTripAndCheckTheCount() throws {
        let t = try vector([1, 2, 3])
        var host: [Float] = [0, 0, 0]
        try host.withUnsafeMutableBufferPointer { try t.copy(to: $0) }
        XCTAssertEqual(host, [1, 2, 3])
        try [7, 8, 9].withUnsafeBufferPointer { try t.copy(from: $0) }
        XCTAssertEqual(try t.scalars, [7, 8, 9])
        XCTAssertEqual(t.version, 1, "an in-place change")
        XCTAssertThrowsError(try [1, 2].withUnsafeBufferPointer { try t.copy(from: $0) })
    }
}
