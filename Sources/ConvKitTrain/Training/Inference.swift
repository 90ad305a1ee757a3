import ConvKit
import ConvKitData
import ConvKitNN

/// Running a trained model: its loss and accuracy on a labelled set, and class probabilities
/// for images. Both put the model in evaluation mode (batch norm uses its running statistics,
/// dropout is off) for the call, record nothing on the tape, and normalize the images as the
/// model was trained (``ModelRecipe/normalization``).
public enum Inference {
    /// Mean cross-entropy and accuracy (0...1) of `model` on every image of `dataset`, in
    /// batches of `batchSize`; summed on the device and read once at the end.
    public static func evaluate(_ model: any Module, on dataset: Dataset, normalization: ChannelStatistics?,
                                batchSize: Int = 500, context: Context) throws -> (loss: Double, accuracy: Double) {
        let sums = try RunningMetrics(on: context)
        try inEvaluationMode(model) {
            for batch in try batches(dataset, normalization: normalization, batchSize: batchSize) {
                let device = try DeviceBatch(batch, classes: dataset.classCount, on: context)
                let logits = try model(device.images)
                try sums.add(loss: Loss.softmaxCrossEntropy(logits: logits, labels: device.labels), logits: logits,
                             oneHot: device.oneHot)
            }
        }
        return try sums.read()
    }

    /// The softmax probabilities of every class for each image of `images` (labels ignored):
    /// one row of `classCount` per image, in order (`ck_softmax_cross_entropy_forward`'s softmax,
    /// read back with `ck_buffer_read`).
    public static func probabilities(_ model: any Module, for images: Dataset, normalization: ChannelStatistics?,
                                     batchSize: Int = 500, context: Context) throws -> [[Float]] {
        var rows: [[Float]] = []
        try inEvaluationMode(model) {
            for batch in try batches(images, normalization: normalization, batchSize: batchSize) {
                let shape = [batch.count, batch.shape.channels, batch.shape.height, batch.shape.width]
                let logits = try model(Tensor(batch.images, shape: shape, on: context))
                let classes = logits.shape[1]
                let values = try logits.softmax().toArray()
                rows += (0..<batch.count).map { Array(values[($0 * classes)..<(($0 + 1) * classes)]) }
            }
        }
        return rows
    }

    /// The batches of `dataset` in order, not shuffled, not augmented.
    private static func batches(_ dataset: Dataset, normalization: ChannelStatistics?, batchSize: Int) throws -> EpochBatches {
        try EpochBatches(dataset: dataset, options: BatchOptions(batchSize: batchSize, shuffle: false, normalization: normalization),
                         epoch: 0)
    }

    /// Runs `body` with `model` in evaluation mode and gradient recording off, then restores
    /// the model's mode.
    private static func inEvaluationMode(_ model: any Module, _ body: () throws -> Void) throws {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        try withNoGrad(body)
    }
}
