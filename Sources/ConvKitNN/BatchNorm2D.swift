import ConvKit

/// Batch normalization over (N, H, W) per channel, PyTorch's `nn.BatchNorm2d`.
/// Input (N, features, H, W) → same shape: y = (x − μ) / √(σ² + ε) · weight + bias.
///
/// Training mode normalizes with the batch mean and biased variance and updates the buffers
/// `running_mean` and `running_var` (running = (1 − momentum)·running + momentum·batch, the
/// variance unbiased) and `num_batches_tracked` (int32 here; int64 in PyTorch). Evaluation mode
/// normalizes with the running statistics. Parameters `weight` (γ, starts at 1) and `bias`
/// (β, starts at 0), each (features). Forward `ck_batchnorm2d_forward`; backward
/// `ck_batchnorm2d_backward`.
public final class BatchNorm2D: Module {
    /// γ (features), starts at 1; requires grad.
    public let weight: Tensor
    /// β (features), starts at 0; requires grad.
    public let bias: Tensor
    /// The running mean (features), buffer `running_mean`; starts at 0.
    public let runningMean: Tensor
    /// The running unbiased variance (features), buffer `running_var`; starts at 1.
    public let runningVar: Tensor
    /// Training steps taken, an int32 scalar, buffer `num_batches_tracked`.
    public let numBatchesTracked: Tensor
    /// The weight of the batch statistics in the running ones (PyTorch's convention).
    public let momentum: Double
    /// Added to the variance before the square root.
    public let epsilon: Double
    public var isTraining = true
    /// Set for synchronized batch norm in data-parallel training: training-mode statistics then
    /// come from every replica's batch (see ``BatchNormSynchronizer``); nil: from this batch.
    public var synchronizer: (any BatchNormSynchronizer)?
    /// The count `numBatchesTracked` holds, valid while its version is the one recorded here
    /// (a loaded state dict changes the version; the count is then read back once).
    private var tracked = (count: 0, version: 0)

    /// PyTorch's `BatchNorm2d(num_features, eps, momentum)`, in training mode.
    public init(features: Int, momentum: Double = 0.1, epsilon: Double = 1e-5, on context: Context) throws {
        let features = try positive(features, "features", "BatchNorm2D")
        weight = try Tensor.ones([features], on: context).requiringGrad()
        bias = try Tensor.zeros([features], on: context).requiringGrad()
        runningMean = try Tensor.zeros([features], on: context)
        runningVar = try Tensor.ones([features], on: context)
        numBatchesTracked = try Tensor.zeros([], dtype: .int32, on: context)
        (self.momentum, self.epsilon) = (momentum, epsilon)
    }

    public var directParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }

    public var directBuffers: [(name: String, tensor: Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try checkImageInput(x, "BatchNorm2D", channels: weight.count)
        let y: Tensor
        if isTraining, let synchronizer {
            y = try synchronizer.normalize(x, layer: self)
        } else {
            y = try x.batchNorm2d(gamma: weight, beta: bias, runningMean: runningMean, runningVar: runningVar,
                                  training: isTraining, momentum: momentum, epsilon: epsilon)
        }
        if isTraining {
            let count = numBatchesTracked.version == tracked.version ? tracked.count : Int(try numBatchesTracked.item())
            try numBatchesTracked.fill(Double(count + 1))
            tracked = (count + 1, numBatchesTracked.version)
        }
        return y
    }
}
