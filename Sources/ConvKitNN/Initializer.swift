import CConvKit
import ConvKit

/// Which fan a Kaiming initializer scales by (PyTorch's `mode`).
public enum FanMode: Sendable {
    /// Inputs per output: shape[1] · kernel area. Preserves the forward pass's variance.
    case fanIn
    /// Outputs per input: shape[0] · kernel area. Preserves the backward pass's variance.
    case fanOut
}

/// The nonlinearity that follows a layer, for its recommended gain (`torch.nn.init.calculate_gain`).
public enum Nonlinearity: Sendable {
    /// No nonlinearity (or a linear layer next): gain 1.
    case linear
    /// Gain 1.
    case sigmoid
    /// Gain 5/3.
    case tanh
    /// Gain √2.
    case relu
    /// Gain √(2 / (1 + slope²)).
    case leakyRelu(negativeSlope: Double)

    /// 1 for linear and sigmoid, 5/3 for tanh, √2 for ReLU, √(2 / (1 + slope²)) for leaky ReLU.
    public var gain: Double {
        switch self {
        case .linear, .sigmoid: return 1
        case .tanh: return 5.0 / 3
        case .relu: return 2.0.squareRoot()
        case let .leakyRelu(slope): return (2 / (1 + slope * slope)).squareRoot()
        }
    }
}

/// How a weight tensor starts: PyTorch's `torch.nn.init` formulas, drawn from ConvKit's seeded
/// `SplitMix64` (so values are reproducible across runs and backends, but are not PyTorch's
/// random stream). Fans follow PyTorch: for a weight (O, I, k…), fan_in = I·∏k, fan_out = O·∏k.
public enum Initializer: Sendable {
    /// U(−b, b), b = gain · √(3 / fan) (`kaiming_uniform_`).
    case kaimingUniform(mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .relu)
    /// N(0, σ²), σ = gain / √fan (`kaiming_normal_`).
    case kaimingNormal(mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .relu)
    /// U(−b, b), b = gain · √(6 / (fan_in + fan_out)) (`xavier_uniform_`).
    case xavierUniform(gain: Double = 1)
    /// N(0, σ²), σ = gain · √(2 / (fan_in + fan_out)) (`xavier_normal_`).
    case xavierNormal(gain: Double = 1)
    /// U(lower, upper).
    case uniform(lower: Double, upper: Double)
    /// N(mean, σ²).
    case normal(mean: Double = 0, standardDeviation: Double)
    /// Every element `value`.
    case constant(Double)

    /// PyTorch's default for conv and linear weights: `kaiming_uniform_(a=√5)`, which is
    /// U(−1/√fan_in, 1/√fan_in).
    public static let pytorchDefault = Initializer.kaimingUniform(mode: .fanIn, nonlinearity: .leakyRelu(negativeSlope: 5.0.squareRoot()))

    /// (fan_in, fan_out) of a weight shape with at least two dimensions.
    public static func fans(_ shape: [Int]) throws -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "Initializer: fans need a weight with >= 2 dimensions, got \(shape)")
        }
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// A new float32 tensor of `shape` drawn with `seed` (`Tensor.randomUniform` / `randomNormal`, `ck_fill`).
    public func makeTensor(_ shape: [Int], seed: UInt64, on context: Context) throws -> Tensor {
        switch self {
        case let .kaimingUniform(mode, nonlinearity):
            let bound = nonlinearity.gain * (3 / Double(try Initializer.fan(shape, mode))).squareRoot()
            return try .randomUniform(shape, lower: -bound, upper: bound, seed: seed, on: context)
        case let .kaimingNormal(mode, nonlinearity):
            let std = nonlinearity.gain / Double(try Initializer.fan(shape, mode)).squareRoot()
            return try .randomNormal(shape, standardDeviation: std, seed: seed, on: context)
        case let .xavierUniform(gain):
            let (fanIn, fanOut) = try Initializer.fans(shape)
            let bound = gain * (6 / Double(fanIn + fanOut)).squareRoot()
            return try .randomUniform(shape, lower: -bound, upper: bound, seed: seed, on: context)
        case let .xavierNormal(gain):
            let (fanIn, fanOut) = try Initializer.fans(shape)
            return try .randomNormal(shape, standardDeviation: gain * (2 / Double(fanIn + fanOut)).squareRoot(), seed: seed, on: context)
        case let .uniform(lower, upper):
            return try .randomUniform(shape, lower: lower, upper: upper, seed: seed, on: context)
        case let .normal(mean, std):
            return try .randomNormal(shape, mean: mean, standardDeviation: std, seed: seed, on: context)
        case let .constant(value):
            return try .full(shape, value: value, on: context)
        }
    }

    private static func fan(_ shape: [Int], _ mode: FanMode) throws -> Int {
        let (fanIn, fanOut) = try fans(shape)
        return mode == .fanIn ? fanIn : fanOut
    }
}

/// Weight (by `initializer`) and bias (PyTorch's default U(±1/√fan_in), fan_in of the weight)
/// for conv and linear layers; the bias is drawn with a seed derived from `seed`.
func makeWeightAndBias(_ shape: [Int], biasCount: Int?, initializer: Initializer, seed: UInt64,
                       on context: Context) throws -> (weight: Tensor, bias: Tensor?) {
    let weight = try initializer.makeTensor(shape, seed: seed, on: context).requiringGrad()
    guard let biasCount else { return (weight, nil) }
    let bound = 1 / Double(try Initializer.fans(shape).fanIn).squareRoot()
    let bias = try Tensor.randomUniform([biasCount], lower: -bound, upper: bound, seed: derivedSeed(seed, 1), on: context)
    return (weight, try bias.requiringGrad())
}

/// A seed for part `index` of something seeded with `seed` (a block's layers, a bias): one
/// `SplitMix64` draw, so nearby seeds and indices give unrelated streams.
public func derivedSeed(_ seed: UInt64, _ index: UInt64) -> UInt64 {
    var generator = SplitMix64(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03))
    return generator.next()
}
