import CConvKitMPI
import Foundation

/// Whether this build can train across processes, and whether it was started by an MPI launcher.
public enum MPISupport {
    /// True in builds with the MPI trait (`swift build --traits MPI`).
    public static var isAvailable: Bool { ckmpi_available() != 0 }

    /// The MPI library, e.g. "Open MPI v4.1.4"; empty without MPI.
    public static var libraryVersion: String { String(cString: ckmpi_library_version()) }

    /// What to tell a user who asks a build without MPI for distributed training.
    public static let unavailableMessage = """
        this build of convkit has no MPI, so it cannot train across processes. Install Open MPI \
        (apt-get install libopenmpi-dev openmpi-bin) and build with the MPI trait: \
        `swift build -c release --traits MPI`; then start one process per GPU with `mpirun -np N convkit train …`
        """

    /// The number of processes an MPI launcher (Open MPI's mpirun, or a PMI launcher such as
    /// MPICH's and Slurm's) started this one with, read from its environment; nil when no
    /// launcher started it.
    public static func launcherWorldSize(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"].lazy.compactMap { environment[$0].flatMap(Int.init) }.first
    }
}
