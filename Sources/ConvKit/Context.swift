import CConvKit

/// The backend a ``Context`` computes on.
public enum Backend: Sendable {
    /// The best device available (the CPU backend in builds without OpenCL).
    case auto
    /// OpenBLAS sgemm and SIMD kernels on a thread pool.
    case cpu
    /// Naive loops with double accumulation: the oracle the other backends are tested against.
    case reference
    /// An OpenCL device (GPU first, else any; `device` picks another). Ops without a kernel run
    /// on the CPU backend and are counted (`ck_context_op_stats`).
    case opencl

    var cValue: ck_backend_kind {
        switch self {
        case .auto: return CK_BACKEND_AUTO
        case .cpu: return CK_BACKEND_CPU
        case .reference: return CK_BACKEND_REFERENCE
        case .opencl: return CK_BACKEND_OPENCL
        }
    }
}

/// One device and its queue (`ck_context`). Use a context from one thread at a time.
public final class Context {
    /// The underlying `ck_context *`.
    public let handle: OpaquePointer

    /// Creates a context (`ck_context_create`). `threads == 0` uses every core. `device` is a
    /// device spec for the `.auto` backend ("auto", "cpu", "reference", "opencl", "opencl:N",
    /// "opencl:TEXT"); nil or "" defers to the `CONVKIT_DEVICE` environment variable, else auto.
    /// For the `.opencl` backend it picks the OpenCL device ("N", "TEXT"; nil: the first).
    /// An unknown spec or a missing device throws with the C core's message listing the devices.
    public init(backend: Backend = .auto, device: String? = nil, threads: Int32 = 0) throws {
        var options = ck_context_options()
        ck_context_options_init(&options)
        options.backend = backend.cValue
        options.num_threads = threads
        var context: OpaquePointer?
        let status = (device ?? "").withCString { spec in
            options.device = device == nil ? nil : spec
            return ck_context_create(&options, &context)
        }
        try ConvKitError.check(status, nil)
        guard let context else { throw ConvKitError(status: CK_ERR_INTERNAL, message: "ck_context_create returned no context") }
        handle = context
    }

    deinit { ck_context_destroy(handle) }

    /// The backend in use, by name ("cpu", "reference", "opencl").
    public var backendName: String { String(cString: ck_backend_name(ck_context_backend(handle))) }

    /// One line saying what the context computes on (`ck_context_describe`), e.g.
    /// "cpu: 8 threads, AVX2/FMA" or the OpenCL device with its limits and kernel tiles.
    public var deviceDescription: String { String(cString: ck_context_describe(handle)) }

    /// The OpenCL devices of this machine, in the order "opencl:N" counts them
    /// (`ck_opencl_device_name`): "GPU: <device> (<platform>, <version>)". Empty without OpenCL.
    public static var openCLDevices: [String] {
        (0..<ck_opencl_device_count()).compactMap { ck_opencl_device_name($0).map { String(cString: $0) } }
    }

    /// Worker threads the context computes with.
    public var threadCount: Int { Int(ck_context_num_threads(handle)) }

    /// Throws the context's last error unless `status` is `CK_OK`.
    public func check(_ status: ck_status) throws {
        try ConvKitError.check(status, handle)
    }

    /// How often `op` ran successfully on this context (`ck_context_op_stats`).
    public func callCount(of op: ck_op) throws -> UInt64 {
        try opStatistics(op).calls
    }

    /// Of `op`'s successful calls, how many ran on the CPU backend because this context's backend
    /// has no kernel for it (`ck_context_op_stats`); 0 on the CPU and reference backends.
    public func cpuFallbackCount(of op: ck_op) throws -> UInt64 {
        try opStatistics(op).cpu_fallbacks
    }

    private func opStatistics(_ op: ck_op) throws -> ck_op_stats {
        var stats = ck_op_stats()
        try check(ck_context_op_stats(handle, op, &stats))
        return stats
    }
}

/// Device memory a context holds (`ck_context_memory_stats`), in bytes.
public struct MemoryStatistics: Sendable, Equatable {
    /// Held by live buffers and in-flight scratch.
    public let liveBytes: UInt64
    /// Freed buffers kept in the pool for reuse.
    public let pooledBytes: UInt64
    /// Allocations the device made.
    public let deviceAllocations: UInt64
    /// Allocations the pool served instead of the device.
    public let poolReuses: UInt64
}

extension Context {
    /// The context's memory counters now.
    public func memoryStatistics() throws -> MemoryStatistics {
        var stats = ck_memory_stats()
        try check(ck_context_memory_stats(handle, &stats))
        return MemoryStatistics(liveBytes: stats.live_bytes, pooledBytes: stats.pooled_bytes,
                                deviceAllocations: stats.device_allocations, poolReuses: stats.pool_reuses)
    }
}

/// Copies between the host and a device context's buffers since the context was made
/// (`ck_context_transfer_stats`): host reads and writes of tensors, and the copies of ops run
/// on the CPU in the device's stead. Zero on the CPU and reference backends.
public struct TransferStatistics: Sendable, Equatable {
    /// Device → host copies, and their bytes.
    public let reads: UInt64, readBytes: UInt64
    /// Host → device copies, and their bytes.
    public let writes: UInt64, writeBytes: UInt64
}

extension Context {
    /// The context's transfer counters now.
    public func transferStatistics() throws -> TransferStatistics {
        var stats = ck_transfer_stats()
        try check(ck_context_transfer_stats(handle, &stats))
        return TransferStatistics(reads: stats.reads, readBytes: stats.read_bytes, writes: stats.writes,
                                  writeBytes: stats.write_bytes)
    }
}
