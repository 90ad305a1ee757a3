import ConvKit
import ConvKitNN
import XCTest

/// Exact resume: K steps, a checkpoint, M more steps — against a fresh model, optimizer and
/// schedules restored from that checkpoint running the same M steps. Parameters, buffers,
/// optimizer state, learning rate, schedule and dropout counters must agree bit for bit (the
/// CPU backend is bitwise reproducible for a fixed thread count).
final class CheckpointResumeTests: XCTestCase {
    private var context: Context!
    private var scratch: ScratchFolder!

    override func setUpWithError() throws {
        context = try Context(backend: .cpu, threads: 2)
        scratch = try ScratchFolder()
    }

    override func tearDown() { scratch.remove() }

    /// A training run: model, optimizer, schedules, and how one step drives them.
    private struct Run {
        let model: Sequential
        let optimizer: Optimizer
        let schedules: [any CheckpointableSchedule]
        /// Steps the schedules after the optimizer step, given the step's loss.
        let stepSchedules: (Double) -> Void
    }

    /// conv → batch norm → ReLU → dropout → pool → dense, weights from `initSeed` (the dropout
    /// seed is fixed: it is configuration, not learned state).
    private func model(initSeed: UInt64) throws -> Sequential {
        Sequential([
            try Conv2D(inChannels: 3, outChannels: 4, kernelSize: (3, 3), padding: .symmetric(1), seed: initSeed, on: context),
            try BatchNorm2D(features: 4, on: context), ReLU(), try Dropout(rate: 0.3, seed: 77),
            GlobalAvgPool2D(), Flatten(), try Dense(inFeatures: 4, outFeatures: 3, seed: initSeed + 1, on: context),
        ])
    }

    private func sgdCosine(initSeed: UInt64) throws -> Run {
        let model = try model(initSeed: initSeed)
        let sgd = try SGD(model.namedParameters(), learningRate: 0.2, momentum: 0.9, weightDecay: 5e-4, nesterov: true)
        let cosine = try CosineAnnealingLR(sgd, tMax: 5, minimumLearningRate: 0.01)
        return Run(model: model, optimizer: sgd, schedules: [cosine], stepSchedules: { _ in cosine.step() })
    }

    private func adamChainedPlateau(initSeed: UInt64) throws -> Run {
        let model = try model(initSeed: initSeed)
        let adam = try Adam.adamW(model.namedParameters(), learningRate: 0.05)
        let chain = try ChainedScheduler([try LinearLR(adam, startFactor: 0.5, totalIterations: 3), try StepLR(adam, stepSize: 2, gamma: 0.7)])
        let plateau = try ReduceLROnPlateau(adam, factor: 0.5, patience: 0, threshold: 0.5)
        return Run(model: model, optimizer: adam, schedules: [chain, plateau], stepSchedules: { loss in
            chain.step()
            plateau.step(metric: loss)
        })
    }

    /// AMSGrad's running maximum and a warm-up handing over to exponential decay mid-run.
    private func amsgradSequential(initSeed: UInt64) throws -> Run {
        let model = try model(initSeed: initSeed)
        let adam = try Adam(model.namedParameters(), learningRate: 0.05, beta2: 0.7, amsgrad: true)
        let sequence = try SequentialLR(adam, schedulers: [try LinearLR(adam, startFactor: 0.2, totalIterations: 4),
                                                           try ExponentialLR(adam, gamma: 0.8)], milestones: [4])
        return Run(model: model, optimizer: adam, schedules: [sequence], stepSchedules: { _ in sequence.step() })
    }

    /// Centered RMSProp's gradient average and momentum buffer.
    private func centeredRMSProp(initSeed: UInt64) throws -> Run {
        let model = try model(initSeed: initSeed)
        let rmsprop = try RMSProp(model.namedParameters(), learningRate: 0.01, momentum: 0.5, centered: true)
        let step = try StepLR(rmsprop, stepSize: 3, gamma: 0.5)
        return Run(model: model, optimizer: rmsprop, schedules: [step], stepSchedules: { _ in step.step() })
    }

    /// One training step on batch `step` of the data stream `dataSeed`.
    private func train(_ run: Run, step: Int, dataSeed: UInt64) throws {
        let x = try Tensor.randomNormal([4, 3, 5, 5], seed: dataSeed &+ UInt64(step), on: context)
        let labels = try Tensor(labels: (0..<4).map { Int32((step + $0) % 3) }, on: context)
        let loss = try Loss.softmaxCrossEntropy(logits: run.model(x), labels: labels)
        run.optimizer.zeroGrad()
        try loss.backward()
        try run.optimizer.step()
        run.stepSchedules(try loss.item())
    }

