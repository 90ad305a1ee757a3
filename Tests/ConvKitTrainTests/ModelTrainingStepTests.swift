import ConvKit
import ConvKitNN
import ConvKitTrain
import XCTest

/// Each model learns: one SGD step on a tiny batch lowers that batch's loss; plus the width
/// multiplier, the size checks and the recipe.
final class ModelTrainingStepTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 2) }

    /// The training-mode loss of `model` on (x, labels).
    private func loss(_ model: any Module, _ x: Tensor, _ labels: Tensor) throws -> Tensor {
        try Loss.softmaxCrossEntropy(logits: model(x), labels: labels)
    }

    func testOneStepLowersTheLossOfEveryModel() throws {
        let input = ModelInput(channels: 1, height: 28, width: 28, classes: 10)
        let x = try Tensor.randomUniform(input.batchShape(4), seed: 7, on: context)
        let labels = try Tensor(labels: [1, 3, 5, 7], on: context)
        for kind in ModelKind.allCases {
            // A quarter of the width: the same layers, a sixteenth of the weights to draw in a debug build.
            let model = try kind.make(for: input, widthMultiplier: 0.25, seed: 11, on: context)
            // Dropout would draw new masks for the second pass; batch norm stays in training mode.
            for dropout in modules(of: model).compactMap({ $0 as? Dropout }) { dropout.isTraining = false }
            // Batch norm over 4 images makes the deep models' loss sharp: a small step descends for all.
            let optimizer = try SGD(model.namedParameters(), learningRate: 1e-4)
            let before = try loss(model, x, labels)
            try before.backward()
            try optimizer.step()
            let after = try withNoGrad { try loss(model, x, labels).item() }
            XCTAssertLessThan(after, try before.item(), "\(kind)")
        }
    }

    func testWidthMultiplierScalesChannels() throws {
        let input = ModelInput(channels: 3, height: 32, width: 32, classes: 10)
        let half = try XCTUnwrap(ModelKind.resnet20.make(for: input, widthMultiplier: 0.5, seed: 1, on: context) as? CIFARResNet)
        XCTAssertEqual(half.conv1.weight.shape, [8, 3, 3, 3])
        XCTAssertEqual(half.fc.weight.shape, [10, 32])
        let x = try Tensor.zeros(input.batchShape(2), on: context)
        XCTAssertEqual(try half(x).shape, [2, 10])
    }

    func testTooSmallImagesAreRefusedWithTheirSize() throws {
        let tiny = ModelInput(channels: 1, height: 8, width: 8, classes: 10)
        XCTAssertThrowsError(try ModelKind.lenet5.make(for: tiny, seed: 1, on: context)) { error in
            XCTAssertEqual((error as? TrainingError)?.description, "lenet5 needs images of at least 12×12 pixels, not 8×8")
        }
        let oneClass = ModelInput(channels: 1, height: 28, width: 28, classes: 1)
        XCTAssertThrowsError(try ModelKind.resnet20.make(for: oneClass, seed: 1, on: context))
        XCTAssertThrowsError(try ModelKind.resnet20.make(for: tiny, widthMultiplier: 0, seed: 1, on: context))
    }

    /// ResNet-18's stem takes 28×28 down to 7×7 and layer4 works on 1×1 maps.
    func testImageNetResNetOnFashionMNISTSizedImages() throws {
        let model = try XCTUnwrap(ModelKind.resnet18.make(for: ModelInput(channels: 1, height: 28, width: 28, classes: 10),
                                                          seed: 1, on: context) as? ImageNetResNet)
        let x = try Tensor.zeros([2, 1, 28, 28], on: context)
        let stem = try model.bn1(model.conv1(x)).relu().maxPool2d(kernel: (3, 3), stride: (2, 2), padding: .symmetric(1))
        XCTAssertEqual(stem.shape, [2, 64, 7, 7])
        XCTAssertEqual(try model.layers.reduce(stem) { try $1($0) }.shape, [2, 512, 1, 1])
    }

    /// `module` and every descendant.
    private func modules(of module: any Module) -> [any Module] {
        [module] + module.children.flatMap { modules(of: $0.module) }
    }
}
