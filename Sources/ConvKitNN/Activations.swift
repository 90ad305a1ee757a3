import ConvKit

/// max(x, 0), PyTorch's `nn.ReLU`; any shape. `ck_activation_forward` / `_backward` (`CK_ACT_RELU`).
public final class ReLU: Module {
    public var isTraining = true
    /// A ReLU layer; it has no settings.
    public init() {}
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.relu() }
}

/// x for x > 0, negativeSlope·x otherwise, PyTorch's `nn.LeakyReLU`; any shape (`CK_ACT_LEAKY_RELU`).
public final class LeakyReLU: Module {
    /// The slope for x < 0.
    public let negativeSlope: Double
    public var isTraining = true
    /// PyTorch's `LeakyReLU(negative_slope)`.
    public init(negativeSlope: Double = 0.01) { self.negativeSlope = negativeSlope }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.leakyRelu(negativeSlope: negativeSlope) }
}

/// 1 / (1 + e^−x), PyTorch's `nn.Sigmoid`; any shape (`CK_ACT_SIGMOID`).
public final class Sigmoid: Module {
    public var isTraining = true
    /// A sigmoid layer; it has no settings.
    public init() {}
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.sigmoid() }
}

/// tanh(x), PyTorch's `nn.Tanh`; any shape (`CK_ACT_TANH`).
public final class Tanh: Module {
    public var isTraining = true
    /// A tanh layer; it has no settings.
    public init() {}
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.tanh() }
}

/// The softmax over the classes of (N, K) scores, PyTorch's `nn.Softmax(dim=1)`.
/// `Tensor/softmax()`: the probabilities of `ck_softmax_cross_entropy_forward`.
public final class Softmax: Module {
    public var isTraining = true
    /// A softmax layer over axis 1; it has no settings.
    public init() {}

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.shape.count == 2 else { throw layerError("Softmax", "input \(x.shape) must be (N, K) class scores") }
        return try x.softmax()
    }
}
