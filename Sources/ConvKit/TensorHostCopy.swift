import CConvKit

/// Float32 copies between a tensor and host memory the caller owns, without the intermediate
/// arrays of ``Tensor/toArray()`` and ``Tensor/assign(_:)-([Float])``: staging for transfers
/// that need stable host buffers (an all-reduce over MPI).
extension Tensor {
    /// Copies the `count` elements of a float32 tensor into `destination`, which must hold
    /// exactly `count` floats (`ck_buffer_read`; waits for queued work).
    public func copy(to destination: UnsafeMutableBufferPointer<Float>) throws {
        try checkHostCopy("copy(to:)", destination.count)
        try context.check(ck_buffer_read(context.handle, buffer, 0, destination.baseAddress, count * 4))
    }

    /// Overwrites the `count` elements of a float32 tensor with `source`, which must hold
    /// exactly `count` floats (`ck_buffer_write`). An in-place change (see ``assign(_:)-([Float])``).
    public func copy(from source: UnsafeBufferPointer<Float>) throws {
        try checkHostCopy("copy(from:)", source.count)
        try mutate("copy(from:)") {
            try context.check(ck_buffer_write(context.handle, buffer, 0, source.baseAddress, count * 4))
        }
    }

    private func checkHostCopy(_ op: String, _ hostCount: Int) throws {
        guard dtype == .float32, hostCount == count else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                               message: "\(op): a host buffer of \(hostCount) floats for a \(dtype) tensor of \(count) elements (float32 only, same count)")
        }
    }
}
