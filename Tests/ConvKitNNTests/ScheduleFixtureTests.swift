import ConvKit
import ConvKitNN
import XCTest

/// Learning-rate schedules against PyTorch's (Tests/Fixtures/nn/schedules.json): the rate after
/// creation and after each of 15 steps (13–15 metric steps for ReduceLROnPlateau).
///
/// The schedules evaluate PyTorch's recursive formulas in the same order, in double precision,
/// with the same libm cos, so the rates should be identical; the tolerance allows each of the
/// t steps so far to round differently in each of its at most 8 operations:
/// |ConvKit − PyTorch| ≤ 2·8·t·2⁻⁵³·|lr|.
final class ScheduleFixtureTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 1) }

    /// An optimizer over one dummy parameter, as the fixture script uses.
    private func optimizer(_ learningRate: Double) throws -> SGD {
        try SGD([("p", try Tensor.zeros([1], on: context).requiringGrad())], learningRate: learningRate)
    }

    private func assertRates(_ actual: [Double], _ expected: [Double], _ label: String) {
        XCTAssertEqual(actual.count, expected.count, label)
        for (t, (a, e)) in zip(actual, expected).enumerated() {
            XCTAssertLessThanOrEqual(abs(a - e), 16 * Double(t) * 0x1p-53 * abs(e), "\(label): epoch \(t): \(a) vs PyTorch \(e)")
        }
    }

    func testChainableSchedulesMatchPyTorch() throws {
        let cases = try FixtureFile("schedules").cases.filter { $0.has("schedulers") && !$0.has("milestones") }
        XCTAssertEqual(cases.count, 7)
        for c in cases {
            let sgd = try optimizer(c.double("base_lr"))
            let schedulers = try c.list("schedulers").map { try makeScheduler($0, sgd) }
            let chain = try ChainedScheduler(schedulers)
            var rates = [sgd.learningRate]
            for _ in 1..<(try c.doubles("lrs").count) {
                try sgd.step()
                chain.step()
                rates.append(sgd.learningRate)
            }
            assertRates(rates, try c.doubles("lrs"), c.name)
            XCTAssertEqual(schedulers[0].lastEpoch, rates.count - 1)
        }
    }

    /// A warm-up then another schedule, and three schedules in turn: each starts at its milestone
    /// from its own epoch 0 (PyTorch's closed form), as `SequentialLR` does.
    func testSequentialSchedulesMatchPyTorch() throws {
        let cases = try FixtureFile("schedules").cases.filter { $0.has("milestones") }
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            let sgd = try optimizer(c.double("base_lr"))
            let schedulers = try c.list("schedulers").map { try makeScheduler($0, sgd) }
            let sequence = try SequentialLR(sgd, schedulers: schedulers, milestones: c.ints("milestones"))
            var rates = [sgd.learningRate]
            for _ in 1..<(try c.doubles("lrs").count) {
                try sgd.step()
                sequence.step()
                rates.append(sgd.learningRate)
            }
            assertRates(rates, try c.doubles("lrs"), c.name)
            XCTAssertEqual(sequence.lastEpoch, rates.count - 1)
            XCTAssertTrue(sequence.current === schedulers.last, "\(c.name): the last schedule is in charge at the end")
        }
        let sgd = try optimizer(0.1)
        let warmup = try LinearLR(sgd), decay = try ExponentialLR(sgd, gamma: 0.9)
        XCTAssertThrowsError(try SequentialLR(sgd, schedulers: [warmup, decay], milestones: [])) { error in
            XCTAssertTrue((error as? ConvKitError)?.message.contains("need 1 increasing milestones") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try SequentialLR(sgd, schedulers: [warmup, decay, warmup], milestones: [4, 2]))
        XCTAssertThrowsError(try SequentialLR(try optimizer(0.1), schedulers: [warmup], milestones: []), "another optimizer's schedule")
        XCTAssertThrowsError(try ExponentialLR(sgd, gamma: 0))
    }

    func testReduceOnPlateauMatchesPyTorch() throws {
        let cases = try FixtureFile("schedules").cases.filter { $0.has("plateau") }
        XCTAssertEqual(cases.count, 2)
        for c in cases {
            let spec = try c.child("plateau"), sgd = try optimizer(c.double("base_lr"))
            let scheduler = try ReduceLROnPlateau(sgd, mode: try spec.string("mode") == "min" ? .minimize : .maximize,
                                                  factor: spec.double("factor"), patience: spec.int("patience"),
                                                  threshold: spec.double("threshold"),
                                                  thresholdMode: try spec.string("threshold_mode") == "rel" ? .relative : .absolute,
                                                  cooldown: spec.int("cooldown"), minimumLearningRate: spec.double("min_lr"),
                                                  epsilon: spec.double("eps"))
            let rates = try c.doubles("metrics").map { metric -> Double in
                scheduler.step(metric: metric)
                return sgd.learningRate
            }
            assertRates(rates, try c.doubles("lrs"), c.name)
        }
    }

    /// The first scheduler records the optimizer's rate as everyone's base, as PyTorch's `initial_lr`.
    func testSchedulersShareTheInitialLearningRate() throws {
        let sgd = try optimizer(0.4)
        let warmup = try LinearLR(sgd, startFactor: 0.5, totalIterations: 2)
        XCTAssertEqual(sgd.learningRate, 0.2, accuracy: 1e-15)
        let cosine = try CosineAnnealingLR(sgd, tMax: 4)
        XCTAssertEqual(warmup.baseLearningRate, 0.4)
        XCTAssertEqual(cosine.baseLearningRate, 0.4)
        XCTAssertThrowsError(try StepLR(sgd, stepSize: 0)) { error in
            XCTAssertTrue((error as? ConvKitError)?.message.contains("stepSize is 0") ?? false, "\(error)")
        }
    }
}

/// The LRScheduler a fixture's schedule spec describes ({"kind", ...}, as nn_train_cases.py writes them).
func makeScheduler(_ spec: FixtureCase, _ optimizer: Optimizer) throws -> LRScheduler {
    let kind = try spec.string("kind")
    switch kind {
    case "step": return try StepLR(optimizer, stepSize: spec.int("step_size"), gamma: spec.double("gamma"))
    case "multistep": return MultiStepLR(optimizer, milestones: try spec.ints("milestones"), gamma: try spec.double("gamma"))
    case "cosine": return try CosineAnnealingLR(optimizer, tMax: spec.int("t_max"), minimumLearningRate: spec.double("eta_min"))
    case "linear":
        return try LinearLR(optimizer, startFactor: spec.double("start_factor"), endFactor: spec.double("end_factor"),
                            totalIterations: spec.int("total_iters"))
    case "exponential": return try ExponentialLR(optimizer, gamma: spec.double("gamma"))
    default: throw XCTSkip("unknown schedule \(kind)")
    }
}
