import ArgumentParser
import CConvKit

/// `convkit`: train, evaluate and inspect convolutional networks from the command line.
@main
struct ConvKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convkit",
        abstract: "Train and run convolutional networks on OpenCL devices or the CPU.",
        version: String(cString: ck_version()),
        subcommands: [TrainCommand.self, EvalCommand.self, PredictCommand.self, VisualizeCommand.self, BenchCommand.self,
                      DevicesCommand.self, DataCommand.self, MPICommand.self]
    )
}

/// A failure a command reports as "Error: <message>" with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) {
        description = message
    }
}
