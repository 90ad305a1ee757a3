import ConvKit
import ConvKitData
import ConvKitNN
import XCTest

/// The training loop the README shows, kept compiling and working: one short epoch of a
/// small CNN on synthetic data must lower the loss.
final class ReadmeExampleTests: XCTestCase {
    func testReadmeTrainingLoopLowersTheLoss() throws {
        let data = try SyntheticDataset(trainCount: 256, testCount: 64, channels: 1, height: 12, width: 12).make()
        var losses: [Double] = []
        // --- README: begin ---
        let context = try Context()                                  // best device
        let model = Sequential([
            try Conv2D(inChannels: 1, outChannels: 8, kernelSize: (3, 3), padding: .same, seed: 1, on: context),
            try BatchNorm2D(features: 8, on: context), ReLU(),
            MaxPool2D(kernelSize: (2, 2)), Flatten(),
            try Dense(inFeatures: 8 * 6 * 6, outFeatures: 10, seed: 2, on: context),
        ])
        let optimizer = try SGD(model.namedParameters(), learningRate: 0.05, momentum: 0.9)
        for batch in try EpochBatches(dataset: data.train, options: BatchOptions(batchSize: 32, seed: 7), epoch: 0) {
            let x = try Tensor(batch.images, shape: [batch.count, 1, 12, 12], on: context)
            let y = try Tensor(labels: batch.labels, on: context)
            let loss = try Loss.softmaxCrossEntropy(logits: model(x), labels: y)
            optimizer.zeroGrad()
            try loss.backward()
            try optimizer.step()
            losses.append(try loss.item())
        }
        // --- README: end ---
        XCTAssertLessThan(losses.suffix(2).reduce(0, +), losses.prefix(2).reduce(0, +))
    }
}
