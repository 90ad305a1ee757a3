import Foundation

/// What one progress line shows.
public struct ProgressState: Equatable, Sendable {
    public var epoch: Int
    public var epochs: Int
    /// Steps done so far in this epoch, out of `totalSteps`.
    public var step: Int
    public var totalSteps: Int
    /// Mean training loss so far, if known.
    public var loss: Double?
    /// Fraction correct so far (0...1), if known.
    public var accuracy: Double?
    /// Images per second since the epoch started.
    public var imagesPerSecond: Double
    /// Estimated seconds left in the epoch; when the epoch is done, its total duration.
    public var seconds: Double

    public init(epoch: Int, epochs: Int, step: Int, totalSteps: Int, loss: Double? = nil, accuracy: Double? = nil,
                imagesPerSecond: Double, seconds: Double) {
        self.epoch = epoch
        self.epochs = epochs
        self.step = step
        self.totalSteps = totalSteps
        self.loss = loss
        self.accuracy = accuracy
        self.imagesPerSecond = imagesPerSecond
        self.seconds = seconds
    }

    /// True once every step is done.
    public var isDone: Bool { step >= totalSteps }
}

/// A training progress display for one epoch.
///
/// On a terminal it is one line redrawn in place with `\r`:
///
///     epoch 3/10 [======>         ] 120/469 loss 0.4123 acc 85.21% 5234 img/s ETA 0:42
///
/// Elsewhere (a log file, a pipe, CI) it writes a plain line at most every
/// `interval` seconds, and a last one when the epoch ends:
///
///     epoch 3/10 step 120/469 loss 0.4123 acc 85.21% 5234 img/s ETA 0:42
public final class ProgressBar {
    /// How the progress is written.
    public enum Mode: Equatable, Sendable {
        /// One line redrawn with `\r` (for a terminal).
        case redraw
        /// A new line at most every `interval` seconds, and at the end.
        case lines(interval: Double)
    }

    private let epoch: Int
    private let epochs: Int
    private let totalSteps: Int
    private let mode: Mode
    private let clock: () -> Double
    private let write: (String) -> Void
    private let start: Double
    private var images = 0
    private var lastWrite: Double?
    private var lastWidth = 0

    /// `clock` gives seconds on any monotonic scale; `write` receives every
    /// piece of output (newlines included).
    public init(epoch: Int, epochs: Int, totalSteps: Int, mode: Mode,
                clock: @escaping () -> Double = ProgressBar.monotonicSeconds,
                write: @escaping (String) -> Void = ProgressBar.writeToStandardOutput) {
        self.epoch = epoch
        self.epochs = epochs
        self.totalSteps = totalSteps
        self.mode = mode
        self.clock = clock
        self.write = write
        start = clock()
    }

    /// A bar on standard output: redrawn when it is a terminal, else a line every 10 seconds.
    public static func forStandardOutput(epoch: Int, epochs: Int, totalSteps: Int) -> ProgressBar {
        ProgressBar(epoch: epoch, epochs: epochs, totalSteps: totalSteps,
                    mode: isatty(STDOUT_FILENO) == 1 ? .redraw : .lines(interval: 10))
    }

    /// Records that step `step` (1...totalSteps) is done after `batchImages`
    /// more images, and shows the running `loss` and `accuracy`.
    public func update(step: Int, batchImages: Int, loss: Double?, accuracy: Double?) {
        images += batchImages
        let now = clock()
        let elapsed = max(now - start, 1e-9)
        let done = step >= totalSteps
        let remaining = done ? elapsed : elapsed / Double(max(step, 1)) * Double(totalSteps - step)
        let state = ProgressState(epoch: epoch, epochs: epochs, step: step, totalSteps: totalSteps, loss: loss,
                                  accuracy: accuracy, imagesPerSecond: Double(images) / elapsed, seconds: remaining)
        switch mode {
        case .redraw:
            let line = ProgressBar.render(state, bar: true)
            let erase = String(repeating: " ", count: max(lastWidth - line.count, 0))
            lastWidth = line.count
            write("\r" + line + erase + (done ? "\n" : ""))
        case .lines(let interval):
            guard done || lastWrite.map({ now - $0 >= interval }) ?? true else { return }
            lastWrite = now
            write(ProgressBar.render(state, bar: false) + "\n")
        }
    }

    /// The text of one progress line: with `bar`, a 16-character bar in
    /// place of the word "step". Loss and accuracy are left out when nil.
    public static func render(_ state: ProgressState, bar: Bool) -> String {
        var parts = ["epoch \(state.epoch)/\(state.epochs)"]
        if bar {
            let width = 16
            let filled = state.totalSteps > 0 ? min(state.step * width / state.totalSteps, width) : width
            let head = filled < width && filled > 0 ? ">" : ""
            let body = String(repeating: "=", count: filled - head.count) + head
            parts.append("[" + body + String(repeating: " ", count: width - body.count) + "]")
            parts.append("\(state.step)/\(state.totalSteps)")
        } else {
            parts.append("step \(state.step)/\(state.totalSteps)")
        }
        if let loss = state.loss { parts.append("loss " + String(format: "%.4f", loss)) }
        if let accuracy = state.accuracy { parts.append("acc " + String(format: "%.2f%%", accuracy * 100)) }
        parts.append(String(format: "%.0f img/s", state.imagesPerSecond))
        parts.append(state.isDone ? "took " + formatDuration(state.seconds) : "ETA " + formatDuration(state.seconds))
        return parts.joined(separator: " ")
    }

    /// "m:ss", or "h:mm:ss" from an hour on; seconds rounded to the nearest.
    public static func formatDuration(_ seconds: Double) -> String {
        let total = seconds.isFinite ? Int(max(seconds, 0).rounded()) : 0
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let mmss = String(format: "%02d:%02d", minutes, secs)
        return hours > 0 ? "\(hours):" + mmss : "\(minutes):" + String(format: "%02d", secs)
    }

    /// Seconds since an arbitrary start, never going back.
    public static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// Writes to standard output and flushes, so a redrawn line shows at once.
    public static func writeToStandardOutput(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }
}
