import ConvKit
import ConvKitNN
import ConvKitTrain
import Foundation
import XCTest

/// The learning rate per (epoch, step): warm-up, the decays, the plateau cut, and the
/// optimizers the options build.
final class ScheduleTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 2) }

    private func schedule(_ options: ScheduleOptions, epochs: Int = 10, steps: Int = 4) throws -> LearningRateSchedule {
        let parameter = try Tensor.zeros([2], on: context).requiringGrad()
        let optimizer = try SGD([("w", parameter)], learningRate: 0.1)
        return try LearningRateSchedule(options, optimizer: optimizer, epochs: epochs, stepsPerEpoch: steps)
    }

    func testWarmUpClimbsLinearlyPerStepThenCosineDecaysToTheMinimum() throws {
        let s = try schedule(ScheduleOptions(kind: .cosine, warmupEpochs: 2, minimumLearningRate: 0.001))
        XCTAssertEqual(s.rate(epoch: 0, step: 0), 0.1 / 8, accuracy: 1e-15)
        XCTAssertEqual(s.rate(epoch: 1, step: 3), 0.1, accuracy: 1e-15)
        XCTAssertEqual(s.rate(epoch: 2, step: 0), 0.1, accuracy: 1e-15)
        // Halfway through the 8 decay epochs (32 steps): the mean of peak and minimum.
        XCTAssertEqual(s.rate(epoch: 6, step: 0), (0.1 + 0.001) / 2, accuracy: 1e-15)
        XCTAssertEqual(s.rate(epoch: 9, step: 3), 0.001 + 0.099 * (1 + cos(Double.pi * 31 / 32)) / 2, accuracy: 1e-15)
    }

    func testStepAndMultistep() throws {
        let step = try schedule(ScheduleOptions(kind: .step, warmupEpochs: 0, stepSize: 3, gamma: 0.5))
        XCTAssertEqual([0, 2, 3, 6, 9].map { step.rate(epoch: $0, step: 1) }, [0.1, 0.1, 0.05, 0.025, 0.0125])
        let multistep = try schedule(ScheduleOptions(kind: .multistep, warmupEpochs: 0, milestones: [4, 7], gamma: 0.1))
        XCTAssertEqual([3, 4, 6, 7].map { multistep.rate(epoch: $0, step: 0) }, [0.1, 0.1 * 0.1, 0.1 * 0.1, 0.1 * 0.1 * 0.1])
    }

    func testWarmUpLeavesTheLastEpochToTheDecay() throws {
        let s = try schedule(ScheduleOptions(kind: .constant, warmupEpochs: 5), epochs: 1)
        XCTAssertEqual(s.warmupEpochs, 0)
        XCTAssertEqual(s.rate(epoch: 0, step: 0), 0.1)
    }

    /// ReduceLROnPlateau's rule: more than `patience` epochs without a lower loss cut the rate.
    func testPlateauCutsTheRateWhenTheLossStalls() throws {
        let s = try schedule(ScheduleOptions(kind: .plateau, warmupEpochs: 1, gamma: 0.5, plateauPatience: 1))
        let losses = [9.0, 1.0, 0.9, 0.95, 0.95, 0.8]
        var rates: [Double] = []
        for (epoch, loss) in losses.enumerated() {
            s.endEpoch(epoch, testLoss: loss)
            rates.append(s.rate(epoch: epoch + 1, step: 0))
        }
        XCTAssertEqual(rates, [0.1, 0.1, 0.1, 0.1, 0.05, 0.05])
        XCTAssertEqual(s.checkpointKind, "LearningRateSchedule[plateau]")
        XCTAssertEqual(s.checkpointState["plateau_rate"], .real(0.05))
    }

    func testOptionsBuildTheNamedOptimizers() throws {
        let parameters = [("w", try Tensor.zeros([2], on: context).requiringGrad())]
        let sgd = try XCTUnwrap(OptimizerOptions().makeOptimizer(parameters) as? SGD)
        XCTAssertEqual([sgd.learningRate, sgd.momentum, sgd.weightDecay], [0.1, 0.9, 5e-4])
        XCTAssertTrue(sgd.nesterov)
        let adamW = try XCTUnwrap(OptimizerOptions(kind: .adamw, learningRate: 1e-3, weightDecay: 0.05).makeOptimizer(parameters) as? Adam)
        XCTAssertTrue(adamW.decoupledWeightDecay)
        XCTAssertFalse(try XCTUnwrap(OptimizerOptions(kind: .adam).makeOptimizer(parameters) as? Adam).decoupledWeightDecay)
        XCTAssertEqual(try XCTUnwrap(OptimizerOptions(kind: .rmsprop, momentum: 0.5).makeOptimizer(parameters) as? RMSProp).momentum, 0.5)
        XCTAssertThrowsError(try OptimizerOptions(momentum: 1.5).makeOptimizer(parameters))
    }
}
