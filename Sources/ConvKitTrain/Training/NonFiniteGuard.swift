import ConvKit
import ConvKitNN

/// What the trainer does when a step's loss or gradients hold NaN or ±∞
/// (`convkit train --on-nonfinite`).
public enum NonFiniteAction: String, CaseIterable, Sendable {
    /// End the run with an error naming the layers; the checkpoints on disk are those of the
    /// last finished epoch, untouched.
    case stop
    /// Drop the step: no optimizer update, batch-norm running mean and variance put back as they
    /// were before the step's forward pass; training goes on with the next batch.
    case skip
    /// As `skip`, and multiply the learning rate (of every later step, on top of the schedule)
    /// by ``NonFiniteOptions/learningRateFactor``.
    case lowerLearningRate = "lower-lr"
}

/// The settings of non-finite detection.
public struct NonFiniteOptions: Equatable, Sendable {
    public var action: NonFiniteAction
    /// `lower-lr`: the factor in (0, 1) applied to the learning rate at each non-finite step.
    public var learningRateFactor: Double
    /// `skip` and `lower-lr`: the run stops after this many non-finite steps in a row.
    public var maxConsecutive: Int

    public init(action: NonFiniteAction = .stop, learningRateFactor: Double = 0.5, maxConsecutive: Int = 10) {
        (self.action, self.learningRateFactor, self.maxConsecutive) = (action, learningRateFactor, maxConsecutive)
    }

    func validate() throws {
        guard learningRateFactor > 0, learningRateFactor < 1 else {
            throw TrainingError.invalidOption("--nonfinite-lr-factor must be in (0, 1), not \(learningRateFactor)")
        }
        guard maxConsecutive >= 1 else {
            throw TrainingError.invalidOption("--max-nonfinite-steps must be 1 or more, not \(maxConsecutive)")
        }
    }
}

/// Where a step's non-finite values are: the loss, and each parameter whose gradient (after
/// `backward()`) or value holds NaN or ±∞, in the model's registration order, which is the
/// forward order of its layers.
public struct NonFiniteReport: Sendable, CustomStringConvertible {
    /// One tensor's count of non-finite elements.
    public struct Entry: Sendable, Equatable {
        /// The parameter's name (`layer1.0.conv1.weight`).
        public let name: String
        public let nonFinite: Int
        public let count: Int
        /// The layer the parameter belongs to (the name without its last component).
        public var layer: String { name.split(separator: ".").dropLast().joined(separator: ".") }
    }

    /// 1-based epoch and step of the run.
    public let epoch: Int
    public let step: Int
    /// The step's loss as read (NaN, ±∞ or finite).
    public let loss: Double
    public let gradients: [Entry]
    public let parameters: [Entry]
    /// When the weights are finite but the loss is not: the first layer (submodule path, in the
    /// order the forward pass finishes them) whose output holds NaN or ±∞ when the batch goes
    /// through the model again, or ``inputOrigin`` when the batch itself does; nil when not looked for.
    public var forwardOrigin: String?

    /// ``forwardOrigin`` for a batch of images that holds NaN or ±∞ itself.
    public static let inputOrigin = "(the input images)"

    /// The layer where the non-finite values most likely started: the first layer whose
    /// parameters are non-finite, else ``forwardOrigin``, else — the backward pass running from
    /// the last layer to the first — the last layer (in forward order) whose gradient is
    /// non-finite, when the loss is finite.
    public var origin: String? {
        if let first = parameters.first { return first.layer }
        if let forwardOrigin { return forwardOrigin }
        return loss.isFinite ? gradients.last?.layer : nil
    }

    public var description: String {
        var parts = ["non-finite values in epoch \(epoch), step \(step): loss \(loss.isNaN ? "NaN" : "\(loss)")"]
        func list(_ entries: [Entry]) -> String {
            let shown = entries.prefix(4).map { "\($0.name) (\($0.nonFinite) of \($0.count))" }
            return shown.joined(separator: ", ") + (entries.count > 4 ? ", and \(entries.count - 4) more" : "")
        }
        if !parameters.isEmpty { parts.append("parameters: " + list(parameters)) }
        if !gradients.isEmpty { parts.append("gradients of " + list(gradients)) }
        if forwardOrigin == Self.inputOrigin, parameters.isEmpty {
            parts.append("the input batch itself holds NaN or infinity")
        } else if let origin {
            parts.append("it starts in layer `\(origin)`")
        } else if !loss.isFinite {
            parts.append("every weight is finite, so the forward pass made them (a non-finite input, or an overflow)")
        }
        return parts.joined(separator: "; ")
    }
}

