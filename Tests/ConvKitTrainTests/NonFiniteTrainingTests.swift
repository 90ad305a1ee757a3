import ConvKit
import ConvKitData
import ConvKitNN
@testable import ConvKitTrain
import Foundation
import XCTest

/// NaN and infinity during training: a poisoned weight stops the run with the layer's name and
/// leaves the last checkpoint as it was; an overflowing layer is found by replaying the forward
/// pass; NaN images make steps that `skip` drops (batch-norm statistics put back) and `lower-lr` drops while halving the rate, which a resume restores;
/// too many in a row stop the run. Quarter-width ResNet-20 on 8×8 synthetic images.
final class NonFiniteTrainingTests: XCTestCase {
    private var context: Context!
    private var directory: String!

    override func setUpWithError() throws {
        context = try Context(backend: .cpu, threads: 2)
        directory = NSTemporaryDirectory() + "convkit-nonfinite-\(UUID().uuidString)"
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// 256 training images (16 steps of 16), the images at `poisoned` indices all NaN.
    private func data(poisoned: Set<Int> = []) throws -> DatasetSplits {
        let clean = try SyntheticDataset(trainCount: 256, testCount: 32, channels: 1, height: 8, width: 8, classes: 4,
                                         noise: 0.1, seed: 5).make()
        var images = clean.train.images
        for index in poisoned { images.replaceSubrange(index * 64..<(index + 1) * 64, with: repeatElement(.nan, count: 64)) }
        let train = try Dataset(name: "poisoned", images: images, labels: clean.train.labels, channels: 1, height: 8, width: 8,
                                classNames: clean.train.classNames)
        return try DatasetSplits(train: train, test: clean.test)
    }

    /// Not normalized: the channel statistics of a set with a NaN image would be NaN.
    private func makeTrainer(_ data: DatasetSplits, epochs: Int, action: NonFiniteAction = .stop,
                             maxConsecutive: Int = 10) throws -> Trainer {
        let options = TrainingOptions(epochs: epochs, batchSize: 16, evaluationBatchSize: 32,
                                      optimizer: OptimizerOptions(learningRate: 0.1),
                                      schedule: ScheduleOptions(kind: .constant, warmupEpochs: 0),
                                      augmentation: .none, normalize: false, seed: 3, readInterval: 4,
                                      nonFinite: NonFiniteOptions(action: action, maxConsecutive: maxConsecutive))
        let recipe = ModelRecipe(model: .resnet20, widthMultiplier: 0.25, dataset: "synthetic", sample: data.train,
                                 normalization: nil)
        let trainer = try Trainer(model: recipe.makeModel(seed: 3, on: context), data: data, options: options, context: context)
        trainer.recipe = recipe
        trainer.outputDirectory = directory
        return trainer
    }

    private func allFinite(_ tensors: [(name: String, tensor: Tensor)]) throws -> Bool {
        try tensors.allSatisfy { try $0.tensor.toArray().allSatisfy(\.isFinite) }
    }

    func testStopNamesTheLayerAndLeavesTheLastCheckpointIntact() throws {
        let trainer = try makeTrainer(data(), epochs: 2)
        var saved: Data?
        var weightCount = 0
        XCTAssertThrowsError(try trainer.fit { _ in
            saved = try Data(contentsOf: URL(fileURLWithPath: self.directory + "/last.safetensors"))
            let weight = try XCTUnwrap(trainer.model.namedParameters().first { $0.name == "layer2.1.conv1.weight" }).tensor
            weightCount = weight.count
            var values = try weight.toArray()
            values[7] = .infinity
            try withNoGrad { try weight.assign(values) }
        }) { error in
            let message = (error as? TrainingError)?.description ?? "\(error)"
            XCTAssertTrue(message.contains("epoch 2, step 1"), message)
            XCTAssertTrue(message.contains("loss NaN; parameters: layer2.1.conv1.weight (1 of \(weightCount))"), message)
            XCTAssertTrue(message.contains("it starts in layer `layer2.1.conv1`"), message)
            XCTAssertTrue(message.contains("last.safetensors (epoch 1) is untouched"), message)
        }
        let after = try Data(contentsOf: URL(fileURLWithPath: directory + "/last.safetensors"))
        XCTAssertEqual(after, try XCTUnwrap(saved))
        XCTAssertEqual(try Checkpoint.read(from: directory + "/last.safetensors").info?.epoch, 1)
    }

    /// Finite but huge weights: the convolution's output overflows to infinity, which the
    /// replayed forward pass finds, although every weight and the input are finite.
    func testStopFindsTheLayerWhoseOutputOverflows() throws {
        let trainer = try makeTrainer(data(), epochs: 1)
        let weight = try XCTUnwrap(trainer.model.namedParameters().first { $0.name == "layer2.1.conv1.weight" }).tensor
        try withNoGrad { try weight.fill(3e38) }
        XCTAssertThrowsError(try trainer.fit()) { error in
            let message = (error as? TrainingError)?.description ?? "\(error)"
            XCTAssertTrue(message.contains("epoch 1, step 1: loss NaN; gradients of"), message)
            XCTAssertFalse(message.contains("parameters:"), message)
            XCTAssertTrue(message.contains("it starts in layer `layer2.1.conv1`"), message)
        }
    }

    /// One NaN image per epoch poisons its batch (batch norm mixes the batch), so exactly one
    /// step per epoch is dropped; the rest train, and nothing non-finite reaches the weights or
    /// the running statistics (which the NaN batch's forward pass had overwritten).
    func testSkipDropsThePoisonedStepAndRestoresBatchNormStatistics() throws {
        let trainer = try makeTrainer(data(poisoned: [100]), epochs: 3, action: .skip)
        var lines: [String] = []
        trainer.output = TrainingOutput(progress: nil, write: { lines.append($0) })
        let result = try trainer.fit()
        XCTAssertEqual(trainer.skippedSteps, 3)
        XCTAssertEqual(lines.filter { $0.contains("the input batch itself holds NaN or infinity; step skipped") }.count, 3,
                       lines.joined())
        XCTAssertTrue(try allFinite(trainer.model.namedParameters()))
        XCTAssertTrue(try allFinite(trainer.model.namedBuffers()))
        XCTAssertTrue(result.history.allSatisfy { $0.trainLoss.isFinite && $0.testLoss.isFinite })
        XCTAssertLessThan(result.history[2].trainLoss, result.history[0].trainLoss)
        XCTAssertGreaterThan(result.history[2].testAccuracy, 0.5, "\(result.history.map { $0.summary(epochs: 3) })")
    }

    /// Two poisoned steps per epoch over two epochs: the rate is halved four times, and a
    /// checkpoint carries that factor into a resumed trainer.
    func testLowerLearningRateHalvesTheRateAndResumeKeepsIt() throws {
        let trainer = try makeTrainer(data(poisoned: [3, 200]), epochs: 2, action: .lowerLearningRate)
        let history = try trainer.fit().history
        let batchesWithNaN = trainer.skippedSteps
        XCTAssert((2...4).contains(batchesWithNaN), "\(batchesWithNaN)")   // both images in one batch of an epoch: 1 step
        XCTAssertEqual(trainer.schedule.rateScale, pow(0.5, Double(batchesWithNaN)))
        XCTAssertEqual(history.last?.learningRate ?? 0, 0.1 * trainer.schedule.rateScale, accuracy: 1e-12)

        let resumed = try makeTrainer(data(poisoned: [3, 200]), epochs: 3, action: .lowerLearningRate)
        try resumed.resume(from: Checkpoint.read(from: directory + "/last.safetensors"))
        XCTAssertEqual(resumed.schedule.rateScale, trainer.schedule.rateScale)
    }

    func testTooManyNonFiniteStepsInARowStop() throws {
        let trainer = try makeTrainer(data(poisoned: Set(0..<256)), epochs: 1, action: .skip, maxConsecutive: 3)
        XCTAssertThrowsError(try trainer.fit()) { error in
            let message = (error as? TrainingError)?.description ?? "\(error)"
            XCTAssertTrue(message.contains("epoch 1, step 3"), message)
            XCTAssertTrue(message.contains("3 non-finite steps in a row"), message)
            XCTAssertTrue(message.contains("the input batch itself holds NaN or infinity"), message)
            XCTAssertTrue(message.hasSuffix("stopped. Check the data set"), message)
        }
        XCTAssertTrue(try allFinite(trainer.model.namedParameters()))
    }

    func testBadOptionsAreRefused() throws {
        for options in [NonFiniteOptions(action: .lowerLearningRate, learningRateFactor: 1),
                        NonFiniteOptions(action: .skip, maxConsecutive: 0)] {
            XCTAssertThrowsError(try options.validate()) { error in
                XCTAssertTrue("\(error)".contains("--nonfinite-lr-factor") || "\(error)".contains("--max-nonfinite-steps"))
            }
        }
    }

    /// Where the values start: the first layer with non-finite weights, else (finite loss) the
    /// deepest layer whose gradient is non-finite — backward reaches the layers last to first.
    func testOriginOfAReport() {
        let entry = { (name: String) in NonFiniteReport.Entry(name: name, nonFinite: 1, count: 9) }
        let gradientsOnly = NonFiniteReport(epoch: 1, step: 2, loss: 0.5, gradients: [entry("0.weight"), entry("layer1.0.bn1.bias")],
                                            parameters: [])
        XCTAssertEqual(gradientsOnly.origin, "layer1.0.bn1")
        let weights = NonFiniteReport(epoch: 1, step: 2, loss: .nan, gradients: [entry("fc.weight")], parameters: [entry("conv1.weight")])
        XCTAssertEqual(weights.origin, "conv1")
        var lossOnly = NonFiniteReport(epoch: 1, step: 2, loss: .nan, gradients: [entry("fc.weight")], parameters: [])
        XCTAssertNil(lossOnly.origin)
        lossOnly.forwardOrigin = "layer3.0.bn2"
        XCTAssertEqual(lossOnly.origin, "layer3.0.bn2")
    }
}
