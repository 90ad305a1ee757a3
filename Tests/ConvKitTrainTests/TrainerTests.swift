import ConvKit
import ConvKitData
import ConvKitNN
import ConvKitTrain
import Foundation
import XCTest

/// The trainer on a tiny synthetic data set (256 + 32 grey 8×8 images of 4 classes) with a
/// quarter-width ResNet-20: learning, the CSV log, the chart, early stopping, seeds, resume.
final class TrainerTests: XCTestCase {
    private var context: Context!
    private var data: DatasetSplits!
    private var directory: String!

    override func setUpWithError() throws {
        context = try Context(backend: .cpu, threads: 2)
        data = try SyntheticDataset(trainCount: 256, testCount: 32, channels: 1, height: 8, width: 8, classes: 4, noise: 0.1,
                                    seed: 5).make()
        directory = NSTemporaryDirectory() + "convkit-trainer-\(UUID().uuidString)"
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func options(epochs: Int = 3, learningRate: Double = 0.1, seed: UInt64 = 1, patience: Int? = nil) -> TrainingOptions {
        TrainingOptions(epochs: epochs, batchSize: 16, evaluationBatchSize: 32,
                        optimizer: OptimizerOptions(learningRate: learningRate),
                        schedule: ScheduleOptions(kind: .cosine, warmupEpochs: 1),
                        // Shifted or mirrored random prototypes would be other images.
                        augmentation: .none, earlyStoppingPatience: patience, seed: seed,
                        readInterval: 2)
    }

    private func makeTrainer(_ options: TrainingOptions, directory: String? = nil, model: ModelKind = .resnet20,
                             data: DatasetSplits? = nil) throws -> Trainer {
        let data = data ?? self.data!
        let recipe = ModelRecipe(model: model, widthMultiplier: 0.25, dataset: "synthetic", sample: data.train,
                                 normalization: data.train.channelStatistics())
        let trainer = try Trainer(model: recipe.makeModel(seed: options.seed, on: context), data: data, options: options,
                                  context: context)
        trainer.recipe = recipe
        trainer.outputDirectory = directory
        return trainer
    }

    /// The fields that do not depend on timing.
    private func figures(_ record: EpochRecord) -> [Double] {
        [record.learningRate, record.trainLoss, record.trainAccuracy, record.testLoss, record.testAccuracy]
    }

    func testLossDecreasesAndTheLogAndChartAreWritten() throws {
        let trainer = try makeTrainer(options(), directory: directory)
        var seen: [Int] = []
        let result = try trainer.fit { seen.append($0.epoch) }
        XCTAssertEqual(seen, [1, 2, 3])
        XCTAssertFalse(result.stoppedEarly)
        XCTAssertLessThan(result.history[2].trainLoss, result.history[0].trainLoss)
        XCTAssertGreaterThan(result.history[2].testAccuracy, 0.5, "\(result.history.map { $0.summary(epochs: 3) })")

        let lines = try String(contentsOfFile: directory + "/log.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first.map(String.init), "epoch,lr,train_loss,train_acc,test_loss,test_acc,images_per_s,seconds")
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(try TrainingLog(path: directory + "/log.csv").read().map(\.epoch), [1, 2, 3])

        let png = try Data(contentsOf: URL(fileURLWithPath: directory + "/chart.png"))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(Array(png[12..<16]), Array("IHDR".utf8))
        XCTAssertEqual(png[16..<20].reduce(0) { $0 << 8 | Int($1) }, TrainingChart.width)
        XCTAssertEqual(png[20..<24].reduce(0) { $0 << 8 | Int($1) }, TrainingChart.height)
        for name in ["last.safetensors", "best.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(directory!)/\(name)"), name)
        }
    }

