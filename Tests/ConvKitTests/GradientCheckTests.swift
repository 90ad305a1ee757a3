import ConvKit
import XCTest

/// Finite-difference checks of every differentiable op's backward rule, on the reference backend
/// in float64 and on the CPU and OpenCL backends in float32 (tolerances justified in `Precision`).
final class GradientCheckTests: XCTestCase {
    private func check(_ label: String, _ inputs: [GradInput], file: StaticString = #filePath, line: UInt = #line,
                       _ f: (Context, [Tensor]) throws -> Tensor) throws {
        try Precision.forEach { try checkGradients($0, label, inputs, file: file, line: line, f) }
    }

    func testBroadcastingAddSubMul() throws {
        try check("add, both operands broadcast", [.uniform([2, 1, 4], seed: 1), .uniform([3, 1], seed: 2)]) { try $1[0] + $1[1] }
        try check("sub, rank-1 operand", [.uniform([2, 3], seed: 3), .uniform([3], seed: 4)]) { try $1[0] - $1[1] }
        try check("mul, per-channel factor", [.uniform([2, 3, 2, 2], seed: 5), .uniform([1, 3, 1, 1], seed: 6)]) { try $1[0] * $1[1] }
        try check("mul, one operand twice", [.uniform([5], seed: 7)]) { try $1[0] * $1[0] }
        try check("broadcast to", [.uniform([3, 1], seed: 8)]) { try $1[0].broadcast(to: [2, 3, 4]) }
    }

    func testScaleSumMean() throws {
        try check("scale", [.uniform([2, 3], seed: 9)]) { try $1[0].scaled(by: -2.5) }
        try check("sum, middle axes", [.uniform([2, 3, 4, 2], seed: 10)]) { try $1[0].sum(axes: [1, 2]) }
        try check("sum, kept dims", [.uniform([2, 3, 4], seed: 11)]) { try $1[0].sum(axes: [-1, 0], keepingDims: true) }
        try check("mean, all", [.uniform([3, 4], seed: 12)]) { try $1[0].mean() }
    }

    func testMatmulBiasReshape() throws {
        try check("matmul", [.uniform([3, 4], seed: 13), .uniform([4, 5], seed: 14)]) { try Tensor.matmul($1[0], $1[1]) }
        try check("bias add", [.uniform([2, 3, 2, 2], seed: 15), .uniform([3], seed: 16)]) { try $1[0].addingBias($1[1]) }
        try check("flatten then matmul", [.uniform([2, 2, 2, 2], seed: 17), .uniform([8, 3], seed: 18)]) {
            try Tensor.matmul($1[0].flattened(), $1[1])
        }
        try check("reshape with -1", [.uniform([2, 6], seed: 19)]) { try $1[0].reshaped(to: [3, -1, 2]) }
    }

    func testConv2D() throws {
        // Stride 2, asymmetric per-side padding, dilation 2, bias.
        try check("conv2d stride/pad/dilation", [.uniform([2, 3, 7, 6], seed: 20), .uniform([4, 3, 3, 2], seed: 21),
                                                 .uniform([4], seed: 22)]) {
            try Tensor.conv2d($1[0], $1[1], bias: $1[2], stride: (2, 1),
                              padding: .explicit(top: 1, bottom: 2, left: 0, right: 1), dilation: (2, 1))
        }
        // Groups 2 with TensorFlow SAME padding (extra pixel bottom/right) and stride 2.
        try check("conv2d groups, same", [.uniform([1, 4, 5, 5], seed: 23), .uniform([6, 2, 3, 3], seed: 24)]) {
            try Tensor.conv2d($1[0], $1[1], stride: (2, 2), padding: .same, groups: 2)
        }
        // Depthwise with depth multiplier 2, PyTorch-style symmetric padding.
        try check("conv2d depthwise", [.uniform([2, 3, 4, 4], seed: 25), .uniform([6, 1, 3, 3], seed: 26)]) {
            try Tensor.conv2d($1[0], $1[1], padding: .symmetric(1), groups: 3)
        }
    }