/// Checks every step, before the optimizer update, that the loss and all gradients are finite:
/// on the device, the loss plus the sum of every gradient (`ck_reduce_sum`, `ck_add`) — NaN and
/// ±∞ survive the sum — and one float read (the step's only wait for the device). A non-finite
/// sum is then looked at element by element on the host (``NonFiniteReport``); a sum that
/// overflowed while every element is finite is not a finding.
///
/// For `skip` and `lower-lr` it also copies the model's float buffers (batch-norm running mean
/// and variance, `ck_copy` on the device) before every forward pass, so a dropped step can put
/// them back; the int32 `num_batches_tracked` still counts the dropped step, as in PyTorch when
/// its gradient scaler skips one (ConvKit's batch norm does not use it to compute).
final class NonFiniteGuard {
    let options: NonFiniteOptions
    private let parameters: [(name: String, tensor: Tensor)]
    private let buffers: [Tensor]
    private let savedBuffers: [Tensor]
    /// Non-finite steps in a row, up to now.
    private(set) var consecutive = 0
    /// Non-finite steps in the whole run (since this trainer was made).
    private(set) var total = 0

    init(model: any Module, options: NonFiniteOptions, context: Context) throws {
        try options.validate()
        self.options = options
        parameters = model.namedParameters()
        buffers = model.namedBuffers().map(\.tensor).filter { $0.dtype == .float32 }
        savedBuffers = options.action == .stop ? [] : try buffers.map { try Tensor.zeros($0.shape, on: context) }
    }

    /// Before the forward pass: copies the buffers (`skip` and `lower-lr` only).
    func saveBuffers() throws {
        for (saved, buffer) in zip(savedBuffers, buffers) { try saved.assign(buffer) }
    }

    /// After `backward()`: nil when `loss` and every gradient are finite, else where they are not.
    /// `epoch` and `step` are 0-based. When the weights are finite and the loss is not, and
    /// `replay` holds the model and the batch's images (N, C, H, W), the batch goes through the
    /// model once more (no gradients, in its current mode) with a ``ForwardHooks`` on every
    /// submodule, to find the first layer whose output is not finite.
    func inspect(loss: Tensor, epoch: Int, step: Int, replay: (model: any Module, images: Tensor)?) throws -> NonFiniteReport? {
        let gradients = parameters.compactMap(\.tensor.grad)
        let sum = try withNoGrad {
            try gradients.reduce(loss) { try $0 + $1.sum() }.item()
        }
        guard !sum.isFinite else {
            consecutive = 0
            return nil
        }
        var report = NonFiniteReport(epoch: epoch + 1, step: step + 1, loss: try loss.item(),
                                     gradients: try entries { $0.grad }, parameters: try entries { $0 })
        if let replay, report.parameters.isEmpty, !report.loss.isFinite {
            report.forwardOrigin = try firstNonFiniteLayer(replay.model, images: replay.images)
        }
        guard !report.loss.isFinite || !report.gradients.isEmpty || !report.parameters.isEmpty else {
            consecutive = 0
            return nil
        }
        consecutive += 1
        total += 1
        return report
    }

    /// After a dropped step: the buffers as they were before its forward pass.
    func restoreBuffers() throws {
        for (saved, buffer) in zip(savedBuffers, buffers) { try buffer.assign(saved) }
    }

    /// The first submodule whose output holds NaN or ±∞ as `images` go through `model` (children
    /// report before their parents), ``NonFiniteReport/inputOrigin`` when `images` do, nil when
    /// none does (a loss overflow).
    private func firstNonFiniteLayer(_ model: any Module, images: Tensor) throws -> String? {
        guard try images.toArray().allSatisfy(\.isFinite) else { return NonFiniteReport.inputOrigin }
        var first: String?
        let hooks = ForwardHooks()
        for (name, module) in model.namedSubmodules() {
            hooks.add(on: module) { output in
                if first == nil, try output.toArray().contains(where: { !$0.isFinite }) { first = name }
            }
        }
        _ = try withNoGrad { try hooks.observing { try model(images) } }
        return first
    }

    private func entries(_ values: (Tensor) -> Tensor?) throws -> [NonFiniteReport.Entry] {
        try parameters.compactMap { name, tensor in
            guard let value = values(tensor) else { return nil }
            let bad = try value.toArray().reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
            return bad == 0 ? nil : NonFiniteReport.Entry(name: name, nonFinite: bad, count: value.count)
        }
    }
}