    /// LeNet-5 (no batch norm, whose running statistics would move) with a rate too small to
    /// change anything: the accuracy never improves on epoch 1, so a patience of 1 stops after epoch 2.
    func testEarlyStoppingTriggers() throws {
        let images = try SyntheticDataset(trainCount: 32, testCount: 16, channels: 1, height: 12, width: 12, classes: 4).make()
        let result = try makeTrainer(options(epochs: 5, learningRate: 1e-12, patience: 1), model: .lenet5, data: images).fit()
        XCTAssertTrue(result.stoppedEarly)
        XCTAssertEqual(result.history.count, 2)
        XCTAssertEqual(result.bestEpoch, 1)
    }

    func testTheSameSeedGivesTheSameRun() throws {
        let first = try makeTrainer(options(epochs: 2)).fit().history.map(figures)
        let second = try makeTrainer(options(epochs: 2)).fit().history.map(figures)
        XCTAssertEqual(first, second)
        let other = try makeTrainer(options(epochs: 2, seed: 2)).fit().history.map(figures)
        XCTAssertNotEqual(first, other)
    }

    /// Two epochs straight equal one epoch, a checkpoint, a fresh trainer resumed from it and
    /// one more epoch.
    func testResumingFromACheckpointContinuesExactly() throws {
        let straight = try makeTrainer(options(epochs: 2)).fit().history.map(figures)

        struct StopAfterFirstEpoch: Error {}
        let firstHalf = try makeTrainer(options(epochs: 2), directory: directory)
        XCTAssertThrowsError(try firstHalf.fit { _ in throw StopAfterFirstEpoch() })
        let resumed = try makeTrainer(options(epochs: 2), directory: directory)
        try resumed.resume(from: Checkpoint.read(from: try XCTUnwrap(firstHalf.lastCheckpointPath)))
        XCTAssertEqual(resumed.completedEpochs, 1)
        XCTAssertEqual(resumed.history.count, 1)
        let history = try resumed.fit().history
        // Epoch 1 comes back from the log, rounded to its 6 digits; epoch 2 is computed again.
        XCTAssertEqual(history.count, 2)
        for (logged, exact) in zip(figures(history[0]), straight[0]) { XCTAssertEqual(logged, exact, accuracy: 1e-5 * abs(exact)) }
        XCTAssertEqual(figures(history[1]), straight[1])

        let wrongSeed = try makeTrainer(options(epochs: 2, seed: 9), directory: directory)
        XCTAssertThrowsError(try wrongSeed.resume(from: Checkpoint.read(from: directory + "/last.safetensors")))
    }

    /// An interrupt after the third step saves a checkpoint there; resuming it finishes the
    /// run as an uninterrupted one does.
    func testAnInterruptSavesACheckpointMidEpoch() throws {
        let straight = try makeTrainer(options(epochs: 2)).fit().history.map(figures)
        let interrupted = try makeTrainer(options(epochs: 2), directory: directory)
        interrupted.shouldInterrupt = { interrupted.globalStep == 3 }
        XCTAssertTrue(try interrupted.fit().interrupted)
        let checkpoint = try Checkpoint.read(from: directory + "/last.safetensors")
        XCTAssertEqual(checkpoint.info?.globalStep, 3)
        let resumed = try makeTrainer(options(epochs: 2), directory: directory)
        try resumed.resume(from: checkpoint)
        let history = try resumed.fit().history
        XCTAssertEqual(history.count, 2)
        // Epoch 1's training figures cover only its last step after the resume; the rest is exact.
        XCTAssertEqual(history[0].testLoss, straight[0][3])
        XCTAssertEqual(figures(history[1]), straight[1])
    }

    func testOptionsAreCheckedWithTheirFlagNames() throws {
        var bad = options()
        bad.batchSize = 1000
        XCTAssertThrowsError(try makeTrainer(bad)) { error in
            XCTAssertEqual((error as? TrainingError)?.description, "--batch-size 1000 exceeds the 256 training images")
        }
        bad = options()
        bad.optimizer.learningRate = -1
        XCTAssertThrowsError(try makeTrainer(bad))
        bad = options()
        bad.schedule.gamma = 1.5
        XCTAssertThrowsError(try makeTrainer(bad))
    }
}
