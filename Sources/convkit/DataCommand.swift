import ArgumentParser
import ConvKitData
import Foundation

extension DatasetKind: ExpressibleByArgument {}

/// `convkit data`: load a data set and print what it holds, a quick check
/// that the files are found and valid.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Load a data set and print its sizes, per-class counts and per-channel mean and std."
    )

    @Option(name: .long, help: ArgumentHelp("Which data set.", valueName: "name"))
    var dataset: DatasetKind = .fashionMNIST

    @Option(name: .customLong("data-dir"), help: ArgumentHelp(
        "Folder holding the data set's files (default: /usr/share/datasets/fashion-mnist for fashion-mnist).",
        valueName: "dir"))
    var dataDirectory: String?

    func run() throws {
        let start = Date()
        let splits: DatasetSplits
        do {
            splits = try dataset.load(directory: dataDirectory)
        } catch let error as DataError {
            throw CommandFailure(error.description)
        }
        let seconds = Date().timeIntervalSince(start)
        let train = splits.train, test = splits.test
        print("\(dataset.rawValue): loaded in \(String(format: "%.1f", seconds)) s")
        print("  train: \(train.count) images, test: \(test.count) images, "
            + "each \(train.channels)×\(train.height)×\(train.width) (channels × height × width), "
            + "\(train.classCount) classes")
        print("  per-class counts (train / test):")
        let nameWidth = train.classNames.map(\.count).max() ?? 0
        for (label, (trainCount, testCount)) in zip(train.classCounts(), test.classCounts()).enumerated() {
            let name = train.classNames[label].padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            print("    \(String(label).leftPadded(2)) \(name)  \(String(trainCount).leftPadded(6)) / "
                + String(testCount).leftPadded(6))
        }
        let statistics = train.channelStatistics()
        print("  per-channel statistics of the training images (pixels scaled to [0, 1]):")
        for channel in 0..<train.channels {
            print("    channel \(channel): mean \(String(format: "%.4f", statistics.mean[channel])), "
                + "std \(String(format: "%.4f", statistics.std[channel]))")
        }
    }
}

extension String {
    /// Right-aligned in `width` characters.
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(width - count, 0)) + self
    }
}
