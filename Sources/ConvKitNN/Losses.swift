import CConvKit
import ConvKit

/// Training losses; each returns a scalar (shape []) on the tape, averaged over the batch as
/// PyTorch's `reduction="mean"`.
public enum Loss {
    /// Softmax cross-entropy of (N, K) logits against int32 labels (N), PyTorch's
    /// `F.cross_entropy(logits, labels, label_smoothing=s)`: targets (1 − s)·onehot + s/K.
    /// `ck_softmax_cross_entropy_forward` / `_backward`.
    public static func softmaxCrossEntropy(logits: Tensor, labels: Tensor, labelSmoothing: Double = 0) throws -> Tensor {
        guard logits.shape.count == 2, labels.shape == [logits.shape[0]], labels.dtype == .int32 else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                               message: "softmaxCrossEntropy: logits \(logits.shape) must be (N, K) and labels \(labels.shape) int32 (N)")
        }
        return try Tensor.softmaxCrossEntropy(logits: logits, labels: labels, labelSmoothing: labelSmoothing)
    }

    /// Binary cross-entropy of logits x against targets t in [0, 1] (same shape, any), PyTorch's
    /// `F.binary_cross_entropy_with_logits`: mean of −t·log σ(x) − (1 − t)·log(1 − σ(x)).
    ///
    /// Computed as mean softplus(x) − mean(t·x), which is the same function. softplus(x) =
    /// log(1 + eˣ) is the cross-entropy of the two-class logits (0, x) for class 0, so the first
    /// term is one stable log-sum-exp call, `ck_softmax_cross_entropy_forward`, on the (M, 2)
    /// matrix x·(0, 1) (`ck_gemm`, exact); the second is `ck_mul` and `ck_reduce_sum`.
    /// Gradient: (σ(x) − t)/M. Differentiable in the targets too (−x/M).
    public static func binaryCrossEntropy(logits: Tensor, targets: Tensor) throws -> Tensor {
        guard logits.shape == targets.shape else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                               message: "binaryCrossEntropy: logits \(logits.shape) and targets \(targets.shape) must have the same shape")
        }
        let context = logits.context, m = logits.count
        let selectSecond = try Tensor([0, 1], shape: [1, 2], dtype: logits.dtype, on: context)
        let pairs = try Tensor.matmul(logits.reshaped(to: [m, 1]), selectSecond)
        let firstClass = try Tensor.zeros([m], dtype: .int32, on: context)
        let softplusMean = try Tensor.softmaxCrossEntropy(logits: pairs, labels: firstClass)
        return try softplusMean - (targets * logits).mean()
    }

    /// Mean squared error over every element, PyTorch's `F.mse_loss`: mean((prediction − target)²),
    /// same shapes (`ck_add`, `ck_mul`, `ck_reduce_sum`).
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        guard prediction.shape == target.shape else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH,
                               message: "meanSquaredError: prediction \(prediction.shape) and target \(target.shape) must have the same shape")
        }
        let difference = try prediction - target
        return try (difference * difference).mean()
    }
}
