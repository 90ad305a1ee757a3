import CConvKit

/// In-place modification. Each call bumps ``Tensor/version``, so a tensor that an op saved for
/// its backward pass and that is modified afterwards makes `backward()` throw instead of giving a
/// wrong gradient. A tensor that requires grad may be modified only under ``withNoGrad(_:)``
/// (optimizer updates), since the tape cannot follow the change.
extension Tensor {
    /// Overwrites the elements with `values` (row-major, `count` of them; `ck_buffer_write`).
    public func assign(_ values: [Float]) throws {
        try mutate("assign") { try write(values.map { Double($0) }) }
    }

    /// Overwrites the elements with `other`'s (same element count; `ck_copy`).
    public func assign(_ other: Tensor) throws {
        try mutate("assign") { try context.check(ck_copy(context.handle, [other.view], [view])) }
    }

    /// Sets every element to `value` (`ck_fill` for float32, a host write otherwise, as in ``full(_:value:dtype:on:)``).
    public func fill(_ value: Double) throws {
        try mutate("fill") {
            if dtype == .float32 {
                try context.check(ck_fill(context.handle, Float(value), [view]))
            } else {
                try write(Array(repeating: value, count: count))
            }
        }
    }

    /// self += alpha * other, same shape (`ck_axpy`; alpha is a float in the C ABI).
    public func add(_ other: Tensor, scaledBy alpha: Double = 1) throws {
        try mutate("add") { try context.check(ck_axpy(context.handle, Float(alpha), [other.view], [view])) }
    }

    /// self *= alpha (`ck_scale` in place; alpha is a float in the C ABI).
    public func scale(by alpha: Double) throws {
        try mutate("scale") { try context.check(ck_scale(context.handle, Float(alpha), [view], [view])) }
    }

    /// Runs `body`, which modifies the buffer, then bumps the version.
    func mutate(_ op: String, _ body: () throws -> Void) throws {
        if GradMode.isEnabled, requiresGrad {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "\(op): in-place modification of a tensor that requires grad; do it inside withNoGrad { }")
        }
        try body()
        version += 1
    }
}
