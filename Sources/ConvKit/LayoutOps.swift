import CConvKit

/// Reordering, joining and cutting tensors: transposes (`ck_permute`), concatenation and slices
/// (`ck_copy` on offset views, with `ck_permute` moving the axis to the front first when it is not
/// already outermost). Values are moved, never computed, so every result is exact, and so are the
/// gradients: a permute's backward is the inverse permute, a slice's is its gradient copied into
/// zeros, a concatenation's is the gradient cut back into pieces. Axes may be negative (from the end).
extension Tensor {
    /// The same elements with the axes reordered, PyTorch's `permute` (NumPy's `transpose(axes)`):
    /// dimension i of the result is dimension `axes[i]` of `self`, e.g. NCHW → NHWC is
    /// `permuted([0, 2, 3, 1])`: (N, C, H, W) → (N, H, W, C). `ck_permute`; backward: the inverse permute.
    public func permuted(_ axes: [Int]) throws -> Tensor {
        let perm = try normalizedPermutation(axes)
        guard perm != Array(shape.indices) else { return try reshaped(to: shape) }
        return try permute(perm)
    }

    /// A matrix's transpose, and for more dimensions the last two axes swapped:
    /// (…, M, N) → (…, N, M) (`ck_permute`).
    public func transposed() throws -> Tensor {
        guard shape.count >= 2 else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "transposed: a tensor of shape \(shape) has no two axes to swap")
        }
        return try transposed(shape.count - 2, shape.count - 1)
    }

    /// `self` with axes `first` and `second` swapped, PyTorch's `transpose(first, second)` (`ck_permute`).
    public func transposed(_ first: Int, _ second: Int) throws -> Tensor {
        var axes = Array(shape.indices)
        let (a, b) = (try normalizedAxis(first, op: "transposed"), try normalizedAxis(second, op: "transposed"))
        axes.swapAt(a, b)
        return try permuted(axes)
    }

    /// The tensors joined along `axis`, PyTorch's `torch.cat`: all have the same rank, dtype and
    /// context, and equal dimensions except along `axis`, where the result has their sum, e.g.
    /// (N, C1, H, W) and (N, C2, H, W) along 1 → (N, C1 + C2, H, W). One `ck_copy` per tensor
    /// (after a `ck_permute` of each when an axis before `axis` has more than one element);
    /// backward: each tensor's part of the gradient, copied out.
    public static func concatenated(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        let op = "concatenated"
        guard let first = tensors.first else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "\(op): needs at least one tensor")
        }
        let context = try commonContext(op, tensors)
        let k = try first.normalizedAxis(axis, op: op)
        for (index, tensor) in tensors.enumerated() {
            let matches = tensor.shape.count == first.shape.count && tensor.dtype == first.dtype
                && tensor.shape.indices.allSatisfy { $0 == k || tensor.shape[$0] == first.shape[$0] }
            guard matches else {
                throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                                   message: "\(op): tensor \(index) is \(tensor.shape) \(tensor.dtype); along axis \(k) it must match \(first.shape) \(first.dtype) except in that axis")
            }
        }
        guard first.shape[..<k].allSatisfy({ $0 == 1 }) else {
            let front = [k] + first.shape.indices.filter { $0 != k }
            let joined = try concatenated(try tensors.map { try $0.permute(front) }, axis: 0)
            return try joined.permute(inversePermutation(front))
        }
        var shape = first.shape
        shape[k] = tensors.reduce(0) { $0 + $1.shape[k] }
        let y = try Tensor(context, shape: shape, dtype: first.dtype)
        var offsets: [Int] = [], offset = 0
        for tensor in tensors {
            try context.check(ck_copy(context.handle, [tensor.view], [y.view(elementOffset: offset, as: tensor.shape)]))
            offsets.append(offset)
            offset += tensor.count
        }
        return y.recorded(op, inputs: tensors, rule: .concatenation(offsets: offsets))
    }

    /// The elements whose index along `axis` lies in `range`, PyTorch's `x.narrow(axis, start,
    /// length)` and `x[..., start:end]`: that dimension becomes `range.count` (≥ 1), e.g. rows 1..<3
    /// of (4, 5) → (2, 5). One `ck_copy` of an offset view (after a `ck_permute` when an axis
    /// before `axis` has more than one element); backward: the gradient copied into zeros.
    public func sliced(axis: Int, range: Range<Int>) throws -> Tensor {
        let op = "sliced"
        let k = try normalizedAxis(axis, op: op)
        guard range.lowerBound >= 0, range.upperBound <= shape[k], !range.isEmpty else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "\(op): range \(range) along axis \(k) must be a non-empty part of 0..<\(shape[k]) (shape \(shape))")
        }
        guard shape[..<k].allSatisfy({ $0 == 1 }) else {
            let front = [k] + shape.indices.filter { $0 != k }
            return try permute(front).sliced(axis: 0, range: range).permute(Tensor.inversePermutation(front))
        }
        var outShape = shape
        outShape[k] = range.count
        let inner = shape[(k + 1)...].reduce(1, *)
        let y = try Tensor(context, shape: outShape, dtype: dtype)
        let offset = range.lowerBound * inner
        try context.check(ck_copy(context.handle, [view(elementOffset: offset, as: outShape)], [y.view]))
        return y.recorded(op, inputs: [self], rule: .elementRange(offset: offset))
    }

    /// `ck_permute` by `perm` (already checked), recorded with the inverse permute as its backward.
    private func permute(_ perm: [Int]) throws -> Tensor {
        let y = try Tensor(context, shape: perm.map { shape[$0] }, dtype: dtype)
        let axes = perm.map { Int32($0) }
        try context.check(ck_permute(context.handle, axes, [view], [y.view]))
        return y.recorded("permuted", inputs: [self], rule: .permute(inverse: Tensor.inversePermutation(perm).map { Int32($0) }))
    }

    /// `axes` with negative entries resolved; throws unless it lists every axis exactly once.
    private func normalizedPermutation(_ axes: [Int]) throws -> [Int] {
        let resolved = axes.map { $0 < 0 ? $0 + shape.count : $0 }
        guard resolved.count == shape.count, Set(resolved) == Set(shape.indices) else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "permuted: axes \(axes) must list each of the \(shape.count) axes of a tensor of shape \(shape) once")
        }
        return resolved
    }

    /// `axis` as an index into `shape` (negative counts from the end), or an invalid-argument error.
    private func normalizedAxis(_ axis: Int, op: String) throws -> Int {
        let resolved = axis < 0 ? axis + shape.count : axis
        guard shape.indices.contains(resolved) else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "\(op): axis \(axis) is not an axis of a tensor of shape \(shape)")
        }
        return resolved
    }

    /// The permutation that undoes `perm`.
    static func inversePermutation(_ perm: [Int]) -> [Int] {
        var inverse = [Int](repeating: 0, count: perm.count)
        for (position, axis) in perm.enumerated() { inverse[axis] = position }
        return inverse
    }
}
