import Foundation

/// One epoch's figures: a row of the CSV log and a point of the chart.
public struct EpochRecord: Equatable, Sendable {
    /// 1-based.
    public var epoch: Int
    /// The learning rate of the epoch's last step.
    public var learningRate: Double
    /// Mean training loss and accuracy (0...1) over the epoch's batches, as trained (in
    /// training mode, with augmentation and dropout).
    public var trainLoss: Double
    public var trainAccuracy: Double
    /// Mean loss and accuracy on the whole test set, in evaluation mode.
    public var testLoss: Double
    public var testAccuracy: Double
    /// Training images per second (the training pass only).
    public var imagesPerSecond: Double
    /// Wall time of the epoch: training and evaluation.
    public var seconds: Double

    public init(epoch: Int, learningRate: Double, trainLoss: Double, trainAccuracy: Double, testLoss: Double,
                testAccuracy: Double, imagesPerSecond: Double, seconds: Double) {
        (self.epoch, self.learningRate, self.trainLoss, self.trainAccuracy) = (epoch, learningRate, trainLoss, trainAccuracy)
        (self.testLoss, self.testAccuracy, self.imagesPerSecond, self.seconds) = (testLoss, testAccuracy, imagesPerSecond, seconds)
    }

    /// The CSV header matching ``csvRow``.
    public static let csvHeader = "epoch,lr,train_loss,train_acc,test_loss,test_acc,images_per_s,seconds"

    /// `3,0.0912,0.312455,0.887133,0.298811,0.8931,2310.4,27.51`: accuracies as fractions.
    public var csvRow: String {
        [String(epoch), String(format: "%.6g", learningRate), String(format: "%.6f", trainLoss),
         String(format: "%.6f", trainAccuracy), String(format: "%.6f", testLoss), String(format: "%.6f", testAccuracy),
         String(format: "%.1f", imagesPerSecond), String(format: "%.2f", seconds)].joined(separator: ",")
    }

    /// "epoch 3/20  lr 0.0912  train loss 0.3125 acc 88.71%  test loss 0.2988 acc 89.31%  2310 img/s  27.5 s".
    public func summary(epochs: Int) -> String {
        String(format: "epoch %d/%d  lr %.4g  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  %.0f img/s  %.1f s",
               epoch, epochs, learningRate, trainLoss, trainAccuracy * 100, testLoss, testAccuracy * 100,
               imagesPerSecond, seconds)
    }
}
