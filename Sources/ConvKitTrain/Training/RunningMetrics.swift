import ConvKit
import ConvKitData
import ConvKitNN

/// The summed loss and the count of correct predictions of the batches seen so far, kept on
/// the device so the training loop reads two scalars from it only when it wants to show them.
///
/// Correctness is found without reading the logits: with m the row maximum of the (N, K)
/// logits (`ck_global_pool2d_forward`, max, over the logits viewed as (N, 1, 1, K)) and ℓ the
/// logit of the label (`ck_mul` with the one-hot labels, `ck_reduce_sum` over K), ℓ − m ≤ 0,
/// and relu(2¹⁰⁰·(ℓ − m) + 1) is 1 where the label holds the maximum and 0 elsewhere (unless
/// ℓ and m differ by less than 2⁻¹⁰⁰, never for float32 logits of any useful size). A row
/// whose maximum is shared by the label and another class counts as correct.
final class RunningMetrics {
    private let lossSum: Tensor
    private let correctSum: Tensor
    /// Images added since the last ``reset()``.
    private(set) var count = 0

    init(on context: Context) throws {
        lossSum = try .zeros([], on: context)
        correctSum = try .zeros([], on: context)
    }

    /// Starts a new sum (`ck_fill`).
    func reset() throws {
        try lossSum.fill(0)
        try correctSum.fill(0)
        count = 0
    }

    /// Adds a batch: `loss` the mean loss (shape []), `logits` (N, K), `oneHot` (N, K) the labels
    /// as one-hot rows. Records nothing on the tape.
    func add(loss: Tensor, logits: Tensor, oneHot: Tensor) throws {
        let (n, k) = (logits.shape[0], logits.shape[1])
        try withNoGrad {
            let rowMaximum = try logits.reshaped(to: [n, 1, 1, k]).globalMaxPool2d().reshaped(to: [n, 1])
            let labelLogit = try (logits * oneHot).sum(axes: [1], keepingDims: true)
            let hits = try ((labelLogit - rowMaximum).scaled(by: 0x1p100) + Tensor.ones([n, 1], on: logits.context)).relu()
            try correctSum.add(hits.sum())
            try lossSum.add(loss, scaledBy: Double(n))
        }
        count += n
    }

    /// (mean loss, accuracy in 0...1) of the images added since the last reset: two
    /// `ck_buffer_read`s of one float each, which wait for the device. (0, 0) when empty.
    func read() throws -> (loss: Double, accuracy: Double) {
        guard count > 0 else { return (0, 0) }
        return (try lossSum.item() / Double(count), try correctSum.item() / Double(count))
    }
}

/// A batch on the device: images (N, C, H, W), int32 labels (N), one-hot labels (N, classes).
struct DeviceBatch {
    let images: Tensor
    let labels: Tensor
    let oneHot: Tensor

    /// Uploads `batch` (`ck_buffer_write` × 3).
    init(_ batch: Batch, classes: Int, on context: Context) throws {
        let n = batch.count
        images = try Tensor(batch.images, shape: [n, batch.shape.channels, batch.shape.height, batch.shape.width], on: context)
        labels = try Tensor(labels: batch.labels, on: context)
        var rows = [Float](repeating: 0, count: n * classes)
        for (row, label) in batch.labels.enumerated() { rows[row * classes + Int(label)] = 1 }
        oneHot = try Tensor(rows, shape: [n, classes], on: context)
    }
}
