import ConvKit

/// Batch statistics over several replicas' batches (synchronized batch norm): data-parallel
/// training sets one on every ``BatchNorm2D`` when the replicas should normalize with the
/// mean and variance of the whole global batch rather than of their own share.
public protocol BatchNormSynchronizer: AnyObject {
    /// The training-mode forward pass of `layer` on `x` (N, C, H, W): normalizes with the
    /// biased variance and the mean of every replica's `x` together, records the op (its
    /// backward pass includes the statistics' dependence on every replica's input) and updates
    /// `layer`'s running statistics as `Tensor.batchNorm2d(gamma:beta:runningMean:runningVar:training:momentum:epsilon:)`
    /// does for one batch. Returns (N, C, H, W).
    func normalize(_ x: Tensor, layer: BatchNorm2D) throws -> Tensor
}
