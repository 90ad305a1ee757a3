import CConvKit
import ConvKit

/// A fully connected layer, PyTorch's `nn.Linear`: (N, inFeatures) → (N, outFeatures),
/// y = x · weightᵀ + bias. Parameters `weight` (outFeatures, inFeatures) and optional `bias`
/// (outFeatures), by default both U(±1/√inFeatures). `Tensor/linear(_:weight:bias:)`:
/// `ck_gemm` and `ck_bias_add`.
public final class Dense: Module {
    /// The weight (outFeatures, inFeatures), PyTorch's layout; requires grad.
    public let weight: Tensor
    /// The bias (outFeatures), or nil; requires grad.
    public let bias: Tensor?
    public var isTraining = true

    /// PyTorch's `Linear(in_features, out_features, bias)`; the weight drawn from `seed` by
    /// `weightInitializer`, the bias from a derived seed.
    public init(inFeatures: Int, outFeatures: Int, useBias: Bool = true, weightInitializer: Initializer = .pytorchDefault,
                seed: UInt64, on context: Context) throws {
        let shape = [try positive(outFeatures, "outFeatures", "Dense"), try positive(inFeatures, "inFeatures", "Dense")]
        (weight, bias) = try makeWeightAndBias(shape, biasCount: useBias ? outFeatures : nil, initializer: weightInitializer,
                                               seed: seed, on: context)
    }

    public var directParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try checkFeatureInput(x, "Dense", features: weight.shape[1])
        return try Tensor.linear(x, weight: weight, bias: bias)
    }
}

/// Inverted dropout, PyTorch's `nn.Dropout`: in training each element is zeroed with
/// probability `rate` and the rest scaled by 1/(1 − rate); in evaluation the input passes
/// through. The masks come from Philox keyed by `seed` (`ck_dropout_forward`), so they are the
/// same on every backend, but not PyTorch's; each call continues the counter where the
/// previous one stopped, so successive batches get fresh masks.
public final class Dropout: Module {
    /// The probability of zeroing an element, in [0, 1).
    public let rate: Double
    /// The Philox key of the masks.
    public let seed: UInt64
    /// The Philox counter of the next call's first element (a restored checkpoint sets it).
    public internal(set) var offset: UInt64 = 0
    public var isTraining = true
    /// In data-parallel training, this replica's place among `count` equal shares of the global
    /// batch: a call draws the mask of its rows of the global batch (counters from `offset` +
    /// `index`·(its elements)) and advances `offset` by the global batch's element count, so
    /// the replicas together drop exactly what one process with the global batch would.
    public var replica: (index: Int, count: Int) = (0, 1)

    /// PyTorch's `Dropout(p)` with a seeded mask stream; throws unless 0 ≤ rate < 1.
    public init(rate: Double, seed: UInt64) throws {
        guard rate >= 0, rate < 1 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "Dropout: rate \(rate) must be in [0, 1)")
        }
        (self.rate, self.seed) = (rate, seed)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard isTraining, rate > 0 else { return x }
        let y = try x.dropout(rate: rate, seed: seed, offset: offset &+ UInt64(replica.index * x.count))
        offset &+= UInt64(replica.count * x.count)
        return y
    }
}

/// (N, d1, d2, …) → (N, d1·d2·…), PyTorch's `nn.Flatten()`: the input of a ``Dense`` layer
/// (a `ck_copy`).
public final class Flatten: Module {
    public var isTraining = true

    /// A flatten layer; it has no settings.
    public init() {}

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.shape.count >= 2 else { throw layerError("Flatten", "input \(x.shape) needs a batch axis and at least one more") }
        return try x.flattened()
    }
}
