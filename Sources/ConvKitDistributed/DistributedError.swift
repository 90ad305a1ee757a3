/// What went wrong in data-parallel training, in words a user can act on.
public enum DistributedError: Error, Equatable, CustomStringConvertible {
    /// This build has no MPI (see ``MPISupport/unavailableMessage``), or MPI is not started.
    case unavailable(String)
    /// An MPI call failed; the message is MPI's.
    case communication(String)
    /// A collective did not complete in time: another process died or is stuck.
    case timedOut(String)
    /// The processes disagree (a parameter without a gradient on one of them, different models).
    case mismatch(String)

    public var description: String {
        switch self {
        case .unavailable(let message), .communication(let message), .timedOut(let message), .mismatch(let message):
            return message
        }
    }
}
