import ArgumentParser
import Foundation

/// `convkit bench`: runs the benchmark, the `ck-bench` executable built next to `convkit`,
/// passing every argument through (`convkit bench --quick`, `convkit bench --help`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the conv benchmark (ck-bench, next to this executable); arguments go to it unchanged.",
        discussion: "Build it with `swift build -c release --product ck-bench`; `convkit bench --help` shows its own options."
    )

    @Argument(parsing: .captureForPassthrough, help: "Arguments for ck-bench.")
    var arguments: [String] = []

    func run() throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("ck-bench").path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw CommandFailure("\(executable) not found: build the benchmark with `swift build -c release --product ck-bench`")
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        execv(executable, argv)
        throw CommandFailure("cannot run \(executable): \(String(cString: strerror(errno)))")
    }
}