    /// The fused epilogue's rule reads the output: f'(y) = f'(pre) for ReLU and LeakyReLU.
    /// Finite differences on the reference in float64 only: its step (1e-5) stays clear of the
    /// kink at 0 for these seeds, while float32's step of 1e-2 moves some of the conv's 120–240
    /// pre-activations across it (the plain relu check avoids that with `.awayFromZero` inputs,
    /// which a conv's outputs cannot be given). On every backend the fused gradients must then
    /// equal, bit for bit, those of the conv followed by the activation op (float32 included),
    /// whose parts the checks above and `testActivations` cover.
    func testConv2DWithFusedActivation() throws {
        let relu: [GradInput] = [.uniform([2, 3, 5, 6], seed: 60), .uniform([4, 3, 3, 3], seed: 61), .uniform([4], seed: 62)]
        let leaky: [GradInput] = [.uniform([1, 4, 7, 5], seed: 63), .uniform([6, 2, 3, 3], seed: 64)]
        let fusedRelu: (Context, [Tensor]) throws -> Tensor = {
            try Tensor.conv2d($1[0], $1[1], bias: $1[2], padding: .symmetric(1), activation: .relu)
        }
        let fusedLeaky: (Context, [Tensor]) throws -> Tensor = {
            try Tensor.conv2d($1[0], $1[1], stride: (2, 2), padding: .same, groups: 2, activation: .leakyRelu(negativeSlope: 0.3))
        }
        try checkGradients(.float64Reference, "conv2d + fused relu", relu, fusedRelu)
        try checkGradients(.float64Reference, "conv2d + fused leakyRelu 0.3, groups 2, stride 2", leaky, fusedLeaky)
        try Precision.forEach { precision in
            try expectSameGradients(precision, relu, fusedRelu) {
                try Tensor.conv2d($1[0], $1[1], bias: $1[2], padding: .symmetric(1)).relu()
            }
            try expectSameGradients(precision, leaky, fusedLeaky) {
                try Tensor.conv2d($1[0], $1[1], stride: (2, 2), padding: .same, groups: 2).leakyRelu(negativeSlope: 0.3)
            }
        }
    }

    /// The outputs and input gradients of `f` and `g` on the same inputs, compared exactly.
    private func expectSameGradients(_ precision: Precision, _ inputs: [GradInput], _ f: (Context, [Tensor]) throws -> Tensor,
                                     _ g: (Context, [Tensor]) throws -> Tensor) throws {
        let context = try Context(backend: precision.backend, threads: 2)
        func run(_ h: (Context, [Tensor]) throws -> Tensor) throws -> [[Double]] {
            let tensors = try inputs.map {
                try Tensor(doubles: $0.values, shape: $0.shape, dtype: precision.dtype, on: context).requiringGrad()
            }
            let y = try h(context, tensors)
            let weights = try Tensor.randomUniform(y.shape, lower: -1, upper: 1, seed: 99, dtype: y.dtype, on: context)
            try (y * weights).sum().backward()
            return try [y.toDoubles()] + tensors.map { try XCTUnwrap($0.grad).toDoubles() }
        }
        XCTAssertEqual(try run(f), try run(g), "\(precision.name): fused and separate differ")
    }

    func testConvTranspose2D() throws {
        try check("convTranspose2d stride/pad/outputPadding/groups", [.uniform([1, 4, 3, 3], seed: 27),
                                                                      .uniform([4, 3, 3, 2], seed: 28), .uniform([6], seed: 29)]) {
            try Tensor.convTranspose2d($1[0], $1[1], bias: $1[2], stride: (2, 2), padding: .symmetric(height: 1, width: 0),
                                       outputPadding: (1, 0), groups: 2)
        }
        try check("convTranspose2d dilation", [.uniform([2, 2, 3, 2], seed: 30), .uniform([2, 2, 2, 2], seed: 31)]) {
            try Tensor.convTranspose2d($1[0], $1[1], stride: (1, 2), dilation: (2, 1))
        }
    }

    func testPooling() throws {
        try check("maxPool2d pad/ceil", [.distinct([1, 2, 5, 5], seed: 32)]) {
            try $1[0].maxPool2d(kernel: (3, 3), stride: (2, 2), padding: .symmetric(1), ceilMode: true)
        }
        try check("maxPool2d dilation, same", [.distinct([2, 1, 6, 5], seed: 33)]) {
            try $1[0].maxPool2d(kernel: (2, 2), stride: (1, 2), padding: .same, dilation: (2, 1))
        }
        try check("avgPool2d exclude pad, ceil", [.uniform([1, 2, 5, 4], seed: 34)]) {
            try $1[0].avgPool2d(kernel: (3, 2), stride: (2, 2), padding: .explicit(top: 1, bottom: 0, left: 1, right: 1),
                                ceilMode: true, countIncludePad: false)
        }
        try check("avgPool2d divisor override", [.uniform([1, 1, 4, 4], seed: 35)]) {
            try $1[0].avgPool2d(kernel: (2, 2), stride: (1, 1), divisorOverride: 3)
        }
        try check("avgPool2d dilation, PyTorch-style integer padding", [.uniform([2, 1, 6, 5], seed: 56)]) {
            try $1[0].avgPool2d(kernel: (2, 3), stride: (2, 1), padding: 1, dilation: (2, 1), countIncludePad: false)
        }
        try check("globalAvgPool2d", [.uniform([2, 3, 3, 2], seed: 36)]) { try $1[0].globalAvgPool2d() }
        try check("globalMaxPool2d", [.distinct([2, 2, 3, 3], seed: 37)]) { try $1[0].globalMaxPool2d() }
    }

