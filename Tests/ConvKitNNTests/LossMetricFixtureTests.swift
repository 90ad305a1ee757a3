import CConvKit
import ConvKit
import ConvKitNN
import XCTest

/// Losses and metrics against PyTorch (Tests/Fixtures/nn/losses.json): values and gradients.
/// Inputs are exact, so each tolerance is twice one side's rounding (u = 2⁻²⁴), stated per test.
final class LossMetricFixtureTests: XCTestCase {
    private var context: Context!
    private var fixtures: FixtureFile!

    override func setUpWithError() throws {
        context = try Context(backend: .cpu, threads: 2)
        fixtures = try FixtureFile("losses")
    }

    /// The case's inputs as tensors (float, or int32 labels), marked as requiring grad where
    /// PyTorch stored a gradient.
    private func inputs(_ c: FixtureCase, dtypes: [DType]) throws -> [Tensor] {
        let raw = try XCTUnwrap(c.object["inputs"] as? [Any]), grads = try XCTUnwrap(c.object["grads"] as? [Any])
        return try zip(zip(raw, grads), dtypes).map { pair, dtype in
            let tensor = try FixtureCase.tensor(from: pair.0, dtype: dtype, on: context)
            return pair.1 is NSNull ? tensor : try tensor.requiringGrad()
        }
    }

    private func expectedGrad(_ c: FixtureCase, _ index: Int) throws -> HostTensor {
        try HostTensor(try XCTUnwrap((c.object["grads"] as? [Any])?[index] as? [String: Any]))
    }

    /// Rows of K logits: each side's loss is within (K + N + 6)·u·(|log Σ exp z| + Σ|z|) per row
    /// on average (K exps, a K-term sum, a log, the smoothed target's K-term sum, an N-term
    /// mean); its gradient (p − target)/N within ((K + 4)·u·p + u·|p − target|)/N.
    func testSoftmaxCrossEntropyWithLabelSmoothing() throws {
        let c = try fixtures.named("cross_entropy_smoothing")
        let t = try inputs(c, dtypes: [.float32, .int32])
        let loss = try Loss.softmaxCrossEntropy(logits: t[0], labels: t[1], labelSmoothing: try c.child("config").double("smoothing"))
        try loss.backward()
        let (n, k) = (t[0].shape[0], t[0].shape[1]), z = try t[0].toDoubles(), labels = try t[1].toDoubles()
        var lossTolerance = 0.0, gradTolerance: [Double] = []
        for row in 0..<n {
            let values = Array(z[row * k..<(row + 1) * k]), top = values.max()!
            let sum = values.reduce(0) { $0 + exp($1 - top) }
            lossTolerance += 2 * Double(k + n + 6) * unitRoundoff * (abs(top + log(sum)) + values.map(abs).reduce(0, +)) / Double(n)
            for (j, value) in values.enumerated() {
                let p = exp(value - top) / sum, target = 0.9 * (Double(j) == labels[row] ? 1 : 0) + 0.1 / Double(k)
                gradTolerance.append(2 * (Double(k + 4) * unitRoundoff * p + unitRoundoff * abs(p - target)) / Double(n))
            }
        }
        assertClose([try loss.item()], try c.values("loss"), tolerance: [lossTolerance], "cross-entropy loss")
        assertClose(try XCTUnwrap(t[0].grad).toDoubles(), try expectedGrad(c, 0), tolerance: gradTolerance, "cross-entropy dlogits")
    }

