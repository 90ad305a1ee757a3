import Foundation

/// The files a run writes into its output directory after every epoch: `log.csv` (the
/// ``TrainingLog``) and `chart.png` (the ``TrainingChart``).
public struct RunArtifacts {
    public let directory: String
    /// The chart's title.
    public var title: String

    public init(directory: String, title: String = "training") { (self.directory, self.title) = (directory, title) }

    public var logPath: String { (directory as NSString).appendingPathComponent("log.csv") }
    public var chartPath: String { (directory as NSString).appendingPathComponent("chart.png") }

    /// Creates the directory when needed and writes both files.
    public func write(_ history: [EpochRecord]) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.writeFailed(path: directory, reason: error.localizedDescription)
        }
        try TrainingLog(path: logPath).write(history)
        try TrainingChart(title: title, history: history).write(to: chartPath)
    }
}

/// The CSV log of a run: the header and one row per finished epoch, rewritten whole after
/// each epoch (Foundation's atomic write: a temporary file renamed over the old one), so the
/// file is complete whenever it is read, and read back when a run resumes.
public struct TrainingLog {
    public let path: String

    public init(path: String) { self.path = path }

    /// Writes `records` as the whole log.
    public func write(_ records: [EpochRecord]) throws {
        let text = ([EpochRecord.csvHeader] + records.map(\.csvRow)).joined(separator: "\n") + "\n"
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw TrainingError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// The records of a log written by ``write(_:)``.
    public func read() throws -> [EpochRecord] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TrainingError.invalidOption("\(path): cannot read the training log: \(error.localizedDescription)")
        }
        let lines = text.split(whereSeparator: \.isNewline)
        guard lines.first.map(String.init) == EpochRecord.csvHeader else {
            throw TrainingError.invalidOption("\(path): not a training log (the first line is not \(EpochRecord.csvHeader))")
        }
        return try lines.dropFirst().enumerated().map { index, line in
            let fields = line.split(separator: ",").map { Double($0) }
            guard fields.count == 8, fields.allSatisfy({ $0 != nil }), let epoch = Int(exactly: fields[0]!) else {
                throw TrainingError.invalidOption("\(path): line \(index + 2) is not a row of 8 numbers")
            }
            return EpochRecord(epoch: epoch, learningRate: fields[1]!, trainLoss: fields[2]!, trainAccuracy: fields[3]!,
                               testLoss: fields[4]!, testAccuracy: fields[5]!, imagesPerSecond: fields[6]!, seconds: fields[7]!)
        }
    }
}
