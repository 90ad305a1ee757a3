import Foundation

/// A test hook for the failure behaviour of distributed runs: `CONVKIT_MPI_FAULT=kill:R:S`
/// makes rank R end itself with SIGKILL, and `hang:R:S` makes it stop responding, when its step
/// S (counted from 1 in this process) reaches the gradient synchronization. The other ranks
/// must then stop with a message within a bounded time, never hang.
struct InjectedFault {
    enum Kind: String { case kill, hang }
    let kind: Kind
    let rank: Int
    let step: Int

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> InjectedFault? {
        guard let spec = environment["CONVKIT_MPI_FAULT"] else { return nil }
        let parts = spec.split(separator: ":").map(String.init)
        guard parts.count == 3, let kind = Kind(rawValue: parts[0]), let rank = Int(parts[1]), let step = Int(parts[2]) else {
            throw DistributedError.mismatch("CONVKIT_MPI_FAULT=\(spec): expected kill:RANK:STEP or hang:RANK:STEP")
        }
        return InjectedFault(kind: kind, rank: rank, step: step)
    }

    /// Strikes when (`rank`, `step`) is this fault's; otherwise returns.
    func strike(rank: Int, step: Int) throws {
        guard rank == self.rank, step == self.step else { return }
        FileHandle.standardError.write(Data("rank \(rank): CONVKIT_MPI_FAULT \(kind.rawValue) at step \(step)\n".utf8))
        switch kind {
        case .kill: kill(getpid(), SIGKILL)
        case .hang: while true { sleep(3600) }
        }
    }
}
