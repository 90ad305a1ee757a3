import CConvKit
import ConvKit
import ConvKitNN
import XCTest

/// The Module protocol: PyTorch-style names, modes, gradients, state loading; and the layers'
/// input validation.
final class ModuleTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 2) }

    /// A ResNet stem and stage, named as torchvision names them.
    private final class TinyResNet: Module {
        let conv1: Conv2D, bn1: BatchNorm2D, layer1: Sequential, fc: Dense
        var isTraining = true

        init(on context: Context) throws {
            conv1 = try Conv2D(inChannels: 3, outChannels: 4, kernelSize: (3, 3), padding: .symmetric(1), useBias: false, seed: 1, on: context)
            bn1 = try BatchNorm2D(features: 4, on: context)
            layer1 = Sequential([try BasicBlock(inChannels: 4, outChannels: 4, seed: 2, on: context),
                                 try BasicBlock(inChannels: 4, outChannels: 8, stride: 2, seed: 3, on: context)])
            fc = try Dense(inFeatures: 8, outFeatures: 10, seed: 4, on: context)
        }

        var children: [(name: String, module: any Module)] { [("conv1", conv1), ("bn1", bn1), ("layer1", layer1), ("fc", fc)] }

        func callAsFunction(_ x: Tensor) throws -> Tensor {
            try fc(layer1(bn1(conv1(x)).relu()).globalAvgPool2d().flattened())
        }
    }

    func testNamesFollowPyTorchStateDict() throws {
        let net = try TinyResNet(on: context)
        let names = net.stateDict().map(\.name)
        XCTAssertEqual(Array(names.prefix(6)), ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                                                "bn1.num_batches_tracked"])
        XCTAssertTrue(names.contains("layer1.0.conv1.weight"))
        XCTAssertTrue(names.contains("layer1.1.downsample.0.weight"))
        XCTAssertTrue(names.contains("layer1.1.downsample.1.running_var"))
        XCTAssertFalse(names.contains("layer1.0.downsample.0.weight"), "an identity shortcut has no parameters")
        XCTAssertEqual(names.suffix(2), ["fc.weight", "fc.bias"])
        XCTAssertEqual(net.namedBuffers().count, 6 * 3, "six batch norms, three buffers each")
        // torchvision: 108 + 8 + (144 + 8) * 2 + (288 + 16 + 576 + 16 + 32 + 16) + 80 + 10
        XCTAssertEqual(net.parameterCount, 108 + 8 + 304 + 944 + 90)
        let y = try net(try Tensor.randomNormal([2, 3, 6, 6], seed: 5, on: context))
        XCTAssertEqual(y.shape, [2, 10])
    }

    func testModePropagatesAndZeroGradClears() throws {
        let net = try TinyResNet(on: context)
        func modes() -> [Bool] {
            var result: [Bool] = []
            func visit(_ module: any Module) {
                result.append(module.isTraining)
                for child in module.children { visit(child.module) }
            }
            visit(net)
            return result
        }
        XCTAssertTrue(modes().allSatisfy { $0 })
        net.eval()
        XCTAssertTrue(modes().allSatisfy { !$0 })
        net.train()
        XCTAssertTrue(modes().allSatisfy { $0 })

        let loss = try Loss.softmaxCrossEntropy(logits: net(try Tensor.randomNormal([2, 3, 6, 6], seed: 6, on: context)),
                                                labels: Tensor(labels: [1, 7], on: context))
        try loss.backward()
        XCTAssertTrue(net.namedParameters().allSatisfy { $0.tensor.grad != nil })
        net.zeroGrad()
        XCTAssertTrue(net.namedParameters().allSatisfy { $0.tensor.grad == nil })
        XCTAssertEqual(try net.bn1.numBatchesTracked.item(), 1)
    }

    func testEvaluationModeUsesRunningStatisticsAndLeavesThem() throws {
        let norm = try BatchNorm2D(features: 2, on: context).eval()
        let x = try Tensor.randomNormal([3, 2, 2, 2], mean: 5, seed: 7, on: context)
        let y = try norm(x)
        // Running mean 0, variance 1: y = x / √(1 + ε).
        for (a, b) in zip(try y.toDoubles(), try x.toDoubles()) { XCTAssertEqual(a, b / (1 + 1e-5).squareRoot(), accuracy: 1e-5) }
        XCTAssertEqual(try norm.runningMean.toDoubles(), [0, 0])
        XCTAssertEqual(try norm.numBatchesTracked.item(), 0)
    }

    func testLoadStateDictChecksNamesAndShapes() throws {
        let dense = try Dense(inFeatures: 3, outFeatures: 2, seed: 1, on: context)
        let weight = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3], on: context), bias = try Tensor([7, 8], shape: [2], on: context)
        try dense.loadStateDict(["weight": weight, "bias": bias])
        XCTAssertEqual(try dense.weight.scalars, [1, 2, 3, 4, 5, 6])
        XCTAssertThrowsError(try dense.loadStateDict(["weight": weight])) { error in
            XCTAssertTrue((error as? ConvKitError)?.message.contains("missing keys [\"bias\"]") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try dense.loadStateDict(["weight": weight, "bias": bias, "scale": bias])) { error in
            XCTAssertTrue((error as? ConvKitError)?.message.contains("unknown keys [\"scale\"]") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try dense.loadStateDict(["weight": bias, "bias": bias])) { error in
            XCTAssertEqual((error as? ConvKitError)?.status, CK_ERR_SHAPE_MISMATCH)
            XCTAssertTrue((error as? ConvKitError)?.message.contains("weight is [2]") ?? false, "\(error)")
        }
        XCTAssertEqual(try dense.weight.scalars, [1, 2, 3, 4, 5, 6], "nothing is copied when a check fails")
        try dense.loadStateDict(["bias": weight.detach().reshaped(to: [6]).mean(axes: [0], keepingDims: true).broadcast(to: [2])],
                                strict: false)
        XCTAssertEqual(try dense.bias?.scalars, [3.5, 3.5])
    }

    /// Wrong inputs fail before any C call, naming the layer and what it expects.
    func testLayersRejectWrongInputShapesWithClearErrors() throws {
        let image = try Tensor.zeros([2, 4, 6, 6], on: context), matrix = try Tensor.zeros([2, 7], on: context)
        let cases: [(any Module, Tensor, String)] = [
            (try Conv2D(inChannels: 3, outChannels: 2, kernelSize: (3, 3), seed: 1, on: context), image,
             "Conv2D: input [2, 4, 6, 6] has 4 channels but the layer expects 3"),
            (try Conv2D(inChannels: 3, outChannels: 2, kernelSize: (3, 3), seed: 1, on: context), matrix,
             "Conv2D: input [2, 7] must have 4 dimensions (N, C, H, W)"),
            (try DepthwiseConv2D(channels: 3, kernelSize: (3, 3), seed: 1, on: context), image, "DepthwiseConv2D: input [2, 4, 6, 6] has 4 channels"),
            (try ConvTranspose2D(inChannels: 2, outChannels: 2, kernelSize: (2, 2), seed: 1, on: context), image, "ConvTranspose2D"),
            (try BatchNorm2D(features: 3, on: context), image, "BatchNorm2D: input [2, 4, 6, 6] has 4 channels but the layer expects 3"),
            (try Dense(inFeatures: 8, outFeatures: 2, seed: 1, on: context), matrix, "Dense: input [2, 7] has 7 features but the layer expects 8"),
            (try Dense(inFeatures: 8, outFeatures: 2, seed: 1, on: context), image, "flatten images first"),
            (MaxPool2D(kernelSize: (2, 2)), matrix, "MaxPool2D: input [2, 7] must have 4 dimensions"),
            (GlobalAvgPool2D(), matrix, "GlobalAvgPool2D"),
            (Softmax(), image, "Softmax: input [2, 4, 6, 6] must be (N, K)"),
            (try Cropping2D(top: 3, bottom: 3, left: 0, right: 0), image, "Cropping2D: input [2, 4, 6, 6] is too small"),
            (try UpSampling2D(scale: (2, 2)), matrix, "UpSampling2D"),
            (try BasicBlock(inChannels: 3, outChannels: 3, seed: 1, on: context), image, "Conv2D: input [2, 4, 6, 6] has 4 channels"),
            (Flatten(), try Tensor.zeros([3], on: context), "Flatten"),
        ]
        for (layer, input, expected) in cases {
            XCTAssertThrowsError(try layer(input), "\(type(of: layer))") { error in
                let error = error as? ConvKitError
                XCTAssertEqual(error?.status, CK_ERR_SHAPE_MISMATCH, "\(type(of: layer))")
                XCTAssertTrue(error?.message.contains(expected) ?? false, "\(error?.message ?? "no ConvKitError") should say \(expected)")
            }
        }
    }

    func testLayerSettingsAreValidated() throws {
        XCTAssertThrowsError(try Conv2D(inChannels: 3, outChannels: 4, kernelSize: (3, 3), groups: 2, seed: 1, on: context)) { error in
            XCTAssertTrue((error as? ConvKitError)?.message.contains("groups 2 must divide inChannels 3") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try Dense(inFeatures: 0, outFeatures: 2, seed: 1, on: context))
        XCTAssertThrowsError(try Dropout(rate: 1, seed: 1))
        XCTAssertThrowsError(try UpSampling2D(scale: (0, 2)))
        XCTAssertThrowsError(try ZeroPadding2D(padding: -1))
    }

    func testDropoutIsSeededAdvancesAndIsOffInEvaluation() throws {
        let x = try Tensor.ones([4, 256], on: context)
        let dropout = try Dropout(rate: 0.25, seed: 11)
        let first = try dropout(x).toArray(), second = try dropout(x).toArray()
        XCTAssertEqual(dropout.offset, 2048)
        XCTAssertNotEqual(first, second, "each call continues the Philox counter")
        XCTAssertEqual(try Dropout(rate: 0.25, seed: 11)(x).toArray(), first, "the same seed gives the same mask")
        XCTAssertTrue(first.allSatisfy { $0 == 0 || $0 == Float(1 / 0.75) })
        // 1024 Bernoulli(0.25) draws: the dropped fraction is within 5 standard deviations (0.068) of 0.25.
        XCTAssertEqual(Double(first.filter { $0 == 0 }.count) / 1024, 0.25, accuracy: 0.068)
        dropout.eval()
        XCTAssertTrue(try dropout(x) === x)
    }
}
