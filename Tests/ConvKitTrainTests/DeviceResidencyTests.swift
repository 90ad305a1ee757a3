import CConvKit
import ConvKit
import ConvKitData
import ConvKitNN
@testable import ConvKitTrain
import ConvKitTestSupport
import XCTest

/// On OpenCL a training step stays on the device: forward, loss, backward and the optimizer
/// update copy nothing to the host and run no op on the CPU, and reading the loss is one copy
/// of 4 bytes. The host writes only each batch norm's step counter (`num_batches_tracked`, an
/// int32 the CPU counts; 4 bytes, asynchronous). The trainer reads one float per step (the
/// finiteness check of the loss and gradients, `NonFiniteGuard`) and the running metrics every
/// `readInterval` steps.
final class DeviceResidencyTests: XCTestCase {
    private func openCL() throws -> Context {
        guard try TestBackends.openCLRequired() else {
            throw XCTSkip("CONVKIT_TEST_BACKENDS leaves opencl out: the OpenCL backend is untested")
        }
        return try TestBackends.openCLContext()
    }

    /// Calls that ran on the CPU in the context's stead, over every op.
    private func fallbacks(_ context: Context) throws -> UInt64 {
        try (0..<CK_OP_COUNT.rawValue).reduce(0) { try $0 + context.cpuFallbackCount(of: ck_op(rawValue: $1)) }
    }

    func testATrainingStepReadsOnlyTheLoss() throws {
        let context = try openCL()
        let input = ModelInput(channels: 3, height: 32, width: 32, classes: 10)
        for kind in [ModelKind.resnet20, .mobilenet, .fashionCNN, .lenet5] {
            let model = try kind.make(for: input, widthMultiplier: 0.25, seed: 3, on: context)
            let optimizer = try SGD(model.namedParameters(), learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4)
            let x = try Tensor.randomUniform(input.batchShape(8), lower: -1, upper: 1, seed: 4, on: context)
            let labels = try Tensor(labels: [0, 1, 2, 3, 4, 5, 6, 7], on: context)
            let before = try context.transferStatistics(), fallbacksBefore = try fallbacks(context)
            for _ in 0..<2 {
                optimizer.zeroGrad()
                let loss = try Loss.softmaxCrossEntropy(logits: model(x), labels: labels)
                try loss.backward()
                try optimizer.step()
            }
            let step = try context.transferStatistics()
            let batchNorms = UInt64(modules(of: model).filter { $0 is BatchNorm2D }.count)
            XCTAssertEqual(step.reads, before.reads, "\(kind): the steps read from the device")
            XCTAssertEqual(step.writes - before.writes, 2 * batchNorms, "\(kind): the steps wrote to the device")
            XCTAssertEqual(step.writeBytes - before.writeBytes, 2 * 4 * batchNorms, "\(kind): bytes written")
            XCTAssertEqual(try fallbacks(context), fallbacksBefore, "\(kind): an op ran on the CPU")
            _ = try withNoGrad { try Loss.softmaxCrossEntropy(logits: model(x), labels: labels).item() }
            let read = try context.transferStatistics()
            XCTAssertEqual(read.reads - step.reads, 1, "\(kind): reading the loss")
            XCTAssertEqual(read.readBytes - step.readBytes, 4, "\(kind): reading the loss")
        }
    }

    /// The loss checks its labels on the device without waiting: a label outside [0, K) is
    /// reported, with the op and the row, by the next read, and the context goes on working.
    func testABadLabelIsReportedAtTheNextRead() throws {
        let context = try openCL()
        let logits = try Tensor.randomUniform([3, 4], lower: -1, upper: 1, seed: 1, on: context)
        let loss = try Loss.softmaxCrossEntropy(logits: logits, labels: Tensor(labels: [0, 7, 1], on: context))
        XCTAssertThrowsError(try loss.item()) { error in
            let message = (error as? ConvKitError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("softmax_cross_entropy_forward: labels[1] is 7"), message)
        }
        let good = try Loss.softmaxCrossEntropy(logits: logits, labels: Tensor(labels: [0, 3, 1], on: context))
        XCTAssertTrue(try good.item().isFinite)
    }

    /// `module` and every descendant.
    private func modules(of module: any Module) -> [any Module] {
        [module] + module.children.flatMap { modules(of: $0.module) }
    }

    func testTheTrainerReadsOneFloatPerStepAndTheMetricsAtItsInterval() throws {
        let context = try openCL()
        let data = try SyntheticDataset(trainCount: 128, testCount: 16, channels: 1, height: 8, width: 8, classes: 4,
                                        noise: 0.1, seed: 5).make()
        let options = TrainingOptions(epochs: 1, batchSize: 16, evaluationBatchSize: 16,
                                      optimizer: OptimizerOptions(learningRate: 0.05),
                                      schedule: ScheduleOptions(kind: .constant, warmupEpochs: 0),
                                      augmentation: .none, normalize: false, seed: 3, readInterval: 4)
        let recipe = ModelRecipe(model: .resnet20, widthMultiplier: 0.25, dataset: "synthetic", sample: data.train,
                                 normalization: nil)
        let trainer = try Trainer(model: recipe.makeModel(seed: 3, on: context), data: data, options: options, context: context)
        let before = try context.transferStatistics(), fallbacksBefore = try fallbacks(context)
        XCTAssertNotNil(try trainer.trainEpoch(0))
        let after = try context.transferStatistics()
        // 8 steps: 8 finiteness reads, and the loss and accuracy sums read at steps 4 and 8.
        XCTAssertEqual(after.reads - before.reads, 8 + 2 * 2)
        XCTAssertEqual(after.readBytes - before.readBytes, 4 * (8 + 2 * 2))
        XCTAssertEqual(try fallbacks(context), fallbacksBefore, "an op ran on the CPU")
    }
}
