import CConvKitMPI
import Foundation

/// The ranks of an MPI job (`mpirun -np N convkit …`), through the `CConvKitMPI` shim:
/// non-blocking MPI collectives on `MPI_COMM_WORLD`, polled with a deadline. Available only
/// in builds with the MPI trait (``MPISupport/isAvailable``).
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    /// This process among the ranks on its machine (picks its GPU), and how many there are.
    public let localRank: Int
    public let localSize: Int
    public let timeout: Double

    /// Starts MPI (`MPI_Init_thread`, once per process). Throws
    /// ``DistributedError/unavailable(_:)`` in a build without MPI.
    public init(timeout: Double) throws {
        guard MPISupport.isAvailable else { throw DistributedError.unavailable(MPISupport.unavailableMessage) }
        try MPICommunicator.check(ckmpi_init())
        rank = Int(ckmpi_rank())
        size = Int(ckmpi_size())
        localRank = Int(ckmpi_local_rank())
        localSize = Int(ckmpi_local_size())
        self.timeout = timeout
    }

    /// Ends MPI (`MPI_Finalize`) after a run that finished on every rank.
    public func finalize() throws {
        try MPICommunicator.check(ckmpi_finalize())
    }

    /// Ends every rank of the job with `code` (`MPI_Abort`): after an error on one rank, so
    /// the others do not wait for it.
    public func abort(code: Int32) -> Never {
        ckmpi_abort(code)
        exit(code)
    }

    public func startSum(_ data: UnsafeMutableBufferPointer<Float>) throws -> any PendingCollective {
        try MPIRequest.started { ckmpi_iallreduce_sum_float(data.baseAddress, Int64(data.count), $0) }
    }

    public func startSum(_ data: UnsafeMutableBufferPointer<Double>) throws -> any PendingCollective {
        try MPIRequest.started { ckmpi_iallreduce_sum_double(data.baseAddress, Int64(data.count), $0) }
    }

    public func startBroadcast(_ data: UnsafeMutableRawBufferPointer, root: Int) throws -> any PendingCollective {
        try MPIRequest.started { ckmpi_ibroadcast(data.baseAddress, Int64(data.count), Int32(root), $0) }
    }

    static func check(_ status: ckmpi_status) throws {
        switch status {
        case CKMPI_OK: return
        case CKMPI_UNAVAILABLE: throw DistributedError.unavailable(MPISupport.unavailableMessage)
        default: throw DistributedError.communication(String(cString: ckmpi_last_error()))
        }
    }
}

/// A `ckmpi_request`, freed once complete.
final class MPIRequest: PendingCollective {
    private var handle: OpaquePointer?
    private var done = false

    private init(_ handle: OpaquePointer?) { self.handle = handle }

    static func started(_ start: (UnsafeMutablePointer<OpaquePointer?>) -> ckmpi_status) throws -> MPIRequest {
        var handle: OpaquePointer?
        try MPICommunicator.check(start(&handle))
        return MPIRequest(handle)
    }

    func test() throws -> Bool {
        guard !done, let handle else { return true }
        var complete: Int32 = 0
        try MPICommunicator.check(ckmpi_test(handle, &complete))
        done = complete != 0
        return done
    }

    deinit { ckmpi_request_free(handle) }
}
