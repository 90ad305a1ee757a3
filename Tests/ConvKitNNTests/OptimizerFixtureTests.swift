import ConvKit
import ConvKitNN
import XCTest

/// Each optimizer (SGD with momentum / dampening / Nesterov / weight decay, Adam, Adam with L2,
/// AdamW, both with and without AMSGrad, RMSProp plain and centered, with and without momentum),
/// gradient clipping by norm and by value, and schedules driving the rate (chained, exponential,
/// and a warm-up followed by cosine annealing through ``SequentialLR``), against PyTorch
/// (Tests/Fixtures/nn/optimizers.json): ten training steps of a small CNN (conv → batch norm →
/// ReLU → global pool → dense, cross-entropy).
///
/// Step by step, with PyTorch's parameters loaded before each step (so rounding differences do
/// not compound through the network, while the optimizer state runs on from ConvKit's own
/// steps): the learning rate used, the loss, every parameter gradient, the clipped gradient norm
/// and every parameter after the update; at the end the batch-norm buffers, and the optimizer's
/// state tensors, which must have PyTorch's keys (`exp_avg`, `max_exp_avg_sq`, `grad_avg`, …)
/// and values (within the error model's bound on how far the two states may be apart).
/// Tolerances: gradients 2·γ(K)·S as in ``LayerFixtureTests`` (K here adds the loss's terms);
/// the loss and its gradient see the right-hand comments; the update: ``OptimizerErrorModel``.
final class OptimizerFixtureTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 2) }

    func testOptimizersAndClippingMatchPyTorchStepByStep() throws {
        let cases = try FixtureFile("optimizers").cases
        XCTAssertEqual(cases.count, 16)
        for c in cases { try check(c) }
    }

    private func makeOptimizer(_ config: FixtureCase, _ parameters: [(name: String, tensor: Tensor)]) throws -> Optimizer {
        let lr = try config.double("lr")
        switch try config.string("optimizer") {
        case "sgd":
            return try SGD(parameters, learningRate: lr, momentum: config.double("momentum"), dampening: config.double("dampening"),
                           weightDecay: config.double("weight_decay"), nesterov: config.bool("nesterov"))
        case "adam":
            return try Adam(parameters, learningRate: lr, beta1: config.double("beta1"), beta2: config.double("beta2"),
                            epsilon: config.double("eps"), weightDecay: config.double("weight_decay"), amsgrad: config.bool("amsgrad"))
        case "adamw":
            return try Adam.adamW(parameters, learningRate: lr, beta1: config.double("beta1"), beta2: config.double("beta2"),
                                  epsilon: config.double("eps"), weightDecay: config.double("weight_decay"),
                                  amsgrad: config.bool("amsgrad"))
        default:
            return try RMSProp(parameters, learningRate: lr, alpha: config.double("alpha"), epsilon: config.double("eps"),
                               weightDecay: config.double("weight_decay"), momentum: config.double("momentum"),
                               centered: config.bool("centered"))
        }
    }

    /// The case's schedule as its per-epoch step: chained, or sequential when it lists milestones.
    private func makeSchedule(_ config: FixtureCase, _ optimizer: Optimizer) throws -> (() -> Void)? {
        guard config.has("schedulers") else { return nil }
        let schedulers = try config.list("schedulers").map { try makeScheduler($0, optimizer) }
        if config.has("milestones") {
            let sequence = try SequentialLR(optimizer, schedulers: schedulers, milestones: config.ints("milestones"))
            return sequence.step
        }
        return try ChainedScheduler(schedulers).step
    }

    private func network(_ spec: FixtureCase, magnitudes: Bool = false) throws -> Sequential {
        try makeSmallCNN(inChannels: spec.int("in"), channels: spec.int("channels"), convBias: spec.bool("bias"),
                         maxPool: spec.bool("max_pool"), denseIn: spec.int("dense_in"), classes: spec.int("classes"),
                         magnitudes: magnitudes, on: context)
    }

    private func check(_ c: FixtureCase) throws {
        let config = try c.child("config"), spec = try c.child("network")
        let model = try network(spec)
        try model.loadStateDict(try c.tensors("state", on: context))
        let optimizer = try makeOptimizer(config, model.namedParameters())
        let schedule = try makeSchedule(config, optimizer)
        let (x, labelValues) = (try c.values("x"), try c.values("labels").values.map { Int($0) })
        let labels = try c.tensor("labels", dtype: .int32, on: context)
        var tracker = RunningStatisticsTracker(), updates = try OptimizerErrorModel(config)
        var previous = try c.child("state")
        for (t, step) in try c.list("steps").enumerated() {
            let label = "\(c.name) step \(t)"
            try withNoGrad {
                for (name, parameter) in model.namedParameters() { try parameter.assign(try previous.values(name).values.map { Float($0) }) }
            }
            XCTAssertEqual(optimizer.learningRate, try step.double("lr"), accuracy: 1e-15 * optimizer.learningRate, "\(label): lr")
            let before = try hostState(model)
            let copy = try network(spec)
            try copy.loadStateDict(Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor) }))
            let (_, calls) = try withNoGrad { try traverse(copy, try Tensor(doubles: x.values, shape: x.shape, on: context)) }
            let norms = try tracker.statistics(of: calls, state: before, training: true)
            let classes = try spec.int("classes"), batch = labelValues.count
            // The loss: a log-sum-exp over the classes and a mean over the batch, forward and back.
            let terms = calls.reduce(Double(classes + batch + 6)) { $0 + termCount($1, norms: norms) }

            model.zeroGrad()
            let logits = try model(try Tensor(doubles: x.values, shape: x.shape, on: context))
            let loss = try Loss.softmaxCrossEntropy(logits: logits, labels: labels)
            try loss.backward()
            let z = try logits.toDoubles()
            var logitError: [Double] = []
            let magnitudes = try runMagnitudes(try network(spec, magnitudes: true), state: before, norms: norms, terms: terms,
                                               x: x, on: context) { zMagnitudes in
                logitError = zMagnitudes.map { 2 * gamma(terms) * $0 }
                return lossGradientMagnitudes(z: z, labels: labelValues, classes: classes, logitError: logitError, terms: terms)
            }
            assertClose([try loss.item()], try step.values("loss"),
                        tolerance: [lossTolerance(z: z, labels: labelValues, classes: classes, logitError: logitError)], "\(label) loss")
            let expectedGrads = try step.child("grads")
            var gradientTolerance: [String: [Double]] = [:]
            for (name, parameter) in model.namedParameters() {
                let tolerance = sumTolerance(terms: terms, magnitudes: try XCTUnwrap(magnitudes.grads[name]))
                assertClose(try XCTUnwrap(parameter.grad).toDoubles(), try expectedGrads.values(name), tolerance: tolerance, "\(label) d\(name)")
                gradientTolerance[name] = tolerance
            }
            try clip(config, model, step, &gradientTolerance, label)
            let oldState = try optimizerState(optimizer)
            try optimizer.step()
            schedule?()
            let newState = try optimizerState(optimizer)
            let expectedParams = try step.child("params")
            for (index, (name, parameter)) in model.namedParameters().enumerated() {
                let tolerance = try updates.parameterTolerance(
                    name: name, p: try XCTUnwrap(before[name]), g: try XCTUnwrap(parameter.grad).toDoubles(),
                    dg: try XCTUnwrap(gradientTolerance[name]), old: oldState[index], new: newState[index],
                    t: optimizer.states[index].step, lr: try step.double("lr"))
                assertClose(try parameter.toDoubles(), try expectedParams.values(name), tolerance: tolerance, "\(label) \(name)")
            }
            try tracker.update(norms, calls: calls, state: before, magnitudes: magnitudes)
            previous = expectedParams
        }
        let finalBuffers = try c.child("final_buffers")
        for (name, buffer) in model.namedBuffers() {
            assertClose(try buffer.toDoubles(), try finalBuffers.values(name), tolerance: tracker.tolerance(of: name, count: buffer.count),
                        "\(c.name) final \(name)")
        }
        let finalState = try c.child("final_state")
        for (index, (name, _)) in model.namedParameters().enumerated() {
            let expected = try finalState.child(name), state = optimizer.states[index].tensors
            XCTAssertEqual(Set(state.keys), Set(expected.object.keys), "\(c.name) \(name): optimizer state keys")
            for (key, tensor) in state where expected.has(key) {
                let tolerance = try XCTUnwrap(updates.stateTolerance(name: name, key: key), "\(c.name): no error bound for \(key)")
                assertClose(try tensor.toDoubles(), try expected.values(key), tolerance: tolerance, "\(c.name) final \(name).\(key)")
            }
        }
    }

    /// Applies the case's clipping and widens the gradient tolerances accordingly. By norm: the
    /// squared norm of n elements errs by γ(n)·Σg² per side and by 2Σ|g|·dg from the gradients,
    /// so the norm by half that relative to itself; the factor maxNorm/(norm + 1e-6) then errs
    /// relatively by δnorm/norm plus 3 roundings a side, and scales both gradient and tolerance.
    /// By value: clamping is exact and 1-Lipschitz, so tolerances carry over.
    private func clip(_ config: FixtureCase, _ model: Sequential, _ step: FixtureCase, _ tolerance: inout [String: [Double]],
                      _ label: String) throws {
        let parameters = model.namedParameters()
        if config.has("clip_norm") {
            let grads = try parameters.map { try XCTUnwrap($0.tensor.grad).toDoubles() }
            let n = Double(grads.reduce(0) { $0 + $1.count })
            let squares = grads.joined().reduce(0) { $0 + $1 * $1 }
            let fromGradients = zip(grads.joined(), parameters.flatMap { tolerance[$0.name]! }).reduce(0) { $0 + 2 * abs($1.0) * $1.1 }
            let norm = try GradientClipping.clipByGlobalNorm(parameters.map(\.tensor), maxNorm: config.double("clip_norm"))
            let normError = (2 * gamma(n) * squares + fromGradients) / (2 * norm)
            XCTAssertEqual(norm, try step.double("norm"), accuracy: normError + 2 * unitRoundoff * norm, "\(label): gradient norm")
            let factor = min(1, try config.double("clip_norm") / (norm + 1e-6))
            let relative = factor < 1 ? normError / norm + 2 * 3 * unitRoundoff : 0
            for (name, parameter) in parameters {
                let g = try XCTUnwrap(parameter.grad).toDoubles()
                tolerance[name] = zip(tolerance[name]!, g).map { factor * $0 + abs($1) * relative }
            }
        }
        if config.has("clip_value") {
            try GradientClipping.clipByValue(parameters.map(\.tensor), limit: config.double("clip_value"))
            let limit = Float(try config.double("clip_value"))
            for (_, parameter) in parameters {
                XCTAssertLessThanOrEqual(try XCTUnwrap(parameter.grad).toArray().map(abs).max() ?? 0, limit, "\(label): clipped")
            }
        }
    }

    /// Each parameter's optimizer state on the host, by key.
    private func optimizerState(_ optimizer: Optimizer) throws -> [[String: [Double]]] {
        try optimizer.states.map { try $0.tensors.mapValues { try $0.toDoubles() } }
    }
}

