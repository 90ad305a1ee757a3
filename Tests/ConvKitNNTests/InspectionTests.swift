import CConvKit
import ConvKit
import ConvKitNN
import XCTest

/// Forward hooks and activation capture, saliency, Grad-CAM's pieces and convolution filters on
/// ConvKitNN's containers. (Grad-CAM against PyTorch: ConvKitTrainTests/InspectionFixtureTests.)
final class InspectionTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 2) }

    /// conv → bn → relu → [separable conv, basic block] → global pool → flatten → dense, with batch
    /// norm statistics that are not their defaults (one training-mode batch).
    private func network() throws -> Sequential {
        let model = Sequential([
            try Conv2D(inChannels: 2, outChannels: 4, kernelSize: (3, 3), padding: .symmetric(1), seed: 1, on: context),
            try BatchNorm2D(features: 4, on: context), ReLU(),
            Sequential([
                try SeparableConv2D(inChannels: 4, outChannels: 6, kernelSize: (3, 3), padding: .symmetric(1), seed: 2, on: context),
                try BasicBlock(inChannels: 6, outChannels: 8, stride: 2, seed: 3, on: context),
            ]),
            GlobalAvgPool2D(), Flatten(),
            try Dense(inFeatures: 8, outFeatures: 5, seed: 4, on: context),
        ])
        _ = try withNoGrad { try model(try Tensor.randomNormal([4, 2, 6, 6], seed: 5, on: context)) }
        return model
    }

    private func input(_ n: Int = 2) throws -> Tensor { try Tensor.randomUniform([n, 2, 6, 6], seed: 6, on: context) }

    func testNamedSubmodulesFollowPyTorchAndUnknownNamesListThem() throws {
        let model = try network()
        let names = model.namedSubmodules().map(\.name)
        XCTAssertEqual(Array(names.prefix(6)), ["0", "1", "2", "3", "3.0", "3.0.depthwise"])
        XCTAssertEqual(Array(names.suffix(4)), ["3.1.downsample.1", "4", "5", "6"])
        XCTAssertTrue(names.contains("3.1.conv2"))
        XCTAssertTrue(try model.submodule(named: "3.1.bn1") === (model.layers[3] as! Sequential).layers[1].children[1].module)
        XCTAssertEqual(try model.submodule(named: "3.1").typeName, "BasicBlock")
        XCTAssertThrowsError(try model.submodule(named: "3.7")) { error in
            XCTAssertEqual(error as? InspectionError, .unknownLayer("3.7", available: names))
            XCTAssertTrue("\(error)".contains("no layer named \"3.7\"; the model's layers are: 0, 1, 2, 3, 3.0,"), "\(error)")
        }
    }

    /// Each captured activation is the layer's own output: the same tensor the forward pass went
    /// on with, equal bit for bit to the layers applied by hand (the same ops on the same
    /// inputs and backend give the same bits).
    func testCapturedActivationsAreTheLayersOutputs() throws {
        let model = try network().eval()
        let x = try input()
        let (output, activations) = try withNoGrad { try model(x, capturing: ["0", "2", "3.0.depthwise", "3.1.bn2", "3.1", "6"]) }
        let stage = model.layers[3] as! Sequential
        let separable = stage.layers[0] as! SeparableConv2D, block = stage.layers[1] as! BasicBlock
        try withNoGrad {
            let afterStem = try model.layers[2](model.layers[1](model.layers[0](x)))
            let afterSeparable = try separable(afterStem)
            XCTAssertEqual(try activations["0"]?.scalars, try model.layers[0](x).scalars)
            XCTAssertEqual(try activations["2"]?.scalars, try afterStem.scalars)
            XCTAssertEqual(try activations["3.0.depthwise"]?.scalars, try separable.depthwise(afterStem).scalars)
            XCTAssertEqual(try activations["3.1.bn2"]?.scalars,
                           try block.bn2(block.conv2(block.bn1(block.conv1(afterSeparable)).relu())).scalars)
            XCTAssertEqual(try activations["3.1"]?.scalars, try block(afterSeparable).scalars)
            XCTAssertEqual(try output.scalars, try model(x).scalars)
        }
        XCTAssertTrue(activations["6"] === output, "the last layer's capture is the model's output itself")
        XCTAssertEqual(activations["3.1"]?.shape, [2, 8, 3, 3])
    }

    /// Hooks fire only inside their scope, every active scope's hooks fire, in the order added.
    func testHooksActOnlyInTheirScopesAndNest() throws {
        let model = try network().eval()
        let x = try input(1)
        let conv = try model.submodule(named: "3.1.conv1")
        var seen: [String] = []
        let outer = ForwardHooks(), inner = ForwardHooks()
        outer.add(on: conv) { seen.append("outer \($0.shape)") }
        inner.add(on: conv) { _ in seen.append("inner first") }
        inner.add(on: conv) { _ in seen.append("inner second") }
        _ = try withNoGrad { try model(x) }
        XCTAssertEqual(seen, [])
        _ = try outer.observing { try inner.observing { try withNoGrad { try model(x) } } }
        XCTAssertEqual(seen, ["outer [1, 8, 3, 3]", "inner first", "inner second"])
        _ = try inner.observing { try withNoGrad { try model(x) } }
        XCTAssertEqual(seen.count, 5)
    }

    /// A container that calls a child directly (not through `hooked`) does not report it.
    func testLayerNotReportedByItsParentIsAnError() throws {
        final class Direct: Module {
            let conv: Conv2D, head: Sequential
            var isTraining = true
            init(on context: Context) throws {
                conv = try Conv2D(inChannels: 2, outChannels: 3, kernelSize: (1, 1), seed: 1, on: context)
                head = Sequential([GlobalAvgPool2D(), Flatten()])
            }
            var children: [(name: String, module: any Module)] { [("conv", conv), ("head", head)] }
            func callAsFunction(_ x: Tensor) throws -> Tensor { try head(conv(x)) }
        }
        let model = try Direct(on: context)
        XCTAssertEqual(try model(try input(1), capturing: ["head.1"]).activations["head.1"]?.shape, [1, 3])
        XCTAssertThrowsError(try model(try input(1), capturing: ["conv"])) { error in
            XCTAssertEqual(error as? InspectionError, .layerNotReached("conv"))
        }
    }

    /// Saliency's gradient is the input gradient that `backward()` gives for the chosen logits
    /// (bit for bit: the same backward rules run in the same order), its map the maximum of
    /// |gradient| over the channels; parameters' gradients and the model's mode are untouched.
    func testSaliencyIsTheInputGradientOfTheChosenLogits() throws {
        let model = try network()
        let x = try input()
        let saliency = try Saliency(model: model, input: x, classes: [3, 1])
        XCTAssertTrue(model.isTraining, "the mode is restored")
        XCTAssertTrue(model.namedParameters().allSatisfy { $0.tensor.grad == nil }, "no parameter gradient was written")

        model.eval()
        let leaf = try x.detach().requiringGrad()
        let logits = try model(leaf)
        var seed = [Float](repeating: 0, count: 10)
        (seed[3], seed[5 + 1]) = (1, 1)
        try logits.backward(gradient: try Tensor(seed, shape: [2, 5], on: context))
        let gradient = try XCTUnwrap(leaf.grad).scalars
        XCTAssertEqual(try saliency.gradient.scalars, gradient)
        XCTAssertEqual(try saliency.logits.scalars, try logits.scalars)

        let map = try saliency.map()
        XCTAssertEqual([map.count, map.height, map.width], [2, 6, 6])
        for image in 0..<2 {
            for pixel in 0..<36 {
                let expected = max(abs(gradient[(image * 2) * 36 + pixel]), abs(gradient[(image * 2 + 1) * 36 + pixel]))
                XCTAssertEqual(map.map(image)[map.map(image).startIndex + pixel], expected)
            }
        }
        let scaled = map.scaledToUnitMaximum()
        XCTAssertEqual(scaled.map(0).max(), 1)
        XCTAssertEqual(scaled.map(1).max(), 1)
    }

    /// The saliency gradient against central differences of the logit, in float64 on the
    /// reference backend. h = 1e-5 and the tolerance 1e-6·(1 + |difference|) of the float64
    /// gradient checks (GradientCheck.swift): truncation h²/6·|f'''| and rounding 1e-16·|f|/h are
    /// both below 1e-8 here. Moving one input element by h moves each LeakyReLU input by at
    /// most h·max|w|·max γ/√(min σ²) ≈ 1.1h (weights ≤ 0.5, γ ≤ 1.5, σ² ≥ 0.5) and a pooling
    /// window's top two values apart by at most twice that; the input keeps both kinds of kink
    /// more than 1e-4 (about 90 such steps) away, checked below, so every difference stays on
    /// one side of each kink and a wrong gradient cannot hide.
    func testSaliencyMatchesFiniteDifferencesOfTheLogit() throws {
        let reference = try Context(backend: .reference, threads: 1)
        let model = try Float64CNN(on: reference)
        var rng = SplitMix64(seed: 11)
        let values = (0..<(2 * 6 * 6)).map { _ in rng.nextUnitInterval() }
        let x = try Tensor(doubles: values, shape: [1, 2, 6, 6], dtype: .float64, on: reference)
        let label = 2
        let saliency = try Saliency(model: model, input: x, classes: [label])
        let gradient = try saliency.gradient.toDoubles()
        XCTAssertGreaterThan(try model.smallestKinkDistance(x), 1e-4, "the input must keep away from kinks")

        let h = 1e-5
        func logit(_ values: [Double]) throws -> Double {
            try withNoGrad { try model(try Tensor(doubles: values, shape: [1, 2, 6, 6], dtype: .float64, on: reference)).toDoubles()[label] }
        }
        for index in values.indices {
            var plus = values, minus = values
            plus[index] += h
            minus[index] -= h
            let numeric = (try logit(plus) - logit(minus)) / (2 * h)
            XCTAssertEqual(gradient[index], numeric, accuracy: 1e-6 * (1 + abs(numeric)), "input element \(index)")
        }
        XCTAssertGreaterThan(gradient.map(abs).max() ?? 0, 1e-2, "a gradient worth checking")
    }

    /// Grad-CAM's gradient is d logit / dA found another way: the rest of the network run from a
    /// copy of A that requires grad (bit for bit); weights, map and resize follow their formulas.
    func testGradCAMWeighsTheLayersGradient() throws {
        let model = try network()
        let x = try input()
        let cam = try GradCAM(model: model, input: x, classes: [4, 0], layer: "3")
        XCTAssertEqual(cam.activations.shape, [2, 8, 3, 3])
        XCTAssertEqual(cam.map.shape, [2, 1, 3, 3])
        XCTAssertEqual(cam.upsampled.shape, [2, 1, 6, 6])

        model.eval()
        let features = try withNoGrad { try model.layers[0...3].reduce(x) { try $1($0) } }
        XCTAssertEqual(try cam.activations.scalars, try features.scalars)
        let leaf = try features.detach().requiringGrad()
        let logits = try model.layers[4...].reduce(leaf) { try $1($0) }
        var seed = [Float](repeating: 0, count: 10)
        (seed[4], seed[5]) = (1, 1)
        try logits.backward(gradient: try Tensor(seed, shape: [2, 5], on: context))
        let gradients = try XCTUnwrap(leaf.grad).scalars
        XCTAssertEqual(try cam.gradients.scalars, gradients)

        // α = mean over the 9 pixels; map = relu(Σ α A). float32 sums of 9 and 8 terms: within
        // 16u·Σ|terms| of the double-precision value (γ(9) and γ(8) with room for the scaling).
        let a = try cam.activations.scalars, weights = try cam.weights.scalars, map = try cam.map.scalars
        for image in 0..<2 {
            for k in 0..<8 {
                let plane = gradients[((image * 8 + k) * 9)..<((image * 8 + k + 1) * 9)].map(Double.init)
                let bound = 16 * 0x1p-24 * plane.map(abs).reduce(0, +) / 9
                XCTAssertEqual(Double(weights[image * 8 + k]), plane.reduce(0, +) / 9, accuracy: bound)
            }
            for pixel in 0..<9 {
                let terms = (0..<8).map { Double(weights[image * 8 + $0]) * Double(a[(image * 8 + $0) * 9 + pixel]) }
                XCTAssertEqual(Double(map[image * 9 + pixel]), max(terms.reduce(0, +), 0),
                               accuracy: 16 * 0x1p-24 * terms.map(abs).reduce(0, +))
            }
        }
        XCTAssertEqual(try cam.upsampled.scalars, try cam.map.resizedBilinear(height: 6, width: 6).scalars)
        let normalized = try cam.normalized()
        let upsampled = try cam.upsampled.scalars
        for image in 0..<2 {
            let plane = upsampled[(image * 36)..<((image + 1) * 36)]
            let top = plane.max()!
            XCTAssertEqual(Array(normalized.map(image)), top > 0 ? plane.map { $0 / top } : Array(plane))
        }
    }

    func testErrorsAreTypedAndSayWhatToDo() throws {
        let model = try network()
        let x = try input()
        XCTAssertThrowsError(try Saliency(model: model, input: x, classes: [0, 5])) { error in
            XCTAssertEqual(error as? InspectionError, .classOutOfRange(5, classCount: 5))
            XCTAssertEqual("\(error)", "class 5 is out of range: the model has 5 classes, 0...4")
        }
        XCTAssertThrowsError(try Saliency(model: model, input: x, classes: [-1, 0])) { error in
            XCTAssertEqual(error as? InspectionError, .classOutOfRange(-1, classCount: 5))
        }
        XCTAssertThrowsError(try GradCAM(model: model, input: x, classes: [1], layer: "3")) { error in
            XCTAssertEqual(error as? InspectionError, .classCountMismatch(classes: 1, images: 2))
        }
        XCTAssertThrowsError(try GradCAM(model: model, input: x, classes: [1, 1], layer: "6")) { error in
            XCTAssertEqual(error as? InspectionError, .noFeatureMap(layer: "6", type: "Dense", shape: [2, 5]))
            XCTAssertTrue("\(error)".contains("not an (N, C, H, W) feature map"), "\(error)")
        }
        XCTAssertThrowsError(try GradCAM(model: model, input: x, classes: [1, 1], layer: "conv9")) { error in
            guard case .unknownLayer("conv9", let available)? = error as? InspectionError else { return XCTFail("\(error)") }
            XCTAssertEqual(available, model.namedSubmodules().map(\.name))
        }
        XCTAssertThrowsError(try Saliency(model: model, input: try Tensor.zeros([2, 72], on: context), classes: [0, 0])) { error in
            XCTAssertEqual(error as? InspectionError, .notAnImageBatch(shape: [2, 72]))
        }
        let featuresOnly = Sequential([model.layers[0]])
        XCTAssertThrowsError(try Saliency(model: featuresOnly, input: x, classes: [0, 0])) { error in
            XCTAssertEqual(error as? InspectionError, .notClassScores(shape: [2, 4, 6, 6]))
        }
        XCTAssertThrowsError(try ConvolutionFilters(model: model, layer: "1")) { error in
            XCTAssertEqual(error as? InspectionError,
                           .notAConvolution(layer: "1", type: "BatchNorm2D",
                                            convolutions: ["0", "3.0.depthwise", "3.0.pointwise", "3.1.conv1", "3.1.conv2", "3.1.downsample.0"]))
            XCTAssertTrue("\(error)".hasPrefix("layer \"1\" is a BatchNorm2D, not a convolution, so it has no filters; its convolutions are: 0, "),
                          "\(error)")
        }
        XCTAssertThrowsError(try ConvolutionFilters(model: model, layer: "3.0")) { error in
            XCTAssertEqual((error as? InspectionError).map { "\($0)" }?.contains("SeparableConv2D"), true)
        }
    }

    /// Filters come out (O, I/groups, KH, KW) whatever the layer's layout: a conv's weight as is,
    /// a transposed conv's (I, O/groups, KH, KW) weight regrouped per output.
    func testFiltersAreReadPerOutputAndInput() throws {
        let conv = try Conv2D(inChannels: 4, outChannels: 6, kernelSize: (2, 3), groups: 2, seed: 7, on: context)
        let transposed = try ConvTranspose2D(inChannels: 4, outChannels: 6, kernelSize: (3, 2), groups: 2, seed: 8, on: context)
        let depthwise = try DepthwiseConv2D(channels: 3, depthMultiplier: 2, kernelSize: (3, 3), seed: 9, on: context)
        let model = Sequential([conv, transposed, depthwise])

        let convFilters = try ConvolutionFilters(model: model, layer: "0")
        XCTAssertEqual([convFilters.outputs, convFilters.inputsPerOutput, convFilters.kernelHeight, convFilters.kernelWidth], [6, 2, 2, 3])
        XCTAssertEqual(convFilters.values, try conv.weight.scalars)
        XCTAssertEqual(Array(convFilters.kernel(output: 4, input: 1)), Array(try conv.weight.scalars[((4 * 2 + 1) * 6)..<((4 * 2 + 2) * 6)]))

        let transposedFilters = try ConvolutionFilters(model: model, layer: "1")
        XCTAssertEqual([transposedFilters.outputs, transposedFilters.inputsPerOutput, transposedFilters.kernelHeight], [6, 2, 3])
        let w = try transposed.weight.scalars  // (4, 3, 3, 2): input i, output o mod 3 of group i / 2
        for output in 0..<6 {
            for input in 0..<2 {
                let i = (output / 3) * 2 + input
                let start = (i * 3 + output % 3) * 6
                XCTAssertEqual(Array(transposedFilters.kernel(output: output, input: input)), Array(w[start..<(start + 6)]),
                               "output \(output) input \(input)")
            }
        }
        let depthwiseFilters = try ConvolutionFilters(model: model, layer: "2")
        XCTAssertEqual([depthwiseFilters.outputs, depthwiseFilters.inputsPerOutput], [6, 1])
    }
}

