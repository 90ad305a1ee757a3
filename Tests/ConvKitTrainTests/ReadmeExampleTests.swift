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

    /// The loop of the ConvKitNN article "Training a CNN" (a warm-up then cosine annealing through
    /// SequentialLR, batched evaluation), on small synthetic images: it must learn well above chance.
    func testTrainingArticleLoopLearns() throws {
        let data = try SyntheticDataset(trainCount: 256, testCount: 128, channels: 1, height: 12, width: 12).make()
        let context = try Context(backend: .cpu, threads: 2)
        let model = Sequential([
            try Conv2D(inChannels: 1, outChannels: 8, kernelSize: (3, 3), padding: .same, seed: 1, on: context),
            try BatchNorm2D(features: 8, on: context), ReLU(),
            MaxPool2D(kernelSize: (2, 2)), Flatten(),
            try Dense(inFeatures: 8 * 6 * 6, outFeatures: 10, seed: 2, on: context),
        ])
        let optimizer = try SGD(model.namedParameters(), learningRate: 0.05, momentum: 0.9)
        let warmup = try LinearLR(optimizer, startFactor: 0.1, totalIterations: 2)
        let cosine = try CosineAnnealingLR(optimizer, tMax: 2)
        let schedule = try SequentialLR(optimizer, schedulers: [warmup, cosine], milestones: [2])
        for epoch in 0..<4 {
            model.train()
            for batch in try EpochBatches(dataset: data.train, options: BatchOptions(batchSize: 32, seed: 7), epoch: epoch) {
                let x = try Tensor(batch.images, shape: [batch.count, 1, 12, 12], on: context)
                let y = try Tensor(labels: batch.labels, on: context)
                let loss = try Loss.softmaxCrossEntropy(logits: model(x), labels: y)
                optimizer.zeroGrad()
                try loss.backward()
                try optimizer.step()
            }
            schedule.step()
        }
        model.eval()
        var correct = 0.0
        for batch in try EpochBatches(dataset: data.test, options: BatchOptions(batchSize: 64, shuffle: false), epoch: 0) {
            let x = try Tensor(batch.images, shape: [batch.count, 1, 12, 12], on: context)
            let logits = try withNoGrad { try model(x) }
            correct += try Metrics.accuracy(logits: logits, labels: Tensor(labels: batch.labels, on: context)) * Double(batch.count)
        }
        // Ten classes: chance is 0.1. The synthetic classes are separable, so a working loop is far above it.
        XCTAssertGreaterThan(correct / Double(data.test.count), 0.5)
    }
}
