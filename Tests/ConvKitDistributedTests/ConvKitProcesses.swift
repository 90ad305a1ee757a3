import ConvKitNN
import Foundation
import XCTest

/// Runs the `convkit` executables from the tests: the default build's (next to the test
/// bundle) and an MPI build's under `mpirun`.
///
/// The MPI build is found through `CONVKIT_MPI_CONVKIT`, else at `.build-mpi/debug/convkit` in
/// the package (what `scripts/check-mpi.sh` builds: `swift build --traits MPI --product convkit
/// --scratch-path .build-mpi`); it must say "MPI: built in" to `convkit mpi info`, and `mpirun`
/// must be on the PATH. Otherwise the tests that need it are skipped, with a message saying why.
enum ConvKitProcesses {
    struct Outcome {
        let status: Int32
        let output: String
        let seconds: Double
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `convkit` built with the tests (the default build, without MPI unless built with the trait).
    static var defaultConvkit: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("convkit").path
    }

    /// The MPI build of `convkit` and `mpirun`, or the reason they cannot be used.
    static func mpiBuild() throws -> (convkit: String, mpirun: String) {
        let environment = ProcessInfo.processInfo.environment
        let convkit = environment["CONVKIT_MPI_CONVKIT"] ?? packageRoot.appendingPathComponent(".build-mpi/debug/convkit").path
        guard FileManager.default.isExecutableFile(atPath: convkit) else {
            throw XCTSkip("SKIPPED: no MPI build of convkit at \(convkit): build one with scripts/check-mpi.sh "
                + "(swift build --traits MPI --product convkit --scratch-path .build-mpi) or set CONVKIT_MPI_CONVKIT")
        }
        guard let mpirun = (environment["PATH"] ?? "").split(separator: ":").map({ "\($0)/mpirun" })
            .first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("SKIPPED: mpirun is not on the PATH (apt-get install openmpi-bin)")
        }
        let info = try run(convkit, ["mpi", "info"])
        guard info.output.hasPrefix("MPI: built in") else {
            throw XCTSkip("SKIPPED: \(convkit) has no MPI: \(info.output)")
        }
        return (convkit, mpirun)
    }

    /// Runs `executable` with `arguments` (and `environment` added to this process's), output and
    /// errors to one file; ends it after `limit` seconds.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    in directory: URL? = nil, limit: Double = 600) throws -> Outcome {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = directory
        process.standardOutput = handle
        process.standardError = handle
        let start = Date()
        try process.run()
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        if finished.wait(timeout: .now() + limit) == .timedOut {
            process.terminate()
            process.waitUntilExit()
        }
        try handle.close()
        return Outcome(status: process.terminationStatus, output: try String(contentsOf: log, encoding: .utf8),
                       seconds: Date().timeIntervalSince(start))
    }

    /// `mpirun -np ranks --oversubscribe convkit arguments…` (allowed as root, as in CI).
    static func mpirun(_ ranks: Int, _ arguments: [String], environment: [String: String] = [:], in directory: URL) throws -> Outcome {
        let (convkit, mpirun) = try mpiBuild()
        let root = ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]
        return try run(mpirun, ["-np", "\(ranks)", "--oversubscribe", convkit] + arguments,
                       environment: environment.merging(getuid() == 0 ? root : [:]) { $1 }, in: directory)
    }

    /// The MPI build run alone, as one process.
    static func alone(_ arguments: [String], in directory: URL) throws -> Outcome {
        try run(try mpiBuild().convkit, arguments, in: directory)
    }

    /// Every float32 tensor of a checkpoint (weights, buffers, optimizer state) by name.
    static func floats(_ path: URL) throws -> [String: [Float]] {
        let file = try Checkpoint.read(from: path.path).contents
        return Dictionary(uniqueKeysWithValues: file.names.compactMap { name in file[name]?.values(as: Float.self).map { (name, $0) } })
    }

    /// The largest |a − b| over the tensors of two checkpoints, which must hold the same names.
    static func largestDifference(_ a: URL, _ b: URL) throws -> Float {
        let (x, y) = (try floats(a), try floats(b))
        XCTAssertEqual(Set(x.keys), Set(y.keys))
        return x.keys.map { name in zip(x[name]!, y[name] ?? []).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
    }

    /// A fresh folder for one test's runs.
    static func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-mpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
