import ConvKit
import ConvKitNN
import ConvKitTestSupport
import XCTest

/// Every layer and block of Tests/Fixtures/nn/layers.json against PyTorch: the same state dict is
/// loaded, then each step (training or evaluation) compares the output, the input gradient, the
/// parameter gradients for the stored upstream gradient dy, and the buffers afterwards.
///
/// Tolerances: |ConvKit − PyTorch| ≤ 2·γ(K)·S per element, where S bounds Σ|terms| of every sum
/// that element depends on (``MagnitudeRun``: the network rerun on magnitudes) and K adds the
/// term counts of the layers' forward and backward sums (``termCount(_:norms:)``); selections
/// (ReLU, max, padding, cropping, nearest upsampling, flattening) have no sums, so K = 0 there
/// and the results must be identical. Running statistics: ``RunningStatisticsTracker``.
/// Sigmoid, tanh and softmax evaluate exp/tanh: see ``transcendentalTolerances``.
///
/// Every case runs on the CPU backend, then on the OpenCL backend (PoCL in CI) unless
/// `CONVKIT_TEST_BACKENDS` leaves it out (``TestBackends``); the bounds hold on both, since
/// they do not depend on the order of summation.
final class LayerFixtureTests: XCTestCase {
    private var context: Context!
    private var fixtures: FixtureFile!

    override func setUpWithError() throws {
        fixtures = try FixtureFile("layers")
    }

    private func run(kinds: Set<String>) throws {
        let cases = fixtures.cases.filter { kinds.contains((try? $0.string("kind")) ?? "") }
        XCTAssertFalse(cases.isEmpty, "no fixture cases of kinds \(kinds)")
        context = try Context(backend: .cpu, threads: 2)
        for c in cases { try check(c) }
        guard try TestBackends.openCLRequired() else { return }
        context = try TestBackends.openCLContext()
        for c in cases { try check(c) }
    }