    /// M elements: each side forms softplus(x) and t·x with at most 10 roundings each and two
    /// M-term means, so the loss is within (M + 10)·u·mean(softplus(x) + |t·x|); the gradient
    /// (σ(x) − t)/M within 6u·(σ(x) + |t|)/M (σ within 4u, a difference, a scaling), the target's
    /// −x/M within 2u·|x|/M.
    func testBinaryCrossEntropyWithLogits() throws {
        for name in ["bce_with_logits_soft_targets", "bce_with_logits_hard_targets"] {
            let c = try fixtures.named(name)
            let t = try inputs(c, dtypes: [.float32, .float32])
            let loss = try Loss.binaryCrossEntropy(logits: t[0], targets: t[1])
            try loss.backward()
            let (x, target) = (try t[0].toDoubles(), try t[1].toDoubles()), m = Double(x.count)
            let softplus = x.map { max($0, 0) + log1p(exp(-abs($0))) }
            let scale = zip(softplus, zip(x, target)).reduce(0) { $0 + $1.0 + abs($1.1.0 * $1.1.1) } / m
            assertClose([try loss.item()], try c.values("loss"), tolerance: [2 * (m + 10) * unitRoundoff * scale], "\(name) loss")
            let sigma = x.map { 1 / (1 + exp(-$0)) }
            assertClose(try XCTUnwrap(t[0].grad).toDoubles(), try expectedGrad(c, 0),
                        tolerance: zip(sigma, target).map { 2 * 6 * unitRoundoff * ($0 + abs($1)) / m }, "\(name) dlogits")
            if t[1].requiresGrad {
                assertClose(try XCTUnwrap(t[1].grad).toDoubles(), try expectedGrad(c, 1),
                            tolerance: x.map { 2 * 2 * unitRoundoff * abs($0) / m }, "\(name) dtargets")
            }
        }
    }

    /// M elements: each side's mean of squared differences is within (M + 3)·u·mean(d²); the
    /// gradients ±2d/M within 3u·|2d/M|.
    func testMeanSquaredError() throws {
        let c = try fixtures.named("mse")
        let t = try inputs(c, dtypes: [.float32, .float32])
        let loss = try Loss.meanSquaredError(t[0], t[1])
        try loss.backward()
        let d = zip(try t[0].toDoubles(), try t[1].toDoubles()).map { $0 - $1 }, m = Double(d.count)
        let meanSquare = d.reduce(0) { $0 + $1 * $1 } / m
        assertClose([try loss.item()], try c.values("loss"), tolerance: [2 * (m + 3) * unitRoundoff * meanSquare], "mse loss")
        let gradTolerance = d.map { 2 * 3 * unitRoundoff * abs(2 * $0 / m) }
        assertClose(try XCTUnwrap(t[0].grad).toDoubles(), try expectedGrad(c, 0), tolerance: gradTolerance, "mse dprediction")
        assertClose(try XCTUnwrap(t[1].grad).toDoubles(), try expectedGrad(c, 1), tolerance: gradTolerance, "mse dtarget")
    }

    /// Accuracy and top-k accuracy count rows exactly (the scores have no ties).
    func testAccuracyAndTopK() throws {
        let c = try fixtures.named("accuracy_topk")
        let logits = try c.tensor("logits", on: context), labels = try c.tensor("labels", dtype: .int32, on: context)
        let rows = Double(logits.shape[0])
        XCTAssertEqual(try Metrics.accuracy(logits: logits, labels: labels), Double(try c.int("top1_hits")) / rows)
        XCTAssertEqual(try Metrics.topKAccuracy(logits: logits, labels: labels, k: 3), Double(try c.int("top3_hits")) / rows)
        XCTAssertEqual(try Metrics.topKAccuracy(logits: logits, labels: labels, k: 6), 1)
    }

    func testLossAndMetricArgumentErrors() throws {
        let logits = try Tensor.zeros([2, 3], on: context)
        XCTAssertThrowsError(try Loss.binaryCrossEntropy(logits: logits, targets: try Tensor.zeros([3, 2], on: context))) { error in
            XCTAssertEqual((error as? ConvKitError)?.status, CK_ERR_SHAPE_MISMATCH)
        }
        XCTAssertThrowsError(try Loss.softmaxCrossEntropy(logits: logits, labels: try Tensor(labels: [0, 1, 2], on: context)))
        XCTAssertThrowsError(try Metrics.topKAccuracy(logits: logits, labels: try Tensor(labels: [0, 3], on: context), k: 1)) { error in
            XCTAssertTrue((error as? ConvKitError)?.message.contains("label 3 is outside 0..<3") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try Metrics.topKAccuracy(logits: logits, labels: try Tensor(labels: [0, 1], on: context), k: 4))
        // Ties go to the lower class index, as argmax.
        XCTAssertEqual(try Metrics.accuracy(logits: logits, labels: try Tensor(labels: [0, 1], on: context)), 0.5)
    }
}
