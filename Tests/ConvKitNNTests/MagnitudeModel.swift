import ConvKit
import ConvKitNN
import XCTest

/// Element-wise bounds of Σ|terms| for a network step, from a copy of the network run on
/// magnitudes (a running-error analysis done by the network itself).
///
/// For a program of sums and products, replacing every input by its absolute value and every
/// weight by its absolute value gives, element by element, the Σ|terms| that bounds each
/// float32 sum's error (γ(k)·Σ|terms|), and errors carried in from earlier stages are bounded
/// by the same magnitudes, so the whole program errs by at most γ(K)·magnitude, K the sum of
/// the stages' term counts (first order). Batch norm, which is not such a program, enters as
/// its affine map with the batch statistics (evaluation mode): y = g·|γ|·(|x| + |μ|)/σ + |β|,
/// where g = 2 + max|x̂|·mean|x̂| (per channel, from the batch) bounds the first-order gain of
/// training-mode normalization on input errors (|δy| ≤ |γ|/σ·(|δx| + mean|δx| +
/// |x̂|·mean|x̂|·max|δx|)), and g = 1 in evaluation mode. Running statistics that already differ between the two
/// implementations by (Δμ, Δσ²) widen μ by Δμ and g by Δσ²/(2σ²), each divided by 2γ(K) so that
/// the final 2γ(K) factor restores them. A max pool becomes a sum pool (``makeLayer``).
struct MagnitudeRun {
    /// Magnitudes of the output, the input gradient and each parameter gradient.
    let y: [Double]
    let dx: [Double]
    let grads: [String: [Double]]
    /// Magnitudes of each batch norm's input, by the batch norm's path ("bn1", "1", "" alone).
    let normInputs: [String: (shape: [Int], values: [Double])]
}

/// A batch norm's statistics in one step and what the two implementations' running statistics
/// may differ by before it.
struct NormStatistics {
    let mean: [Double]
    /// Biased variance (training) or the running variance (evaluation).
    let variance: [Double]
    let epsilon: Double
    let count: Int
    /// g per channel (see ``MagnitudeRun``).
    let gain: [Double]
    let training: Bool
    let runningMeanTolerance: [Double]
    let runningVarTolerance: [Double]
}

/// One layer call during a traversal: its path, the layer, its input and its output's shape.
struct LayerCall {
    let path: String
    let layer: any Module
    let input: Tensor
    let outputShape: [Int]
}