/// The loss L = mean over N rows of (log Σⱼ exp zⱼ − z_label). Errors dz of the logits move it by
/// at most (1/N)·Σ rows Σⱼ |pⱼ − tⱼ|·dzⱼ ≤ (2/N)·Σ rows max dz; each side's own rounding is at
/// most (K + N + 6)·u·(|log Σ exp| + |z_label|) per row on average (K exps and a K-term sum, a
/// log, an N-term mean), twice for two sides.
func lossTolerance(z: [Double], labels: [Int], classes: Int, logitError: [Double]) -> Double {
    let n = labels.count
    var total = 0.0
    for (row, label) in labels.enumerated() {
        let range = row * classes..<(row + 1) * classes
        let top = z[range].max()!, logSumExp = top + log(z[range].reduce(0) { $0 + exp($1 - top) })
        total += 2 * logitError[range].max()! + 2 * Double(classes + n + 6) * unitRoundoff * (abs(logSumExp) + abs(z[row * classes + label]))
    }
    return total / Double(n)
}

/// The magnitude seed of the loss's gradient dL/dz = (p − t)/N: |p − t|/N, plus how far the two
/// sides' gradients may be apart divided by 2γ(K) (``MagnitudeRun``'s convention). p moves by at
/// most p·(dzⱼ + Σₖ pₖ dzₖ) ≤ 2p·max dz under logit errors; each side rounds p within (K + 4)·u·p.
func lossGradientMagnitudes(z: [Double], labels: [Int], classes: Int, logitError: [Double], terms: Double) -> [Double] {
    let n = Double(labels.count)
    var seed: [Double] = []
    for (row, label) in labels.enumerated() {
        let range = row * classes..<(row + 1) * classes
        let top = z[range].max()!, sum = z[range].reduce(0) { $0 + exp($1 - top) }
        let maxError = logitError[range].max()!
        for j in range {
            let p = exp(z[j] - top) / sum, target = j - row * classes == label ? 1.0 : 0.0
            let spread = (2 * p * maxError + 2 * Double(classes + 4) * unitRoundoff * p) / n
            seed.append(abs(p - target) / n + spread / (2 * gamma(terms)))
        }
    }
    return seed
}
