import ArgumentParser
import ConvKitDistributed

extension ReplicaSetup.BatchNormMode: ExpressibleByArgument {}

/// `--distributed`, `--batch-norm`, `--bucket-mib`, `--sync-timeout`, `--timing-out`: data-parallel
/// training across the processes of an MPI job.
struct DistributedFlags: ParsableArguments {
    @Flag(help: ArgumentHelp(
        "Train data-parallel across the processes of an MPI job (implied when mpirun starts more than one). "
            + "Needs a build with MPI: swift build --traits MPI."))
    var distributed = false

    @Option(name: .long, help: ArgumentHelp(
        "Batch-norm statistics across processes: local (each process its own share of the batch) or "
            + "synchronized (the whole global batch, as one process would).", valueName: "mode"))
    var batchNorm: ReplicaSetup.BatchNormMode = .local

    @Option(name: .customLong("bucket-mib"), help: ArgumentHelp(
        "Gradients per all-reduce, in MiB: each bucket's all-reduce starts as soon as backward has finished it.",
        valueName: "MiB"))
    var bucketMiB: Double = 25

    @Option(name: .long, help: ArgumentHelp(
        "Seconds a process waits for the others in a collective before it ends the whole job "
            + "(another process died or hangs).", valueName: "seconds"))
    var syncTimeout: Double = 300

    @Option(name: .customLong("timing-out"), help: ArgumentHelp(
        "Write rank 0's step timings (median step time, all-reduce wait, bytes per step) as JSON to this file.",
        valueName: "file"))
    var timingOutput: String?

    func validate() throws {
        guard bucketMiB > 0, bucketMiB.isFinite else { throw ValidationError("--bucket-mib must be positive, not \(bucketMiB)") }
        guard syncTimeout > 0, syncTimeout.isFinite else {
            throw ValidationError("--sync-timeout must be a positive number of seconds, not \(syncTimeout)")
        }
    }

    var bucketBytes: Int { max(4, Int(bucketMiB * 1_048_576)) }
}