/// Runs `module` (a layer, ``Sequential``, ``SeparableConv2D`` or ``BasicBlock``) on `x`, layer
/// by layer, returning the output and every layer call (batch norms' inputs among them).
func traverse(_ module: any Module, _ x: Tensor, path: String = "") throws -> (Tensor, [LayerCall]) {
    func join(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
    func chain(_ parts: [(String, any Module)], _ input: Tensor) throws -> (Tensor, [LayerCall]) {
        var calls: [LayerCall] = [], current = input
        for (name, layer) in parts {
            let (next, inner) = try traverse(layer, current, path: join(name))
            calls += inner
            current = next
        }
        return (current, calls)
    }
    switch module {
    case let sequential as Sequential:
        return try chain(sequential.children.map { ($0.name, $0.module) }, x)
    case let separable as SeparableConv2D:
        return try chain([("depthwise", separable.depthwise), ("pointwise", separable.pointwise)], x)
    case let block as BasicBlock:
        let (first, firstCalls) = try chain([("conv1", block.conv1), ("bn1", block.bn1)], x)
        let (second, secondCalls) = try chain([("conv2", block.conv2), ("bn2", block.bn2)], try first.relu())
        let (shortcut, shortcutCalls) = try block.downsample.map { try traverse($0, x, path: join("downsample")) } ?? (x, [])
        return (try (second + shortcut).relu(), firstCalls + secondCalls + shortcutCalls)
    default:
        let y = try module(x)
        return (y, [LayerCall(path: path, layer: module, input: x, outputShape: y.shape)])
    }
}

/// Term counts of one layer call: its longest float32 sum forward plus its longest backward
/// (K adds these over the network; a residual addition adds 2).
func termCount(_ call: LayerCall, norms: [String: NormStatistics]) -> Double {
    let (x, y) = (call.input.shape, call.outputShape)
    func spatialCount(_ shape: [Int]) -> Int { shape[0] * shape[2] * shape[3] }
    let (forward, backward): (Int, Int)
    switch call.layer {
    case let conv as Conv2D:
        let w = conv.weight.shape
        (forward, backward) = (w[1] * w[2] * w[3] + 1, max(w[0] / conv.groups * w[2] * w[3], spatialCount(y)))
    case let depthwise as DepthwiseConv2D:
        let w = depthwise.weight.shape
        (forward, backward) = (w[2] * w[3] + 1, max(w[0] / x[1] * w[2] * w[3], spatialCount(y)))
    case let transposed as ConvTranspose2D:
        let w = transposed.weight.shape
        (forward, backward) = (w[0] / transposed.groups * w[2] * w[3] + 1, max(w[1] * w[2] * w[3], spatialCount(x)))
    case let dense as Dense:
        (forward, backward) = (dense.weight.shape[1] + 1, max(dense.weight.shape[0], x[0]))
    case let pool as MaxPool2D:
        (forward, backward) = (0, windowsPerElement(pool.kernelSize, pool.stride))
    case let pool as AvgPool2D:
        (forward, backward) = (pool.kernelSize.0 * pool.kernelSize.1, windowsPerElement(pool.kernelSize, pool.stride))
    case is GlobalAvgPool2D:
        (forward, backward) = (x[2] * x[3], 1)
    case is BatchNorm2D:
        guard let stats = norms[call.path], stats.training else { return 10 }
        let m = Double(stats.count)
        let kappa = zip(stats.mean, stats.variance).map { mean, variance in (variance + 2 * mean * mean) / (2 * (variance + stats.epsilon)) }.max() ?? 0
        return m + 10 + (m + 4) * kappa + m + 6
    case let upsampling as UpSampling2D:
        let (sh, sw) = upsampling.scale
        (forward, backward) = upsampling.interpolation == .nearest ? (0, sh * sw) : (4, 2 * (sh + sw) + 4)
    default:
        (forward, backward) = (0, 0)
    }
    return Double(forward + backward)
}

/// How many windows of a pool can cover one input element: ⌈kernel/stride⌉ per axis.
private func windowsPerElement(_ kernel: (Int, Int), _ stride: (Int, Int)) -> Int {
    ((kernel.0 + stride.0 - 1) / stride.0) * ((kernel.1 + stride.1 - 1) / stride.1)
}

/// The magnitude copy: `model` (a fresh copy of the network) gets |state|, batch norms their
/// statistics in the form described in ``MagnitudeRun``; then it runs on |x| and back from the
/// seed `dy` makes of the output's magnitudes (|dy| of a given upstream gradient, say).
func runMagnitudes(_ model: any Module, state: [String: [Double]], norms: [String: NormStatistics], terms: Double,
                   x: HostTensor, on context: Context, dy: ([Double]) throws -> [Double]) throws -> MagnitudeRun {
    var loaded: [String: Tensor] = [:]
    for (name, tensor) in model.stateDict() {
        let values = try XCTUnwrap(state[name], "no state for \(name)")
        let (path, key) = splitName(name)
        var magnitudes = values.map(abs)
        if let stats = norms[path] {
            let scale = 2 * gamma(terms)
            switch key {
            case "weight":
                magnitudes = magnitudes.indices.map { c in
                    let widen = stats.runningVarTolerance[c] / (2 * (stats.variance[c] + stats.epsilon)) / scale
                    return (stats.gain[c] + (stats.training ? 0 : widen)) * magnitudes[c]
                }
            case "running_mean":
                magnitudes = magnitudes.indices.map { c in
                    -(abs(stats.mean[c]) + (stats.training ? 0 : stats.runningMeanTolerance[c] / scale))
                }
            case "running_var": magnitudes = stats.variance
            default: break
            }
        }
        loaded[name] = try Tensor(doubles: key == "num_batches_tracked" ? values : magnitudes, shape: tensor.shape,
                                  dtype: tensor.dtype, on: context)
    }
    try model.loadStateDict(loaded)
    model.eval()
    let input = try Tensor(doubles: x.values.map(abs), shape: x.shape, on: context).requiringGrad()
    let (y, calls) = try traverse(model, input)
    let output = try y.toDoubles()
    try y.backward(gradient: Tensor(doubles: try dy(output), shape: y.shape, on: context))
    let normCalls = calls.filter { $0.layer is BatchNorm2D }
    var grads: [String: [Double]] = [:]
    for (name, parameter) in model.namedParameters() { grads[name] = try parameter.grad?.toDoubles() ?? [] }
    var normInputs: [String: (shape: [Int], values: [Double])] = [:]
    for call in normCalls { normInputs[call.path] = (call.input.shape, try call.input.toDoubles()) }
    return MagnitudeRun(y: output, dx: try XCTUnwrap(input.grad).toDoubles(), grads: grads, normInputs: normInputs)
}

/// ("layer1.0.bn1", "weight") from "layer1.0.bn1.weight"; ("", "weight") from "weight".
func splitName(_ name: String) -> (path: String, key: String) {
    guard let dot = name.lastIndex(of: ".") else { return ("", name) }
    return (String(name[..<dot]), String(name[name.index(after: dot)...]))
}

/// Per-channel values of an (N, C, H, W) array: channel c's m = N·H·W elements.
func channelValues(_ values: [Double], shape: [Int], channel c: Int) -> [Double] {
    let (n, channels, plane) = (shape[0], shape[1], shape[2] * shape[3])
    var result: [Double] = []
    for b in 0..<n {
        let start = (b * channels + c) * plane
        result += values[start..<start + plane]
    }
    return result
}
