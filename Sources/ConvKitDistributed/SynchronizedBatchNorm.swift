import ConvKit
import ConvKitNN
import Foundation

/// Synchronized batch norm: in training, every rank normalizes its (N, C, H, W) share with the
/// mean and biased variance of the whole global batch, so N ranks with batches of B compute what
/// one process with a batch of N·B would (``ConvKitNN/BatchNormSynchronizer``).
///
/// Forward, per channel: each rank's count M_r, mean μ_r and centred sum of squares
/// Σ(x − μ_r)² (device reductions, `ck_reduce_sum`) are summed over the ranks in double
/// precision as (M_r, M_r·μ_r, Σ(x − μ_r)² + M_r·μ_r²), which gives the global mean μ and
/// variance σ² without the cancellation of a float sum of squares; y is the inference-mode
/// `ck_batchnorm2d_forward` with μ and σ² as its statistics. The running statistics are
/// updated as for one batch of M = ΣM_r values (the variance unbiased by M/(M − 1)).
///
/// Backward, with x̂ = (x − μ)/√(σ² + ε): the local sums Σdy and Σdy·(x − μ) are summed over
/// the ranks (the two gradient reductions), and
/// dx = γ/√(σ²+ε) · (dy − Σdy/M − x̂·Σdy·x̂/M) with the global sums, while dγ = Σdy·x̂ and
/// dβ = Σdy over this rank's batch only: the gradient all-reduce averages those.
public final class SynchronizedBatchNorm: BatchNormSynchronizer {
    public let communicator: any Communicator

    public init(communicator: any Communicator) {
        self.communicator = communicator
    }

    public func normalize(_ x: Tensor, layer: BatchNorm2D) throws -> Tensor {
        guard x.shape.count == 4 else {
            throw DistributedError.mismatch("synchronized BatchNorm2D: input \(x.shape) must be (N, C, H, W)")
        }
        let channels = x.shape[1]
        let localCount = Double(x.count / channels)
        let (localMean, centredSquares) = try withNoGrad {
            let mean = try x.mean(axes: [0, 2, 3], keepingDims: true)
            let centred = try x - mean
            return (try mean.toDoubles(), try (centred * centred).sum(axes: [0, 2, 3]).toDoubles())
        }
        var local = [localCount]
        local += localMean.map { localCount * $0 }
        local += zip(localMean, centredSquares).map { mean, squares in squares + localCount * mean * mean }
        let global = try communicator.sum(local, for: "the batch-norm statistics")
        let count = global[0]
        let mean = (0..<channels).map { global[1 + $0] / count }
        let variance = (0..<channels).map { max(global[1 + channels + $0] / count - mean[$0] * mean[$0], 0) }

        let context = x.context
        let meanTensor = try Tensor(mean.map { Float($0) }, shape: [channels], on: context)
        let varianceTensor = try Tensor(variance.map { Float($0) }, shape: [channels], on: context)
        let y = try withNoGrad {
            try x.batchNorm2d(gamma: layer.weight, beta: layer.bias, runningMean: meanTensor, runningVar: varianceTensor,
                              training: false, epsilon: layer.epsilon)
        }
        try updateRunningStatistics(layer, mean: meanTensor, variance: variance, count: count)
        let invstd = variance.map { 1 / ($0 + layer.epsilon).squareRoot() }
        let (gamma, centre) = (layer.weight, try Tensor(mean.map { Float($0) }, shape: [1, channels, 1, 1], on: context))
        return try y.recording("synchronizedBatchNorm2d", inputs: [x, layer.weight, layer.bias], saved: [x, gamma]) { [communicator] dy in
            try withNoGrad {
                try SynchronizedBatchNorm.backward(dy: dy, x: x, centre: centre, gamma: gamma, invstd: invstd, count: count,
                                                   communicator: communicator)
            }
        }
    }

    /// running = (1 − momentum)·running + momentum·batch (`ck_scale`, `ck_axpy`), the batch
    /// variance unbiased by M/(M − 1).
    private func updateRunningStatistics(_ layer: BatchNorm2D, mean: Tensor, variance: [Double], count: Double) throws {
        let unbiased = variance.map { Float(count > 1 ? $0 * count / (count - 1) : $0) }
        try layer.runningMean.scale(by: 1 - layer.momentum)
        try layer.runningMean.add(mean, scaledBy: layer.momentum)
        try layer.runningVar.scale(by: 1 - layer.momentum)
        try layer.runningVar.add(Tensor(unbiased, shape: [unbiased.count], on: mean.context), scaledBy: layer.momentum)
    }

    /// [dx, dγ, dβ] for the output gradient `dy` (N, C, H, W); `centre` is μ as (1, C, 1, 1).
    private static func backward(dy: Tensor, x: Tensor, centre: Tensor, gamma: Tensor, invstd: [Double], count: Double,
                                 communicator: any Communicator) throws -> [Tensor?] {
        let channels = invstd.count
        let context = dy.context
        let centred = try x - centre
        let localSumDy = try dy.sum(axes: [0, 2, 3]).toDoubles()
        let localSumDyCentred = try (dy * centred).sum(axes: [0, 2, 3]).toDoubles()
        let global = try communicator.sum(localSumDy + localSumDyCentred, for: "the batch-norm gradient sums")
        let gammaValues = try gamma.toDoubles()
        // dx = a·dy + b·(x − μ) + c per channel, from the global sums.
        var (a, b, c) = ([Float](), [Float](), [Float]())
        for k in 0..<channels {
            let scale = gammaValues[k] * invstd[k]
            let sumDyXhat = global[channels + k] * invstd[k]
            a.append(Float(scale))
            b.append(Float(-scale * invstd[k] * sumDyXhat / count))
            c.append(Float(-scale * global[k] / count))
        }
        func perChannel(_ values: [Float]) throws -> Tensor { try Tensor(values, shape: [1, channels, 1, 1], on: context) }
        let dx = try dy * perChannel(a) + centred * perChannel(b) + perChannel(c)
        let dgamma = zip(localSumDyCentred, invstd).map { Float($0 * $1) }
        return [dx, try Tensor(dgamma, shape: [channels], on: context), try Tensor(localSumDy.map { Float($0) }, shape: [channels], on: context)]
    }
}
