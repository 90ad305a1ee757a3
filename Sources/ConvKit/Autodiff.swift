import CConvKit

/// Whether ops record themselves on the autodiff tape. Task-local: each thread or task has its own.
public enum GradMode {
    /// True (the default) while ops record; ``withNoGrad(_:)`` sets it to false for its body.
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording ops on the tape (inference, optimizer updates).
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

/// One recorded op: the output's link back to its inputs and its backward rule.
final class TapeNode {
    /// The op's name, for messages ("mul", "conv2d").
    let op: String
    /// The op's differentiable inputs, in the order its ``BackwardRule`` numbers them.
    let inputs: [Tensor]
    let rule: BackwardRule
    /// The versions of `rule.saved` when the op ran; `backward()` refuses changed ones.
    let savedVersions: [Int]
    /// The output's version when the op ran, checked when the rule reads the output.
    let outputVersion: Int

    init(op: String, inputs: [Tensor], rule: BackwardRule, outputVersion: Int) {
        self.op = op
        self.inputs = inputs
        self.rule = rule
        savedVersions = rule.saved.map(\.version)
        self.outputVersion = outputVersion
    }
}

extension Tensor {
    /// The op template's last step: links `self` (an op's fresh output) to `inputs` with `rule`
    /// when recording is on and an input requires grad. Returns `self`.
    func recorded(_ op: String, inputs: [Tensor], rule: @autoclosure () -> BackwardRule) -> Tensor {
        if GradMode.isEnabled, inputs.contains(where: \.requiresGrad) {
            gradFn = TapeNode(op: op, inputs: inputs, rule: rule(), outputVersion: version)
        }
        return self
    }

    /// A copy of this tensor outside the tape: same values, no history, not requiring grad (`ck_copy`).
    public func detach() throws -> Tensor {
        let copy = try Tensor(context, shape: shape, dtype: dtype)
        try context.check(ck_copy(context.handle, [view], [copy.view]))
        return copy
    }

    /// Reverse-mode autodiff: accumulates d(self)/d(leaf) · `gradient` into ``grad`` of every leaf
    /// that requires grad and that `self` depends on. `gradient` defaults to 1 for a one-element
    /// tensor (a loss); otherwise it must have this tensor's shape. Walks the recorded ops in
    /// reverse topological order; gradients add up (`+=`) across paths and across calls.
    /// Throws, before touching any gradient, if a tensor saved by an op was modified in place since.
    ///
    /// `onGradientReady`, when given, is called once for every leaf that receives a gradient, as
    /// soon as that gradient is final for this call (every op that uses the leaf has run its
    /// backward rule), so that work on it (a data-parallel all-reduce) can overlap the rest.
    public func backward(gradient: Tensor? = nil, onGradientReady: ((Tensor) throws -> Void)? = nil) throws {
        let seed = try backwardSeed(gradient, "backward")
        let order = topologicalOrder()
        for tensor in order { try tensor.gradFn?.checkSavedVersions(output: tensor) }

        let store = GradientStore()
        if isLeaf {
            try GradientSlots(inputs: [self], store: store).accumulateScaled(0, 1, seed)
            try onGradientReady?(self)
            return
        }
        var readiness = onGradientReady.map { LeafReadiness(order: order, onReady: $0) }
        store.pending[ObjectIdentifier(self)] = seed
        for tensor in order {
            guard let node = tensor.gradFn else { continue }
            if let dy = store.pending.removeValue(forKey: ObjectIdentifier(tensor)) {
                try node.rule.backward(dy: dy, output: tensor, slots: GradientSlots(inputs: node.inputs, store: store))
            }
            try readiness?.ran(node)
        }
    }

    /// The gradient a backward pass from `self` starts with: `gradient` (checked against this
    /// tensor's shape, dtype and context), else 1 for a one-element tensor. `op` names the caller
    /// in messages. Throws when `self` does not require grad.
    func backwardSeed(_ gradient: Tensor?, _ op: String) throws -> Tensor {
        guard requiresGrad else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "\(op): the tensor does not require grad (no input was marked requiringGrad(), or it was computed under withNoGrad)")
        }
        if let gradient {
            guard gradient.shape == shape, gradient.dtype == dtype, gradient.context === context else {
                throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                                   message: "\(op): gradient \(gradient.shape) \(gradient.dtype) does not match the tensor \(shape) \(dtype) on the same context")
            }
            return gradient
        }
        guard count == 1 else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                               message: "\(op): a tensor of shape \(shape) needs an explicit gradient; only one-element tensors default to 1")
        }
        return try .ones(shape, dtype: dtype, on: context)
    }

    /// The recorded tensors `self` depends on, `self` first, each before all of its inputs.
    func topologicalOrder() -> [Tensor] {
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
        var postorder: [Tensor] = []
        var stack: [(tensor: Tensor, next: Int)] = [(self, 0)]
        while let (tensor, next) = stack.popLast() {
            let inputs = tensor.gradFn?.inputs ?? []
            guard next < inputs.count else {
                postorder.append(tensor)
                continue
            }
            stack.append((tensor, next + 1))
            let input = inputs[next]
            if input.gradFn != nil, visited.insert(ObjectIdentifier(input)).inserted {
                stack.append((input, 0))
            }
        }
        return postorder.reversed()
    }
}

/// Counts, for one `backward()`, the recorded ops still to run that use each leaf requiring
/// grad; when a leaf's count reaches zero its gradient is final and it is reported.
struct LeafReadiness {
    private var remainingUses: [ObjectIdentifier: Int] = [:]
    private let onReady: (Tensor) throws -> Void

    init(order: [Tensor], onReady: @escaping (Tensor) throws -> Void) {
        self.onReady = onReady
        for input in order.flatMap({ $0.gradFn?.inputs ?? [] }) where input.isLeaf && input.requiresGrad {
            remainingUses[ObjectIdentifier(input), default: 0] += 1
        }
    }

