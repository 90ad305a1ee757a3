import ConvKit
import ConvKitNN

/// The optimizers `convkit train --optimizer` offers, each ConvKitNN's PyTorch-equivalent class.
public enum OptimizerKind: String, CaseIterable, Sendable {
    /// ``SGD``, with `momentum`, `nesterov` and L2 `weightDecay`.
    case sgd
    /// ``Adam`` (β = 0.9, 0.999; weight decay added to the gradient, L2).
    case adam
    /// ``Adam`` with decoupled weight decay (AdamW).
    case adamw
    /// ``RMSProp`` (α = 0.99), with `momentum` and L2 `weightDecay`.
    case rmsprop
}

/// Which optimizer, and its hyperparameters. `learningRate` is the peak rate: the schedule's
/// warm-up climbs to it and its decay starts from it.
public struct OptimizerOptions: Equatable, Sendable {
    public var kind: OptimizerKind
    public var learningRate: Double
    /// SGD and RMSProp only; ignored by Adam and AdamW.
    public var momentum: Double
    /// SGD only: Nesterov momentum, applied when momentum > 0.
    public var nesterov: Bool
    /// L2 penalty for SGD, Adam and RMSProp; the decoupled decay factor for AdamW.
    public var weightDecay: Double

    public init(kind: OptimizerKind = .sgd, learningRate: Double = 0.1, momentum: Double = 0.9, nesterov: Bool = true,
                weightDecay: Double = 5e-4) {
        (self.kind, self.learningRate, self.momentum) = (kind, learningRate, momentum)
        (self.nesterov, self.weightDecay) = (nesterov, weightDecay)
    }

    /// Checks the ranges the optimizers need, worded for the command line's flags.
    func validate() throws {
        guard learningRate > 0, learningRate.isFinite else {
            throw TrainingError.invalidOption("--lr must be a positive number, not \(learningRate)")
        }
        guard momentum >= 0, momentum < 1 else { throw TrainingError.invalidOption("--momentum must be in [0, 1), not \(momentum)") }
        guard weightDecay >= 0, weightDecay.isFinite else {
            throw TrainingError.invalidOption("--weight-decay must be 0 or more, not \(weightDecay)")
        }
    }

    /// The optimizer over `parameters` (names from ``Module/namedParameters()``).
    public func makeOptimizer(_ parameters: [(name: String, tensor: Tensor)]) throws -> Optimizer {
        try validate()
        switch kind {
        case .sgd:
            return try SGD(parameters, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay,
                           nesterov: nesterov && momentum > 0)
        case .adam:
            return try Adam(parameters, learningRate: learningRate, weightDecay: weightDecay)
        case .adamw:
            return try Adam.adamW(parameters, learningRate: learningRate, weightDecay: weightDecay)
        case .rmsprop:
            return try RMSProp(parameters, learningRate: learningRate, weightDecay: weightDecay, momentum: momentum)
        }
    }

    /// "sgd lr 0.1 momentum 0.9 nesterov weight decay 0.0005", for logs.
    public var summary: String {
        var parts = ["\(kind.rawValue) lr \(learningRate)"]
        if kind == .sgd || kind == .rmsprop { parts.append("momentum \(momentum)") }
        if kind == .sgd, nesterov, momentum > 0 { parts.append("nesterov") }
        parts.append("weight decay \(weightDecay)")
        return parts.joined(separator: " ")
    }
}
