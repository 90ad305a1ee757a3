import ArgumentParser
import Foundation

/// `convkit bench`: runs the benchmark suite's executables built next to `convkit`, passing every
/// argument through: `convkit bench [ARGS]` runs `ck-bench` (the op level: `convkit bench --quick`,
/// `convkit bench --set catalog`, `convkit bench --help`), `convkit bench models [ARGS]` runs
/// `ck-model-bench` (training and inference images/s). `Benchmarks/run.sh` runs the whole suite
/// with the peers and writes the report.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the benchmark: ops (ck-bench) or, with `models` first, models (ck-model-bench); arguments go to it unchanged.",
        discussion: """
            Build them with `swift build -c release --product ck-bench --product ck-model-bench`; \
            `convkit bench --help` and `convkit bench models --help` show their own options. \
            Benchmarks/run.sh runs the whole suite, peers included, and writes the report.
            """
    )

    @Argument(parsing: .captureForPassthrough, help: "`models` for ck-model-bench, then the arguments for it or ck-bench.")
    var arguments: [String] = []

    func run() throws {
        let (name, passed) = arguments.first == "models" ? ("ck-model-bench", Array(arguments.dropFirst())) : ("ck-bench", arguments)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw CommandFailure("\(executable) not found: build the benchmark with `swift build -c release --product \(name)`")
        }
        let argv = ([executable] + passed).map { strdup($0) } + [nil]
        execv(executable, argv)
        throw CommandFailure("cannot run \(executable): \(String(cString: strerror(errno)))")
    }
}
