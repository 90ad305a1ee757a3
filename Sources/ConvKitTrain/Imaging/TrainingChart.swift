import Foundation

/// The picture of a run: a title, then two panels side by side, loss (left) and accuracy in
/// percent (right) against the epoch, each with a training line and a test line, point
/// markers (so a one-epoch run shows too), gridlines with labelled ticks, and a legend.
public struct TrainingChart {
    public static let width = 1000, height = 460
    static let trainColor = RGB(31, 119, 180), testColor = RGB(230, 110, 20)
    static let ink = RGB(40, 40, 40), grid = RGB(225, 225, 225)

    public let title: String
    public let history: [EpochRecord]

    public init(title: String, history: [EpochRecord]) { (self.title, self.history) = (title, history) }

    /// Draws the chart.
    public func render() -> Canvas {
        var canvas = Canvas(width: TrainingChart.width, height: TrainingChart.height)
        BitmapFont.draw(title, x: 40, y: 16, scale: 2, TrainingChart.ink, on: &canvas)
        let losses = history.flatMap { [$0.trainLoss, $0.testLoss] }.filter(\.isFinite)
        let lossTop = TrainingChart.niceCeiling(max(losses.max() ?? 1, 1e-3) * 1.05)
        let accuracies = history.flatMap { [$0.trainAccuracy, $0.testAccuracy] }.map { $0 * 100 }
        let accuracyBottom = max(((accuracies.min() ?? 0) - 2) / 20, 0).rounded(.down) * 20
        drawPanel(on: &canvas, frame: (90, 80, 380, 320), name: "loss", range: 0...lossTop,
                  series: (history.map(\.trainLoss), history.map(\.testLoss)))
        drawPanel(on: &canvas, frame: (590, 80, 380, 320), name: "accuracy %", range: accuracyBottom...100,
                  series: (history.map { $0.trainAccuracy * 100 }, history.map { $0.testAccuracy * 100 }))
        return canvas
    }

    /// Renders the chart and writes it as a PNG.
    public func write(to path: String) throws { try render().writePNG(to: path) }

    /// One panel in `frame` (left, top, width, height of the plot area): axes, five y ticks
    /// over `range`, integer epoch ticks, the two series and the legend.
    private func drawPanel(on canvas: inout Canvas, frame: (x: Int, y: Int, width: Int, height: Int), name: String,
                           range: ClosedRange<Double>, series: (train: [Double], test: [Double])) {
        let epochs = max(history.count, 1)
        func px(_ epochIndex: Int) -> Int {
            frame.x + Int((Double(epochIndex) + 0.5) / Double(epochs) * Double(frame.width))
        }
        func py(_ value: Double) -> Int {
            let fraction = (min(max(value, range.lowerBound), range.upperBound) - range.lowerBound) / (range.upperBound - range.lowerBound)
            return frame.y + frame.height - Int(fraction * Double(frame.height))
        }
        for tick in 0...4 {
            let value = range.lowerBound + (range.upperBound - range.lowerBound) * Double(tick) / 4
            let y = py(value)
            canvas.fill(x: frame.x, y: y, width: frame.width, height: 1, TrainingChart.grid)
            let label = TrainingChart.format(value)
            BitmapFont.draw(label, x: frame.x - 10 - BitmapFont.width(of: label, scale: 2), y: y - 7, scale: 2,
                            TrainingChart.ink, on: &canvas)
        }
        let every = max(1, Int((Double(epochs) / 10).rounded(.up)))
        for index in stride(from: every - 1, to: epochs, by: every) {
            let label = String(index + 1), x = px(index)
            canvas.fill(x: x, y: frame.y + frame.height, width: 1, height: 6, TrainingChart.ink)
            BitmapFont.draw(label, x: x - BitmapFont.width(of: label, scale: 2) / 2, y: frame.y + frame.height + 10, scale: 2,
                            TrainingChart.ink, on: &canvas)
        }
        canvas.fill(x: frame.x, y: frame.y, width: 1, height: frame.height + 1, TrainingChart.ink)
        canvas.fill(x: frame.x, y: frame.y + frame.height, width: frame.width, height: 1, TrainingChart.ink)
        BitmapFont.draw(name, x: frame.x, y: frame.y - 26, scale: 2, TrainingChart.ink, on: &canvas)
        BitmapFont.draw("epoch", x: frame.x + frame.width / 2 - 29, y: frame.y + frame.height + 32, scale: 2,
                        TrainingChart.ink, on: &canvas)
        for (values, color) in [(series.train, TrainingChart.trainColor), (series.test, TrainingChart.testColor)] {
            let points = values.enumerated().filter { $0.element.isFinite }.map { (x: px($0.offset), y: py($0.element)) }
            for (a, b) in zip(points, points.dropFirst()) { canvas.line(from: a, to: b, color, thickness: 3) }
            for point in points { canvas.fill(x: point.x - 3, y: point.y - 3, width: 7, height: 7, color) }
        }
        for (row, (label, color)) in [("train", TrainingChart.trainColor), ("test", TrainingChart.testColor)].enumerated() {
            let (x, y) = (frame.x + frame.width - 100, frame.y - 40 + row * 18)
            canvas.fill(x: x, y: y + 5, width: 24, height: 4, color)
            BitmapFont.draw(label, x: x + 32, y: y, scale: 2, TrainingChart.ink, on: &canvas)
        }
    }

    /// The smallest of 1, 2, 2.5, 5 × 10^k that is at least `value` (> 0).
    static func niceCeiling(_ value: Double) -> Double {
        let magnitude = pow(10, (log10(value)).rounded(.down))
        return [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= value * (1 - 1e-12) }!
    }

    /// A tick label: up to three significant digits, no trailing zeros ("0.25", "90", "1.5").
    static func format(_ value: Double) -> String {
        var text = String(format: abs(value) >= 10 ? "%.0f" : abs(value) >= 1 ? "%.2f" : "%.3f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
