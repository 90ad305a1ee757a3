import CConvKit
import ConvKit

/// Classification metrics over a batch, computed on the host from the (N, K) scores and the
/// int32 labels (N) (one `ck_buffer_read` each).
public enum Metrics {
    /// The fraction of rows whose highest score is at the label; ties go to the lowest class
    /// index, as `argmax`.
    public static func accuracy(logits: Tensor, labels: Tensor) throws -> Double {
        try topKAccuracy(logits: logits, labels: labels, k: 1)
    }

    /// The fraction of rows whose label is among the k highest scores. A class ranks above
    /// the label when its score is higher, or equal with a lower index (so k = 1 is `argmax`).
    public static func topKAccuracy(logits: Tensor, labels: Tensor, k: Int) throws -> Double {
        guard logits.shape.count == 2, labels.shape == [logits.shape[0]], labels.dtype == .int32 else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                               message: "topKAccuracy: logits \(logits.shape) must be (N, K) and labels \(labels.shape) int32 (N)")
        }
        let (n, classes) = (logits.shape[0], logits.shape[1])
        guard k >= 1, k <= classes else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "topKAccuracy: k \(k) must be in 1...\(classes)")
        }
        let scores = try logits.toDoubles(), targets = try labels.toDoubles().map { Int($0) }
        if let bad = targets.first(where: { !(0..<classes).contains($0) }) {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "topKAccuracy: label \(bad) is outside 0..<\(classes)")
        }
        var hits = 0
        for row in 0..<n {
            let base = row * classes, label = targets[row], score = scores[base + label]
            let above = (0..<classes).filter { scores[base + $0] > score || (scores[base + $0] == score && $0 < label) }.count
            if above < k { hits += 1 }
        }
        return Double(hits) / Double(n)
    }
}
