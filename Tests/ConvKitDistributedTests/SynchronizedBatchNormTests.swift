import ConvKit
import ConvKitDistributed
import ConvKitNN
import XCTest

/// ``SynchronizedBatchNorm`` against ``BatchNorm2D`` on the whole batch: forward output, running
/// statistics and the three gradients. Replicas are threads of a ``ThreadGroup``.
///
/// Tolerance 2e-5 (absolute, on values of order 1–5): the two compute the same float32 sums of
/// M = 2·3·5·5 = 150 values per channel in other orders and arrangements (per-replica centred sums
/// combined in double precision here; one pass over the batch there), so each statistic differs by
/// about M·u ≈ 1e-5 relative at worst (u = 2⁻²⁴) and a normalized value by a few 1e-6 of its size.
final class SynchronizedBatchNormTests: XCTestCase {
    let tolerance: Float = 2e-5
    let shape = [4, 3, 5, 5]

    /// Inputs with a large mean (so a naive float sum of squares would lose digits), dy, γ, β.
    func values(seed: UInt64) -> (x: [Float], dy: [Float], gamma: [Float], beta: [Float]) {
        var rng = SplitMix64(seed: seed)
        let count = shape.reduce(1, *)
        func uniform(_ n: Int, _ low: Double, _ high: Double) -> [Float] {
            (0..<n).map { _ in Float(low + (high - low) * rng.nextUnitInterval()) }
        }
        return (uniform(count, 4, 6), uniform(count, -1, 1), uniform(3, 0.5, 1.5), uniform(3, -0.5, 0.5))
    }

    /// y, dx, dγ, dβ, running mean and variance of `layer` on `x` with output gradient `dy`.
    func run(_ layer: BatchNorm2D, x: [Float], dy: [Float], shape: [Int], gamma: [Float], beta: [Float],
             on context: Context) throws -> [[Float]] {
        try withNoGrad {
            try layer.weight.assign(gamma)
            try layer.bias.assign(beta)
        }
        let input = try Tensor(x, shape: shape, on: context).requiringGrad()
        let y = try layer(input)
        try y.backward(gradient: Tensor(dy, shape: shape, on: context))
        return [try y.toArray(), try input.grad!.toArray(), try layer.weight.grad!.toArray(), try layer.bias.grad!.toArray(),
                try layer.runningMean.toArray(), try layer.runningVar.toArray()]
    }

    func assertClose(_ a: [Float], _ b: [Float], _ what: String) {
        XCTAssertEqual(a.count, b.count, what)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance, what)
    }

    func testOneReplicaEqualsBatchNorm() throws {
        let v = values(seed: 1)
        let context = try Context(backend: .cpu, threads: 1)
        let plain = try run(BatchNorm2D(features: 3, on: context), x: v.x, dy: v.dy, shape: shape, gamma: v.gamma, beta: v.beta,
                            on: context)
        let synchronized = try ThreadGroup(size: 1).run { communicator -> [[Float]] in
            let layer = try BatchNorm2D(features: 3, on: context)
            layer.synchronizer = SynchronizedBatchNorm(communicator: communicator)
            return try self.run(layer, x: v.x, dy: v.dy, shape: self.shape, gamma: v.gamma, beta: v.beta, on: context)
        }[0]
        for (index, what) in ["y", "dx", "dgamma", "dbeta", "running mean", "running variance"].enumerated() {
            assertClose(plain[index], synchronized[index], what)
        }
    }

    func testTwoReplicasEqualBatchNormOnBothHalves() throws {
        let v = values(seed: 2)
        let half = shape.reduce(1, *) / 2
        var whole = shape
        whole[0] = 4
        var part = shape
        part[0] = 2
        let context = try Context(backend: .cpu, threads: 1)
        let plain = try run(BatchNorm2D(features: 3, on: context), x: v.x, dy: v.dy, shape: whole, gamma: v.gamma, beta: v.beta,
                            on: context)
        let replicas = try ThreadGroup(size: 2).run { communicator -> [[Float]] in
            let context = try Context(backend: .cpu, threads: 1)
            let layer = try BatchNorm2D(features: 3, on: context)
            layer.synchronizer = SynchronizedBatchNorm(communicator: communicator)
            let slice = (communicator.rank * half)..<((communicator.rank + 1) * half)
            return try self.run(layer, x: Array(v.x[slice]), dy: Array(v.dy[slice]), shape: part, gamma: v.gamma, beta: v.beta,
                                on: context)
        }
        assertClose(plain[0], replicas[0][0] + replicas[1][0], "y")
        assertClose(plain[1], replicas[0][1] + replicas[1][1], "dx")
        assertClose(plain[2], zip(replicas[0][2], replicas[1][2]).map(+), "dgamma: the replicas' parts add up")
        assertClose(plain[3], zip(replicas[0][3], replicas[1][3]).map(+), "dbeta: the replicas' parts add up")
        for (index, what) in [(4, "running mean"), (5, "running variance")] {
            assertClose(plain[index], replicas[0][index], what)
            XCTAssertEqual(replicas[0][index], replicas[1][index], "\(what): the same on both replicas")
        }
    }

    func testEvaluationModeIgnoresTheSynchronizer() throws {
        let context = try Context(backend: .cpu, threads: 1)
        let layer = try BatchNorm2D(features: 3, on: context)
        layer.synchronizer = SynchronizedBatchNorm(communicator: ThreadGroup(size: 2).communicatorThatMustNotBeUsed())
        layer.isTraining = false
        let y = try layer(Tensor(values(seed: 3).x, shape: shape, on: context))
        XCTAssertEqual(y.shape, shape)
    }
}

extension ThreadGroup {
    /// Rank 0 of a group whose other ranks never come: any collective on it times out.
    func communicatorThatMustNotBeUsed() -> ThreadCommunicator { ThreadCommunicator(group: self, rank: 0) }
}