/// A float64 CNN on the reference backend for finite differences: conv 2→3 (3×3, padding 1,
/// bias) → evaluation-mode batch norm → LeakyReLU → 2×2 max pool → flatten → dense 27→4.
private final class Float64CNN: Module {
    let convWeight: Tensor, convBias: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor
    let denseWeight: Tensor, denseBias: Tensor
    var isTraining = true

    init(on context: Context) throws {
        func uniform(_ shape: [Int], _ seed: UInt64, _ low: Double, _ high: Double) throws -> Tensor {
            try Tensor.randomUniform(shape, lower: low, upper: high, seed: seed, dtype: .float64, on: context)
        }
        (convWeight, convBias) = (try uniform([3, 2, 3, 3], 1, -0.5, 0.5), try uniform([3], 2, -0.2, 0.2))
        (gamma, beta) = (try uniform([3], 3, 0.5, 1.5), try uniform([3], 4, -0.3, 0.3))
        (mean, variance) = (try uniform([3], 5, -0.2, 0.2), try uniform([3], 6, 0.5, 2))
        (denseWeight, denseBias) = (try uniform([4, 27], 7, -0.4, 0.4), try uniform([4], 8, -0.1, 0.1))
    }

    private func beforeActivation(_ x: Tensor) throws -> Tensor {
        try Tensor.conv2d(x, convWeight, bias: convBias, padding: .symmetric(1))
            .batchNorm2d(gamma: gamma, beta: beta, runningMean: mean, runningVar: variance, training: false)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let pooled = try beforeActivation(x).leakyRelu().maxPool2d(kernel: (2, 2))
        return try Tensor.linear(pooled.flattened(), weight: denseWeight, bias: denseBias)
    }

    /// The smallest distance of a LeakyReLU input from 0, and of a pooling window's maximum from
    /// its runner-up: how far the input is from a kink of the function.
    func smallestKinkDistance(_ x: Tensor) throws -> Double {
        let z = try withNoGrad { try beforeActivation(x).toDoubles() }
        let activated = z.map { $0 > 0 ? $0 : 0.01 * $0 }
        var smallest = z.map(abs).min() ?? 0
        for channel in 0..<3 {
            for row in stride(from: 0, to: 6, by: 2) {
                for column in stride(from: 0, to: 6, by: 2) {
                    let window = [0, 1, 6, 7].map { activated[channel * 36 + row * 6 + column + $0] }.sorted()
                    smallest = min(smallest, window[3] - window[2])
                }
            }
        }
        return smallest
    }
}
