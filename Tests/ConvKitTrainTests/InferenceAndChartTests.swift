import ConvKit
import ConvKitData
import ConvKitNN
@testable import ConvKitTrain
import Foundation
import XCTest

/// Evaluation and prediction, the model recipe, the chart's drawing and the PNG files.
final class InferenceAndChartTests: XCTestCase {
    private var context: Context!
    private var directory: String!

    override func setUpWithError() throws {
        context = try Context(backend: .cpu, threads: 2)
        directory = NSTemporaryDirectory() + "convkit-chart-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The on-device accuracy equals ConvKitNN's host argmax accuracy, and probabilities are rows
    /// that sum to 1 whose argmax is the logits'.
    func testEvaluationAgreesWithHostMetricsAndProbabilitiesSumToOne() throws {
        let data = try SyntheticDataset(trainCount: 40, testCount: 37, channels: 1, height: 12, width: 12, classes: 5, seed: 3).make()
        let model = try ModelKind.lenet5.make(for: ModelInput(channels: 1, height: 12, width: 12, classes: 5), seed: 4, on: context)
        let test = data.test
        let (loss, accuracy) = try Inference.evaluate(model, on: test, normalization: nil, batchSize: 10, context: context)
        let x = try Tensor(test.images, shape: [test.count, 1, 12, 12], on: context)
        let labels = try Tensor(labels: test.labels, on: context)
        let logits = try withNoGrad { try model.eval()(x) }
        XCTAssertEqual(accuracy, try Metrics.accuracy(logits: logits, labels: labels), accuracy: 1e-12)
        XCTAssertEqual(loss, try Loss.softmaxCrossEntropy(logits: logits, labels: labels).item(), accuracy: 1e-5)

        let probabilities = try Inference.probabilities(model, for: test, normalization: nil, batchSize: 8, context: context)
        let scores = try logits.toArray()
        XCTAssertEqual(probabilities.count, 37)
        for (row, probability) in probabilities.enumerated() {
            XCTAssertEqual(probability.reduce(0, +), 1, accuracy: 1e-5)
            let rowScores = Array(scores[(row * 5)..<(row * 5 + 5)])
            XCTAssertEqual(probability.indices.max { probability[$0] < probability[$1] },
                           rowScores.indices.max { rowScores[$0] < rowScores[$1] })
        }
    }

    func testRecipeRoundTripsThroughJSON() throws {
        let data = try SyntheticDataset(trainCount: 4, testCount: 2, channels: 3, height: 9, width: 9, classes: 3).make()
        let recipe = ModelRecipe(model: .mobilenet, widthMultiplier: 0.25, dataset: "synthetic", sample: data.train,
                                 normalization: ChannelStatistics(mean: [0.1, 0.2, 0.3], std: [1, 2, 3]))
        let decoded = try JSONDecoder().decode(ModelRecipe.self, from: Data(try recipe.json().utf8))
        XCTAssertEqual(decoded, recipe)
        XCTAssertEqual(decoded.input, ModelInput(channels: 3, height: 9, width: 9, classes: 3))
        XCTAssertEqual(try decoded.kind(), .mobilenet)
    }

    /// Both panels draw their series in the train and test colours; an empty history draws axes only.
    func testChartDrawsBothSeries() throws {
        let history = (1...4).map {
            EpochRecord(epoch: $0, learningRate: 0.1, trainLoss: 1 / Double($0), trainAccuracy: 0.7 + 0.05 * Double($0),
                        testLoss: 1.2 / Double($0), testAccuracy: 0.68 + 0.05 * Double($0), imagesPerSecond: 100, seconds: 1)
        }
        let canvas = TrainingChart(title: "resnet20 on fashion-mnist", history: history).render()
        var colours: [String: Int] = [:]
        for y in 0..<canvas.height {
            for x in 0..<canvas.width {
                let pixel = canvas.pixel(x: x, y: y)!
                colours["\(pixel.red),\(pixel.green),\(pixel.blue)", default: 0] += 1
            }
        }
        XCTAssertGreaterThan(colours["31,119,180"] ?? 0, 500)
        XCTAssertGreaterThan(colours["230,110,20"] ?? 0, 500)
        XCTAssertEqual(TrainingChart.niceCeiling(0.73), 1)
        XCTAssertEqual(TrainingChart.niceCeiling(2.2), 2.5)
        XCTAssertEqual(TrainingChart.format(0.25), "0.25")
        XCTAssertEqual(TrainingChart.format(92.6), "93")
        _ = TrainingChart(title: "empty", history: []).render()
    }

    /// A canvas written as PNG reads back pixel for pixel, as RGB and as grey.
    func testPNGRoundTrip() throws {
        var canvas = Canvas(width: 5, height: 3, background: .black)
        canvas.set(x: 1, y: 2, RGB(255, 255, 255))
        canvas.set(x: 4, y: 0, RGB(255, 0, 0))
        let path = directory + "/image.png"
        try canvas.writePNG(to: path)
        let rgb = try PNGReader.read(path, channels: 3, height: 3, width: 5)
        XCTAssertEqual(rgb[0 * 15 + 0 * 5 + 4], 1)  // red plane at (4, 0)
        XCTAssertEqual(rgb[1 * 15 + 0 * 5 + 4], 0)  // green plane at (4, 0)
        XCTAssertEqual(rgb[2 * 15 + 2 * 5 + 1], 1)  // blue plane at (1, 2)
        let grey = try PNGReader.read(path, channels: 1, height: 3, width: 5)
        XCTAssertEqual(grey[2 * 5 + 1], 1)
        XCTAssertEqual(grey[0], 0)
        XCTAssertThrowsError(try PNGReader.read(path, channels: 1, height: 28, width: 28)) { error in
            XCTAssertTrue("\(error)".contains("5×3 pixels"), "\(error)")
        }
        let (names, images) = try PNGReader.folder(directory, channels: 1, height: 3, width: 5, classNames: ["a", "b"])
        XCTAssertEqual(names, ["image.png"])
        XCTAssertEqual(images.count, 1)
        XCTAssertThrowsError(try Canvas(width: 2, height: 2).writePNG(to: directory + "/missing/folder/x.png"))
    }
}
