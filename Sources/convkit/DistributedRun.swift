import ConvKit
import ConvKitDistributed
import Foundation

/// This process's part in a data-parallel run started by an MPI launcher: its communicator and
/// its device. ``start(_:device:)`` returns nil for an ordinary single-process run.
struct DistributedRun {
    let communicator: MPICommunicator
    let device: ReplicaDevice

    var isPrimary: Bool { communicator.rank == 0 }

    /// Joins the MPI job when `required` (`--distributed`) or a launcher started more than one
    /// process; nil otherwise. In a build without MPI either case fails with how to get it:
    /// N copies of one single-process run would only overwrite each other's files. `timeout`:
    /// `--sync-timeout`; `device` and `threads`: `--device` and `--threads`.
    static func start(required: Bool, timeout: Double, device: String?, threads: Int32) throws -> DistributedRun? {
        let launched = MPISupport.launcherWorldSize()
        guard required || (launched ?? 1) > 1 else { return nil }
        guard MPISupport.isAvailable else {
            let context = launched.map { " (mpirun started \($0) processes)" } ?? ""
            throw CommandFailure("distributed training is not available\(context): " + MPISupport.unavailableMessage)
        }
        do {
            let communicator = try MPICommunicator(timeout: timeout)
            let requested = device ?? ProcessInfo.processInfo.environment["CONVKIT_DEVICE"]
            let device = ReplicaDevice.choose(localRank: communicator.localRank, localSize: communicator.localSize,
                                              requested: requested, threads: threads,
                                              gpus: ReplicaDevice.openCLGPUs(), cores: ProcessInfo.processInfo.activeProcessorCount)
            return DistributedRun(communicator: communicator, device: device)
        } catch let error as DistributedError {
            throw CommandFailure(error.description)
        }
    }

    /// The context of this rank's device.
    func makeContext() throws -> Context {
        do {
            return try Context(device: device.spec, threads: device.threads)
        } catch let error as ConvKitError {
            throw CommandFailure("rank \(communicator.rank): \(error.message)")
        }
    }

    /// Ends MPI after a run every rank finished.
    func finish() throws {
        do {
            try communicator.finalize()
        } catch let error as DistributedError {
            throw CommandFailure(error.description)
        }
    }

    /// After an error on this rank: says so and ends every rank of the job (`MPI_Abort`), so
    /// that none waits for this one.
    func abort(after error: Error) -> Never {
        let rank = "rank \(communicator.rank) of \(communicator.size): ", message = "\(error)"
        FileHandle.standardError.write(Data("Error: \(message.hasPrefix(rank) ? message : rank + message)\n".utf8))
        communicator.abort(code: 1)
    }
}