    func testActivations() throws {
        try check("relu", [.awayFromZero([2, 3, 4], seed: 38)]) { try $1[0].relu() }
        try check("leakyRelu", [.awayFromZero([2, 3, 4], seed: 39)]) { try $1[0].leakyRelu(negativeSlope: 0.2) }
        try check("sigmoid", [.uniform([2, 3, 4], seed: 40, -3, 3)]) { try $1[0].sigmoid() }
        try check("tanh", [.uniform([2, 3, 4], seed: 41, -2, 2)]) { try $1[0].tanh() }
        try check("dropout", [.uniform([4, 8], seed: 42)]) { try $1[0].dropout(rate: 0.5, seed: 7, offset: 3) }
    }

    func testBatchNorm() throws {
        let inputs: [GradInput] = [.uniform([2, 3, 2, 2], seed: 43, -2, 2), .uniform([3], seed: 44, 0.5, 1.5), .uniform([3], seed: 45)]
        try check("batchNorm2d training", inputs) { context, t in
            let mean = try Tensor.zeros([3], dtype: t[0].dtype, on: context)
            let variance = try Tensor.ones([3], dtype: t[0].dtype, on: context)
            return try t[0].batchNorm2d(gamma: t[1], beta: t[2], runningMean: mean, runningVar: variance, training: true)
        }
        try check("batchNorm2d inference", inputs) { context, t in
            let mean = try Tensor(doubles: [0.1, -0.2, 0.3], shape: [3], dtype: t[0].dtype, on: context)
            let variance = try Tensor(doubles: [0.5, 1.5, 2], shape: [3], dtype: t[0].dtype, on: context)
            return try t[0].batchNorm2d(gamma: t[1], beta: t[2], runningMean: mean, runningVar: variance, training: false)
        }
    }

    /// x feeds both batch norm and a skip connection, so when batch norm's rule runs dx exists
    /// already while dgamma and dbeta do not: the shared-beta call goes through temporaries.
    func testBatchNormWithSkipConnection() throws {
        try check("batchNorm2d + x", [.uniform([2, 2, 2, 2], seed: 53, -2, 2), .uniform([2], seed: 54, 0.5, 1.5),
                                      .uniform([2], seed: 55)]) { _, t in
            try t[0].batchNorm2d(gamma: t[1], beta: t[2], training: true) + t[0]
        }
    }

    func testSoftmaxCrossEntropy() throws {
        try check("softmaxCrossEntropy, smoothing 0.1", [.uniform([4, 5], seed: 46, -2, 2)]) { context, t in
            try Tensor.softmaxCrossEntropy(logits: t[0], labels: Tensor(labels: [0, 4, 2, 2], on: context), labelSmoothing: 0.1)
        }
    }

    /// A small network end to end: the tape composes the rules above (fan-out, reuse, a scalar loss).
    func testSmallNetworkEndToEnd() throws {
        let inputs: [GradInput] = [.uniform([2, 2, 5, 5], seed: 47), .uniform([3, 2, 3, 3], seed: 48), .uniform([3], seed: 49),
                                   .uniform([3], seed: 50, 0.5, 1.5), .uniform([3], seed: 51), .uniform([3, 4], seed: 52)]
        try check("conv-bn-tanh-pool-dense-loss", inputs) { context, t in
            let conv = try Tensor.conv2d(t[0], t[1], bias: t[2], padding: .same)
            let normalized = try conv.batchNorm2d(gamma: t[3], beta: t[4], training: true)
            let hidden = try normalized.tanh().avgPool2d(kernel: (2, 2), ceilMode: true)
            let residual = try hidden + hidden.scaled(by: 0.5)
            let logits = try Tensor.matmul(residual.globalAvgPool2d().flattened(), t[5])
            return try Tensor.softmaxCrossEntropy(logits: logits, labels: Tensor(labels: [1, 3], on: context))
        }
    }
}
