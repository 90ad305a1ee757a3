import CConvKit

/// Elementwise arithmetic with NumPy broadcasting, sum/mean reductions and reshaping.
///
/// Broadcasting aligns shapes from the right; each pair of sizes must be equal or one of them 1.
/// The C elementwise ops take same-shape operands, so an operand that needs it is first expanded
/// by ``Tensor/broadcast(to:)`` (recorded; its backward is `ck_reduce_sum` over the broadcast axes).
extension Tensor {
    /// The broadcast shape of `a` and `b`, or a shape-mismatch error naming `op`.
    static func broadcastShape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let rank = max(a.count, b.count)
        let pa = Array(repeating: 1, count: rank - a.count) + a
        let pb = Array(repeating: 1, count: rank - b.count) + b
        return try zip(pa, pb).map { x, y in
            guard x == y || x == 1 || y == 1 else {
                throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "\(op): shapes \(a) and \(b) do not broadcast")
            }
            return max(x, y)
        }
    }

    /// This tensor repeated along size-1 (or missing leading) axes to `shape`; `self` when the
    /// shape already matches. Forward: `ck_gemm` with a ones vector (exact); backward: `ck_reduce_sum`.
    public func broadcast(to target: [Int]) throws -> Tensor {
        guard target != shape else { return self }
        guard try Tensor.broadcastShape(shape, target, op: "broadcast") == target else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "broadcast: shape \(shape) does not broadcast to \(target)")
        }
        let y = try Tensor(context, shape: target, dtype: dtype)
        try Tensor.expand(self, dims: shape, to: target, into: y)
        return y.recorded("broadcast", inputs: [self], rule: .broadcast(from: shape))
    }

    /// Writes `source` (read with dims `dims`, right-aligned to `target`) repeated along its
    /// broadcast axes into `destination` (read with dims `target`). Each run of broadcast axes,
    /// innermost first, turns (P, 1, Q) into (P, M, Q) with `ck_gemm` of a ones vector: one call
    /// when P or Q is 1, else P calls on offset views. A product with 1 and no sum is exact.
    static func expand(_ source: Tensor, dims: [Int], to target: [Int], into destination: Tensor) throws {
        let context = source.context
        var current = Array(repeating: 1, count: target.count - dims.count) + dims
        var runs: [Range<Int>] = []
        var axis = target.count - 1
        while axis >= 0 {
            guard current[axis] == 1, target[axis] != 1 else { axis -= 1; continue }
            var low = axis
            while low > 0, current[low - 1] == 1, target[low - 1] != 1 { low -= 1 }
            runs.append(low..<axis + 1)
            axis = low - 1
        }
        guard !runs.isEmpty else {
            try context.check(ck_copy(context.handle, [source.view(as: dims)], [destination.view(as: target)]))
            return
        }
        var input = source
        for (index, run) in runs.enumerated() {
            let p = current[..<run.lowerBound].reduce(1, *), q = current[run.upperBound...].reduce(1, *)
            let m = target[run].reduce(1, *)
            for a in run { current[a] = target[a] }
            let output = index == runs.count - 1 ? destination : try Tensor(context, shape: current, dtype: source.dtype)
            let ones = try Tensor.ones([m], dtype: source.dtype, on: context)
            if q == 1 {
                try context.check(ck_gemm(context.handle, 0, 0, 1, [input.view(as: [p, 1])], [ones.view(as: [1, m])],
                                          0, [output.view(as: [p, m])]))
            } else {
                for row in 0..<p {
                    try context.check(ck_gemm(context.handle, 0, 0, 1, [ones.view(as: [m, 1])],
                                              [input.view(elementOffset: row * q, as: [1, q])],
                                              0, [output.view(elementOffset: row * m * q, as: [m, q])]))
                }
            }
            input = output
        }
    }

    /// a + b with broadcasting (`ck_add`).
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try combine("add", a, 1, b, 1) }

    /// a - b with broadcasting (`ck_add` with beta = -1).
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try combine("sub", a, 1, b, -1) }

    /// y = alpha * a + beta * b after broadcasting both to one shape (`ck_add`).
    private static func combine(_ op: String, _ a: Tensor, _ alpha: Float, _ b: Tensor, _ beta: Float) throws -> Tensor {
        let context = try commonContext(op, [a, b])
        let shape = try broadcastShape(a.shape, b.shape, op: op)
        let (ea, eb) = (try a.broadcast(to: shape), try b.broadcast(to: shape))
        let y = try Tensor(context, shape: shape, dtype: a.dtype)
        try context.check(ck_add(context.handle, alpha, [ea.view], beta, [eb.view], [y.view]))
        return y.recorded(op, inputs: [ea, eb], rule: .add(alpha: alpha, beta: beta))
    }

    /// a * b elementwise with broadcasting (`ck_mul`).
    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        let context = try commonContext("mul", [a, b])
        let shape = try broadcastShape(a.shape, b.shape, op: "mul")
        let (ea, eb) = (try a.broadcast(to: shape), try b.broadcast(to: shape))
        let y = try Tensor(context, shape: shape, dtype: a.dtype)
        try context.check(ck_mul(context.handle, [ea.view], [eb.view], [y.view]))
        return y.recorded("mul", inputs: [ea, eb], rule: .mul(ea, eb))
    }

    /// alpha * self (`ck_scale`; alpha is a float in the C ABI, also for float64 tensors).
    public func scaled(by alpha: Double) throws -> Tensor {
        let y = try Tensor(context, shape: shape, dtype: dtype)
        try context.check(ck_scale(context.handle, Float(alpha), [view], [y.view]))
        return y.recorded("scale", inputs: [self], rule: .scale(Float(alpha)))
    }

    /// The sum over `axes` (all axes when nil; negative axes count from the end), the reduced
    /// axes kept as size 1 when `keepingDims`, else removed (`ck_reduce_sum`).
    /// Backward: dy repeated along the reduced axes.
    public func sum(axes: [Int]? = nil, keepingDims: Bool = false) throws -> Tensor {
        let reduced = try normalizedAxes(axes, op: "sum")
        let kept = shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }
        let outShape = keepingDims ? kept : shape.indices.filter { !reduced.contains($0) }.map { shape[$0] }
        let mask = reduced.reduce(UInt32(0)) { $0 | (1 << UInt32($1)) }
        let y = try Tensor(context, shape: outShape, dtype: dtype)
        try context.check(ck_reduce_sum(context.handle, mask, [view], 0, [y.view]))
        return y.recorded("sum", inputs: [self], rule: .sum(keptDims: kept))
    }

    /// The mean over `axes` (all when nil): ``sum(axes:keepingDims:)`` scaled by 1/(elements reduced).
    public func mean(axes: [Int]? = nil, keepingDims: Bool = false) throws -> Tensor {
        let reduced = try normalizedAxes(axes, op: "mean")
        let n = reduced.reduce(1) { $0 * shape[$1] }
        return try sum(axes: axes, keepingDims: keepingDims).scaled(by: 1 / Double(n))
    }

    /// The same elements in `newShape` (row-major order kept; one entry may be -1 and is then
    /// inferred). A copy (`ck_copy`); backward: dy read in the input's shape.
    public func reshaped(to newShape: [Int]) throws -> Tensor {
        var resolved = newShape
        let holes = newShape.indices.filter { newShape[$0] == -1 }
        if holes.count == 1, let known = Tensor.product(newShape.filter { $0 != -1 }), known > 0, count % known == 0 {
            resolved[holes[0]] = count / known
        }
        guard resolved.allSatisfy({ $0 >= 1 }), Tensor.product(resolved) == count else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                               message: "reshape: cannot view \(count) elements of shape \(shape) as \(newShape)")
        }
        let y = try Tensor(context, shape: resolved, dtype: dtype)
        try context.check(ck_copy(context.handle, [view], [y.view]))
        return y.recorded("reshape", inputs: [self], rule: .reshape)
    }

    /// (N, d1, d2, ...) → (N, d1·d2·…), the input of a dense layer (see ``reshaped(to:)``).
    public func flattened() throws -> Tensor {
        guard let n = shape.first else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "flatten: a scalar has no batch axis")
        }
        return try reshaped(to: [n, count / n])
    }

    /// `axes` as a set of indices into `shape` (every axis when nil).
    private func normalizedAxes(_ axes: [Int]?, op: String) throws -> Set<Int> {
        guard let axes else { return Set(shape.indices) }
        var result = Set<Int>()
        for axis in axes {
            let a = axis < 0 ? axis + shape.count : axis
            guard shape.indices.contains(a), result.insert(a).inserted else {
                throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                                   message: "\(op): axes \(axes) must be distinct axes of a tensor with \(shape.count) dims")
            }
        }
        return result
    }
}