    /// Everything that determines the rest of the run, as exact bit patterns and values.
    private func snapshot(_ run: Run) throws -> [String] {
        var lines = try stateBits(run.model).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        lines += try run.optimizer.namedState().map { "optimizer \($0.name) \(try $0.tensor.toDoubles().map(\.bitPattern))" }
        lines.append("lr \(run.optimizer.learningRate.bitPattern) initial \(String(describing: run.optimizer.initialLearningRate))")
        for (index, schedule) in run.schedules.enumerated() {
            lines += schedule.checkpointState.sorted { $0.key < $1.key }.map { "schedule \(index) \($0.key) \($0.value)" }
        }
        lines.append("dropout offset \(try XCTUnwrap(run.model.layers[3] as? Dropout).offset)")
        return lines
    }

    /// K steps, save, M steps (the reference); then a fresh run from another initialization,
    /// restored from the checkpoint, does the same M steps.
    private func assertExactResume(_ makeRun: (UInt64) throws -> Run, k: Int, m: Int, file: StaticString = #filePath,
                                   line: UInt = #line) throws {
        let dataSeed: UInt64 = 0xC0FFEE
        let reference = try makeRun(1)
        for step in 0..<k { try train(reference, step: step, dataSeed: dataSeed) }
        let path = scratch.file("step\(k).safetensors")
        try Checkpoint.save(to: path, model: reference.model, optimizer: reference.optimizer, schedules: reference.schedules,
                            info: CheckpointInfo(modelName: "tiny", dataset: "synthetic", epoch: 0, globalStep: k,
                                                 randomState: ["data.seed": dataSeed]))
        for step in k..<k + m { try train(reference, step: step, dataSeed: dataSeed) }

        let resumed = try makeRun(2)
        let checkpoint = try Checkpoint.read(from: path)
        try checkpoint.restore(model: resumed.model, modelName: "tiny", optimizer: resumed.optimizer, schedules: resumed.schedules)
        let info = try XCTUnwrap(checkpoint.info)
        let resumedSeed = try XCTUnwrap(info.randomState["data.seed"])
        for step in info.globalStep..<k + m { try train(resumed, step: step, dataSeed: resumedSeed) }

        let (expected, actual) = (try snapshot(reference), try snapshot(resumed))
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (a, e) in zip(actual, expected) where a != e { XCTFail("resumed \(a)\n  reference \(e)", file: file, line: line) }
    }

    func testSGDMomentumWithCosineScheduleResumesBitwise() throws {
        try assertExactResume(sgdCosine, k: 4, m: 4)
    }

    func testAdamWWithChainedAndPlateauSchedulesResumesBitwise() throws {
        try assertExactResume(adamChainedPlateau, k: 3, m: 4)
    }

    /// Saved inside the warm-up, resumed across the milestone.
    func testAMSGradWithSequentialScheduleResumesBitwise() throws {
        try assertExactResume(amsgradSequential, k: 2, m: 5)
    }

    func testCenteredRMSPropWithMomentumResumesBitwise() throws {
        try assertExactResume(centeredRMSProp, k: 3, m: 3)
    }

    /// The comparison is sensitive: weights alone (no optimizer, schedule or dropout state)
    /// do not reproduce the run.
    func testWeightsAloneDoNotReproduceTheRun() throws {
        let reference = try sgdCosine(initSeed: 1)
        for step in 0..<3 { try train(reference, step: step, dataSeed: 9) }
        let path = scratch.file("weights.safetensors")
        try Checkpoint.save(to: path, model: reference.model, optimizer: reference.optimizer, schedules: reference.schedules,
                            info: CheckpointInfo(modelName: "tiny", globalStep: 3))
        for step in 3..<5 { try train(reference, step: step, dataSeed: 9) }
        let partial = try sgdCosine(initSeed: 2)
        try Checkpoint.loadWeights(from: path, into: partial.model, modelName: "tiny")
        for step in 3..<5 { try train(partial, step: step, dataSeed: 9) }
        XCTAssertNotEqual(try stateBits(partial.model), try stateBits(reference.model))
    }
}
