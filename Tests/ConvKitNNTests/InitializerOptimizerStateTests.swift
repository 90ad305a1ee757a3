import CConvKit
import ConvKit
import ConvKitNN
import XCTest

/// Seeded initializers (PyTorch's formulas) and the optimizers' named state.
final class InitializerOptimizerStateTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 2) }

    /// Bound and sample standard deviation of `values`. For n draws the sample standard
    /// deviation is within about √((κ − 1)/(4n)) relatively of the true one (κ the kurtosis:
    /// 1.8 uniform, 3 normal), below 1.3% for the n ≥ 1,500 used here; the checks allow 6%.
    private func assertDistribution(_ tensor: Tensor, bound: Double?, standardDeviation: Double, _ label: String) throws {
        let values = try tensor.toDoubles(), n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
        if let bound { XCTAssertLessThanOrEqual(values.map(abs).max()!, bound, label) }
        XCTAssertEqual(std, standardDeviation, accuracy: 0.06 * standardDeviation, label)
        XCTAssertEqual(mean, 0, accuracy: 6 * standardDeviation / n.squareRoot(), label)
    }

    func testPyTorchDefaultInitialization() throws {
        // Conv weight (O, C/groups, KH, KW): fan_in = C/groups·KH·KW, bound 1/√fan_in for weight and bias.
        let conv = try Conv2D(inChannels: 32, outChannels: 64, kernelSize: (3, 3), groups: 2, seed: 1, on: context)
        let convBound = 1 / Double(16 * 9).squareRoot()
        try assertDistribution(conv.weight, bound: convBound, standardDeviation: convBound / 3.0.squareRoot(), "conv weight")
        XCTAssertLessThanOrEqual(try XCTUnwrap(conv.bias).toDoubles().map(abs).max()!, convBound)
        // Transposed conv weight (C, O/groups, KH, KW): PyTorch's fan_in is O/groups·KH·KW.
        let transposed = try ConvTranspose2D(inChannels: 64, outChannels: 8, kernelSize: (3, 3), groups: 2, seed: 2, on: context)
        let transposedBound = 1 / Double(4 * 9).squareRoot()
        try assertDistribution(transposed.weight, bound: transposedBound, standardDeviation: transposedBound / 3.0.squareRoot(), "transposed")
        let dense = try Dense(inFeatures: 100, outFeatures: 50, seed: 3, on: context)
        try assertDistribution(dense.weight, bound: 0.1, standardDeviation: 0.1 / 3.0.squareRoot(), "dense weight")
    }

    func testKaimingAndXavierInitializers() throws {
        let kaiming = try Conv2D(inChannels: 16, outChannels: 32, kernelSize: (3, 3), weightInitializer: .kaimingNormal(mode: .fanOut),
                                 seed: 4, on: context)
        try assertDistribution(kaiming.weight, bound: nil, standardDeviation: 2.0.squareRoot() / Double(32 * 9).squareRoot(), "kaiming normal")
        let uniform = try Initializer.kaimingUniform(mode: .fanIn, nonlinearity: .tanh).makeTensor([40, 50], seed: 5, on: context)
        let tanhBound = 5.0 / 3 * (3.0 / 50).squareRoot()
        try assertDistribution(uniform, bound: tanhBound, standardDeviation: tanhBound / 3.0.squareRoot(), "kaiming uniform tanh")
        let xavier = try Dense(inFeatures: 100, outFeatures: 50, weightInitializer: .xavierUniform(), seed: 6, on: context)
        try assertDistribution(xavier.weight, bound: (6.0 / 150).squareRoot(), standardDeviation: (2.0 / 150).squareRoot(), "xavier uniform")
        let xavierNormal = try Initializer.xavierNormal(gain: 2).makeTensor([60, 40], seed: 7, on: context)
        try assertDistribution(xavierNormal, bound: nil, standardDeviation: 2 * (2.0 / 100).squareRoot(), "xavier normal")
        XCTAssertEqual(Nonlinearity.leakyRelu(negativeSlope: 0.2).gain, (2 / 1.04).squareRoot(), accuracy: 1e-15)
        XCTAssertThrowsError(try Initializer.xavierUniform().makeTensor([5], seed: 1, on: context))
    }

    func testInitializationIsSeeded() throws {
        let a = try Conv2D(inChannels: 3, outChannels: 4, kernelSize: (3, 3), seed: 9, on: context)
        let b = try Conv2D(inChannels: 3, outChannels: 4, kernelSize: (3, 3), seed: 9, on: context)
        let c = try Conv2D(inChannels: 3, outChannels: 4, kernelSize: (3, 3), seed: 10, on: context)
        XCTAssertEqual(try a.weight.toArray(), try b.weight.toArray())
        XCTAssertEqual(try a.bias?.toArray(), try b.bias?.toArray())
        XCTAssertNotEqual(try a.weight.toArray(), try c.weight.toArray())
        let block = try BasicBlock(inChannels: 4, outChannels: 4, seed: 1, on: context)
        XCTAssertNotEqual(try block.conv1.weight.toArray(), try block.conv2.weight.toArray(), "a block's convs get derived seeds")
    }

    private func tinyModel() throws -> Dense {
        let dense = try Dense(inFeatures: 3, outFeatures: 2, seed: 1, on: context)
        let loss = try Loss.meanSquaredError(dense(try Tensor.randomNormal([4, 3], seed: 2, on: context)),
                                             try Tensor.zeros([4, 2], on: context))
        try loss.backward()
        return dense
    }

    func testOptimizerStateIsNamedAndRestores() throws {
        let model = try tinyModel()
        let adam = try Adam(model.namedParameters(), learningRate: 0.01)
        try adam.step()
        let state = try adam.namedState()
        XCTAssertEqual(Set(state.map(\.name)), ["weight.exp_avg", "weight.exp_avg_sq", "weight.step", "bias.exp_avg", "bias.exp_avg_sq",
                                                "bias.step"])
        // A second optimizer restored from that state takes the very same next step.
        let twin = try tinyModel()
        try twin.loadStateDict(Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor) }))
        let restored = try Adam(twin.namedParameters(), learningRate: 0.01)
        try restored.loadState(Dictionary(uniqueKeysWithValues: state.map { ($0.name, try $0.tensor.detach()) }))
        XCTAssertEqual(restored.states[0].step, 1)
        try adam.step()
        try restored.step()
        XCTAssertEqual(try model.weight.toArray(), try twin.weight.toArray())
        XCTAssertThrowsError(try restored.loadState(["weight.velocity": try Tensor.zeros([2, 3], on: context)])) { error in
            XCTAssertTrue((error as? ConvKitError)?.message.contains("unknown entries [\"weight.velocity\"]") ?? false, "\(error)")
        }
        let sgd = try SGD(model.namedParameters(), learningRate: 0.1, momentum: 0.9)
        try sgd.step()
        XCTAssertEqual(Set(try sgd.namedState().map(\.name)), ["weight.momentum_buffer", "weight.step", "bias.momentum_buffer", "bias.step"])
        let rms = try RMSProp(model.namedParameters(), momentum: 0.5)
        try rms.step()
        XCTAssertEqual(Set(try rms.namedState().map(\.name)).count, 6)
    }

    func testParametersWithoutGradientsAreSkipped() throws {
        let dense = try Dense(inFeatures: 2, outFeatures: 2, seed: 1, on: context)
        let sgd = try SGD(dense.namedParameters(), learningRate: 0.1, momentum: 0.9)
        let before = try dense.weight.toArray()
        try sgd.step()
        XCTAssertEqual(try dense.weight.toArray(), before)
        XCTAssertEqual(sgd.states[0].step, 0)
        XCTAssertThrowsError(try SGD(dense.namedParameters(), learningRate: 0.1, dampening: 0.5, nesterov: true))
        XCTAssertThrowsError(try Adam([("x", try Tensor.zeros([2], on: context))]), "a parameter must require grad")
    }

    /// Clipping by value is exact: every element is either kept or replaced by ±limit.
    func testClipByValueIsExact() throws {
        let parameter = try Tensor.zeros([6], on: context).requiringGrad()
        try (parameter * Tensor([-3, -0.5, 0.1, 0.49999997, 0.5, 7e30], shape: [6], on: context)).sum().backward()
        try GradientClipping.clipByValue([parameter], limit: 0.5)
        XCTAssertEqual(try parameter.grad?.toArray(), [-0.5, -0.5, 0.1, 0.49999997, 0.5, 0.5])
        XCTAssertEqual(try GradientClipping.clipByGlobalNorm([parameter], maxNorm: 10), (0.25 * 3 + 0.01 + 0.49999997 * 0.49999997 + 0.25)
            .squareRoot(), accuracy: 1e-6)
    }
}
