import ArgumentParser
import ConvKitDistributed
import Foundation

/// `convkit mpi`: what this build and an MPI job look like from ConvKit, and the all-reduce's
/// bandwidth between the job's processes.
struct MPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpi",
        abstract: "MPI support: whether this build has it, the ranks of a job and their devices, the all-reduce bandwidth.",
        subcommands: [MPIInfoCommand.self, MPIBenchCommand.self]
    )
}

/// `convkit mpi info`: this build's MPI, and under mpirun one line per rank with its device.
struct MPIInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Say whether this build has MPI; under mpirun, print each rank with the device it would train on.",
        discussion: "For example `mpirun -np 8 --hostfile hosts convkit mpi info` shows which GPU each process takes."
    )

    @OptionGroup(title: "Device") var device: DeviceOptions

    func run() throws {
        guard MPISupport.isAvailable else {
            print("MPI: not in this build — \(MPISupport.unavailableMessage)")
            return
        }
        guard let launched = MPISupport.launcherWorldSize() else {
            print("MPI: built in (\(MPISupport.libraryVersion)); not started by mpirun")
            return
        }
        guard let replica = try DistributedRun.start(required: true, timeout: 60, device: device.device, threads: device.threads)
        else { return }
        let communicator = replica.communicator
        if replica.isPrimary { print("MPI: built in (\(MPISupport.libraryVersion)); \(launched) processes") }
        print("rank \(communicator.rank) of \(communicator.size) on \(ProcessInfo.processInfo.hostName), local rank "
            + "\(communicator.localRank) of \(communicator.localSize): \(replica.device.note)")
        try replica.finish()
    }
}

/// `convkit mpi bench`: the median time of an in-place float all-reduce per message size, as
/// algorithm bandwidth (bytes / time) and bus bandwidth (× 2(n − 1)/n, what each link carries
/// in a ring), printed by rank 0.
struct MPIBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the all-reduce (sum of floats, in place) between the processes of an MPI job.",
        discussion: "Run it under mpirun, e.g. `mpirun -np 2 convkit mpi bench --sizes-mib 1 10 100`."
    )

    @Option(name: .customLong("sizes-mib"), parsing: .upToNextOption, help: ArgumentHelp("Message sizes in MiB.", valueName: "MiB"))
    var sizesMiB: [Double] = [1, 4, 16, 64, 100]

    @Option(name: .long, help: "Timed all-reduces per size, after two for warm-up.")
    var iterations = 10

    @Option(name: .customLong("json"), help: ArgumentHelp("Also write the table as JSON to this file (rank 0).", valueName: "file"))
    var jsonOutput: String?

    func validate() throws {
        guard !sizesMiB.isEmpty, sizesMiB.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ValidationError("--sizes-mib needs positive sizes")
        }
        guard iterations >= 1 else { throw ValidationError("--iterations must be 1 or more, not \(iterations)") }
    }

    func run() throws {
        guard let replica = try DistributedRun.start(required: true, timeout: 300, device: "cpu", threads: 1) else { return }
        let communicator = replica.communicator
        var rows: [String] = []
        if replica.isPrimary {
            print("all-reduce (float sum, in place), \(communicator.size) processes, \(MPISupport.libraryVersion); median of \(iterations)")
            print("      MiB   median ms   algbw GB/s   busbw GB/s")
        }
        for mib in sizesMiB {
            let count = max(1, Int(mib * 1_048_576) / 4)
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            defer { buffer.deallocate() }
            buffer.initialize(repeating: 1)
            var seconds: [Double] = []
            for iteration in 0..<(iterations + 2) {
                let start = Date()
                try communicator.wait([communicator.startSum(buffer)], for: "the benchmark all-reduce")
                if iteration >= 2 { seconds.append(Date().timeIntervalSince(start)) }
            }
            let median = StepTimings.median(seconds)
            let bytes = Double(count * 4)
            let algorithm = bytes / median / 1e9
            let bus = algorithm * 2 * Double(communicator.size - 1) / Double(communicator.size)
            if replica.isPrimary {
                print(String(format: "%9.2f %11.3f %12.3f %12.3f", mib, median * 1e3, algorithm, bus))
            }
            rows.append(String(format: "{\"mib\": %.4g, \"bytes\": %.0f, \"median_s\": %.6g, \"algbw_gb_s\": %.6g, \"busbw_gb_s\": %.6g}",
                               mib, bytes, median, algorithm, bus))
        }
        if replica.isPrimary, let jsonOutput {
            let json = "{\"processes\": \(communicator.size), \"mpi\": \"\(MPISupport.libraryVersion)\", \"iterations\": \(iterations), "
                + "\"allreduce\": [\n  " + rows.joined(separator: ",\n  ") + "\n]}\n"
            try json.write(toFile: jsonOutput, atomically: true, encoding: .utf8)
        }
        try replica.finish()
    }
}