    /// After `node`'s backward rule ran (or had no gradient to run with): reports each leaf it
    /// used for the last time and that has a gradient.
    mutating func ran(_ node: TapeNode) throws {
        for input in node.inputs where input.isLeaf && input.requiresGrad {
            let key = ObjectIdentifier(input)
            guard let uses = remainingUses[key] else { continue }
            remainingUses[key] = uses == 1 ? nil : uses - 1
            if uses == 1, input.grad != nil { try onReady(input) }
        }
    }
}

extension TapeNode {
    /// Throws when a tensor the rule reads (`rule.saved`, and `output` when the rule reads it)
    /// was modified in place since the op ran.
    func checkSavedVersions(output: Tensor) throws {
        for (tensor, version) in zip(rule.saved, savedVersions) { try check(tensor, version) }
        if rule.readsOutput { try check(output, outputVersion) }
    }

    private func check(_ tensor: Tensor, _ version: Int) throws {
        guard tensor.version != version else { return }
        throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                           message: "backward: a tensor of shape \(tensor.shape) saved by \(op) was modified in place afterwards (version \(version), now \(tensor.version)); its gradient would be wrong")
    }
}

/// Gradients of intermediate tensors while one `backward()` runs; each is dropped once used.
/// With `holdsLeafGradients`, leaves' gradients are kept here too instead of in their ``Tensor/grad``.
final class GradientStore {
    var pending: [ObjectIdentifier: Tensor] = [:]
    let holdsLeafGradients: Bool

    init(holdsLeafGradients: Bool = false) { self.holdsLeafGradients = holdsLeafGradients }
}

/// Where one op's backward rule adds its input gradients. A leaf's gradient lives in its
/// ``Tensor/grad``, an intermediate's in the ``GradientStore``. Each helper either hands the C op
/// the existing gradient with beta = 1 or a fresh buffer with beta = 0, so gradients sum in place.
struct GradientSlots {
    let inputs: [Tensor]
    let store: GradientStore

    /// Whether input `i` wants a gradient.
    func needs(_ i: Int) -> Bool { inputs[i].requiresGrad }

    private func existing(_ i: Int) -> Tensor? {
        inputs[i].isLeaf && !store.holdsLeafGradients ? inputs[i].grad : store.pending[ObjectIdentifier(inputs[i])]
    }

    private func adopt(_ i: Int, _ gradient: Tensor) {
        if inputs[i].isLeaf && !store.holdsLeafGradients { inputs[i].grad = gradient } else { store.pending[ObjectIdentifier(inputs[i])] = gradient }
    }

    private func fresh(_ i: Int) throws -> Tensor { try Tensor(inputs[i].context, shape: inputs[i].shape, dtype: inputs[i].dtype) }

    /// For a C op with a beta flag: `body(dst, beta)` must set dst = dL/d(input i) + beta * dst.
    func accumulate(_ i: Int, _ body: (_ dst: Tensor, _ beta: Float) throws -> Void) throws {
        try accumulate([i]) { dsts, beta in try body(dsts[0]!, beta) }
    }

    /// For one C call that writes several gradients with one shared beta (batch norm):
    /// `body(dsts, beta)` gets nil for inputs that need no gradient. When the inputs' gradients
    /// are not all fresh or all existing, the call writes temporaries that are then added.
    func accumulate(_ indices: [Int], _ body: (_ dsts: [Tensor?], _ beta: Float) throws -> Void) throws {
        let needed = indices.filter(needs)
        guard !needed.isEmpty else { return }
        let existingCount = needed.filter { existing($0) != nil }.count
        let distinct = Set(needed.map { ObjectIdentifier(inputs[$0]) }).count == needed.count
        if distinct, existingCount == needed.count {
            let dsts = indices.map { needs($0) ? existing($0) : nil }
            try body(dsts, 1)
            for dst in dsts { dst?.version += 1 }
        } else if distinct, existingCount == 0 {
            let dsts = try indices.map { needs($0) ? try fresh($0) : nil }
            try body(dsts, 0)
            for (i, dst) in zip(indices, dsts) { if let dst { adopt(i, dst) } }
        } else {
            let temps = try indices.map { needs($0) ? try fresh($0) : nil }
            try body(temps, 0)
            for (i, temp) in zip(indices, temps) { if let temp { try add(temp, to: i) } }
        }
    }

    /// For a C op without a beta flag: `body(dst)` overwrites dst with dL/d(input i).
    func accumulate(_ i: Int, overwriting body: (_ dst: Tensor) throws -> Void) throws {
        guard needs(i) else { return }
        let gradient = try fresh(i)
        try body(gradient)
        try add(gradient, to: i)
    }

    /// Adds alpha * `source` (any shape of the same element count) to input i's gradient
    /// (`ck_scale` into a fresh one, `ck_axpy` into an existing one).
    func accumulateScaled(_ i: Int, _ alpha: Float, _ source: Tensor) throws {
        guard needs(i) else { return }
        let context = inputs[i].context
        if let gradient = existing(i) {
            try context.check(ck_axpy(context.handle, alpha, [source.view(as: gradient.shape)], [gradient.view]))
            gradient.version += 1
        } else {
            let gradient = try fresh(i)
            try context.check(ck_scale(context.handle, alpha, [source.view(as: gradient.shape)], [gradient.view]))
            adopt(i, gradient)
        }
    }

    /// Adds a computed gradient to input i's: adopts it when there is none yet (`ck_axpy` otherwise).
    private func add(_ gradient: Tensor, to i: Int) throws {
        if existing(i) == nil { adopt(i, gradient) } else { try accumulateScaled(i, 1, gradient) }
    }
}