    func testConvolutions() throws { try run(kinds: ["Conv2D", "DepthwiseConv2D", "SeparableConv2D", "ConvTranspose2D"]) }
    func testPoolingAndDense() throws { try run(kinds: ["MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "Dense", "Flatten"]) }
    func testBatchNormTrainingEvaluationAndRunningStatistics() throws { try run(kinds: ["BatchNorm2D"]) }
    func testActivations() throws { try run(kinds: ["ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax"]) }
    func testPaddingCroppingUpsampling() throws { try run(kinds: ["ZeroPadding2D", "Cropping2D", "UpSampling2D"]) }
    func testResidualBlocksAndSequential() throws { try run(kinds: ["BasicBlock", "Sequential"]) }

    private func build(_ kind: String, _ config: FixtureCase, magnitudes: Bool = false) throws -> any Module {
        guard kind == "Sequential" else { return try makeLayer(kind: kind, config: config, magnitudes: magnitudes, on: context) }
        return try makeSmallCNN(inChannels: config.int("in"), channels: config.int("channels"), convBias: config.bool("bias"),
                                maxPool: config.bool("max_pool"), denseIn: config.int("dense_in"), classes: config.int("classes"),
                                magnitudes: magnitudes, on: context)
    }

    private func check(_ c: FixtureCase) throws {
        let kind = try c.string("kind"), config = try c.child("config")
        let layer = try build(kind, config)
        try layer.loadStateDict(try c.tensors("state", on: context))
        XCTAssertEqual(Set(layer.stateDict().map(\.name)), Set(try c.child("state").object.keys), "\(c.name): state-dict names")
        var tracker = RunningStatisticsTracker()
        for (index, step) in try c.list("steps").enumerated() {
            let label = "\(c.name) step \(index) [\(context.backendName)]", training = step.bool("training")
            let before = try hostState(layer)
            let copy = try build(kind, config)
            try copy.loadStateDict(Dictionary(uniqueKeysWithValues: layer.stateDict().map { ($0.name, $0.tensor) }))
            copy.train(training)
            let (x, dy) = (try step.values("x"), try step.values("dy"))
            let (traversed, calls) = try withNoGrad { try traverse(copy, try Tensor(doubles: x.values, shape: x.shape, on: context)) }
            let norms = try tracker.statistics(of: calls, state: before, training: training)
            let terms = calls.reduce(kind == "BasicBlock" ? 2 : 0) { $0 + termCount($1, norms: norms) }

            layer.train(training)
            layer.zeroGrad()
            let input = try step.tensor("x", on: context).requiringGrad()
            let y = try layer(input)
            try y.backward(gradient: try step.tensor("dy", on: context))
            // The layer-by-layer rerun (the block's formula written out from its children) is the same computation.
            XCTAssertTrue(try traversed.toDoubles() == y.toDoubles(), "\(label): the output differs from its children composed")

            if ["Sigmoid", "Tanh", "Softmax"].contains(kind) {
                let (yTol, dxTol) = transcendentalTolerances(kind, y: try y.toDoubles(), yShape: y.shape, dy: dy.values)
                assertClose(try y.toDoubles(), try step.values("y"), tolerance: yTol, "\(label) y")
                assertClose(try XCTUnwrap(input.grad).toDoubles(), try step.values("dx"), tolerance: dxTol, "\(label) dx")
                continue
            }
            let magnitudes = try runMagnitudes(try build(kind, config, magnitudes: true), state: before, norms: norms, terms: terms,
                                               x: x, on: context) { _ in dy.values.map(abs) }
            assertClose(try y.toDoubles(), try step.values("y"), tolerance: sumTolerance(terms: terms, magnitudes: magnitudes.y), "\(label) y")
            assertClose(try XCTUnwrap(input.grad).toDoubles(), try step.values("dx"),
                        tolerance: sumTolerance(terms: terms, magnitudes: magnitudes.dx), "\(label) dx")
            let expectedGrads = try step.child("grads")
            XCTAssertEqual(Set(layer.namedParameters().map(\.name)), Set(expectedGrads.object.keys), "\(label): gradient names")
            for (name, parameter) in layer.namedParameters() {
                assertClose(try XCTUnwrap(parameter.grad, "\(label): no gradient for \(name)").toDoubles(), try expectedGrads.values(name),
                            tolerance: sumTolerance(terms: terms, magnitudes: try XCTUnwrap(magnitudes.grads[name])), "\(label) d\(name)")
            }
            if training { try tracker.update(norms, calls: calls, state: before, magnitudes: magnitudes) }
            let expectedBuffers = try step.child("buffers")
            for (name, buffer) in layer.namedBuffers() {
                assertClose(try buffer.toDoubles(), try expectedBuffers.values(name),
                            tolerance: tracker.tolerance(of: name, count: buffer.count), "\(label) \(name)")
            }
        }
    }

    /// Sigmoid and tanh (libm expf / tanhf on the CPU): each side is within 4u + 4u·|y| of the
    /// exact output (see the op suite's suite_activation.c), and its derivative, formed from the
    /// output, within 10u·|dy|. Softmax over k classes: each exp is within 2u relatively, the row
    /// sum of k terms within γ(k), the division within u, so y within (k + 4)u·y; its gradient
    /// y·(dy − Σ dy·y) then errs by at most (3k + 10)u·y·(|dy| + Σ|dy|·y). Twice each, for two sides.
    private func transcendentalTolerances(_ kind: String, y: [Double], yShape: [Int], dy: [Double]) -> ([Double], [Double]) {
        let u = unitRoundoff
        guard kind == "Softmax" else { return (y.map { 8 * u * (1 + abs($0)) }, dy.map { 20 * u * abs($0) }) }
        let k = yShape[1]
        var yTol = [Double](), dxTol = [Double]()
        for row in 0..<yShape[0] {
            let range = row * k..<(row + 1) * k
            let weighted = range.reduce(0) { $0 + abs(dy[$1]) * y[$1] }
            for i in range {
                yTol.append(2 * Double(k + 4) * u * y[i])
                dxTol.append(2 * Double(3 * k + 10) * u * y[i] * (abs(dy[i]) + weighted))
            }
        }
        return (yTol, dxTol)
    }
}
