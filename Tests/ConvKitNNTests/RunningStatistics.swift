import ConvKit
import ConvKitNN
import XCTest

/// How far the two implementations' batch-norm running statistics may drift apart, step by step.
///
/// One training step moves running = (1 − momentum)·running + momentum·batch statistic. The
/// batch mean is a sum of m terms: each side errs by (m + 2)·u·E|x| on its own, and by the mean
/// of the input's error, 2γ(K_up)·S (S the input's magnitude from ``MagnitudeRun``, K_up the
/// term count of the layers before the batch norm, E|x| ≤ E S). The variance (any algorithm:
/// two-pass, Welford, E[x²] − μ²) errs by (m + 4)·u·(E[x²] + μ²) + 2|μ|·(m + 2)·u·E|x| on each
/// side, and by 2·E(|x − μ|·2γ(K_up)·S) from the input, then is scaled by m/(m − 1). The update itself adds 5u·Σ|terms| per side. Earlier
/// differences decay by (1 − momentum). Evaluation steps leave the statistics unchanged.
struct RunningStatisticsTracker {
    private(set) var meanTolerance: [String: [Double]] = [:]
    private(set) var varTolerance: [String: [Double]] = [:]

    /// The statistics each batch norm normalizes with in this step: the batch's (from our
    /// network's batch-norm inputs, in double) in training, the running ones in evaluation.
    func statistics(of calls: [LayerCall], state: [String: [Double]], training: Bool) throws -> [String: NormStatistics] {
        var result: [String: NormStatistics] = [:]
        for call in calls {
            guard let norm = call.layer as? BatchNorm2D else { continue }
            let shape = call.input.shape, channels = shape[1]
            let prefix = call.path.isEmpty ? "" : call.path + "."
            var mean = try XCTUnwrap(state[prefix + "running_mean"]), variance = try XCTUnwrap(state[prefix + "running_var"])
            var gain = Array(repeating: 1.0, count: channels)
            if training {
                let x = try call.input.toDoubles()
                for c in 0..<channels {
                    let values = channelValues(x, shape: shape, channel: c), m = Double(values.count)
                    mean[c] = values.reduce(0, +) / m
                    variance[c] = values.reduce(0) { $0 + ($1 - mean[c]) * ($1 - mean[c]) } / m
                    let normalized = values.map { abs($0 - mean[c]) / (variance[c] + norm.epsilon).squareRoot() }
                    gain[c] = 2 + normalized.max()! * normalized.reduce(0, +) / m
                }
            }
            result[call.path] = NormStatistics(mean: mean, variance: variance, epsilon: norm.epsilon,
                                               count: shape[0] * shape[2] * shape[3], gain: gain, training: training,
                                               runningMeanTolerance: meanTolerance[call.path] ?? Array(repeating: 0, count: channels),
                                               runningVarTolerance: varTolerance[call.path] ?? Array(repeating: 0, count: channels))
        }
        return result
    }

    /// Advances the tolerances over one training step; `state` holds the running statistics
    /// before it, `calls` our layer calls in order, `magnitudes` the batch norms' input magnitudes.
    mutating func update(_ norms: [String: NormStatistics], calls: [LayerCall], state: [String: [Double]],
                         magnitudes: MagnitudeRun) throws {
        let u = unitRoundoff
        var upstreamTerms = 0.0
        for call in calls {
            defer { upstreamTerms += termCount(call, norms: norms) }
            guard let norm = call.layer as? BatchNorm2D, let stats = norms[call.path], stats.training else { continue }
            let upstream = 2 * gamma(upstreamTerms), actual = try call.input.toDoubles()
            let prefix = call.path.isEmpty ? "" : call.path + "."
            let (oldMean, oldVar) = (try XCTUnwrap(state[prefix + "running_mean"]), try XCTUnwrap(state[prefix + "running_var"]))
            let input = try XCTUnwrap(magnitudes.normInputs[call.path])
            let (mom, m) = (norm.momentum, Double(stats.count)), unbias = m / (m - 1)
            var meanTol = stats.runningMeanTolerance, varTol = stats.runningVarTolerance
            for c in meanTol.indices {
                let s = channelValues(input.values, shape: input.shape, channel: c)
                let x = channelValues(actual, shape: input.shape, channel: c)
                let meanS = s.reduce(0, +) / m, meanS2 = s.reduce(0) { $0 + $1 * $1 } / m
                let dMean = (m + 2) * u * meanS
                let dVar = (m + 4) * u * 2 * meanS2 + 2 * meanS * dMean
                let fromInput = zip(x, s).reduce(0) { $0 + abs($1.0 - stats.mean[c]) * upstream * $1.1 } / m
                meanTol[c] = (1 - mom) * meanTol[c] + mom * (2 * dMean + upstream * meanS)
                    + 10 * u * ((1 - mom) * abs(oldMean[c]) + mom * abs(stats.mean[c]))
                varTol[c] = (1 - mom) * varTol[c] + mom * unbias * (2 * dVar + 2 * fromInput)
                    + 10 * u * ((1 - mom) * abs(oldVar[c]) + mom * stats.variance[c] * unbias)
            }
            meanTolerance[call.path] = meanTol
            varTolerance[call.path] = varTol
        }
    }

    /// The tolerance of a buffer of the state dict by its full name (0 for anything else).
    func tolerance(of name: String, count: Int) -> [Double] {
        let (path, key) = splitName(name)
        let stored = key == "running_mean" ? meanTolerance[path] : key == "running_var" ? varTolerance[path] : nil
        return stored ?? Array(repeating: 0, count: count)
    }
}

/// Every state-dict entry of `module` on the host.
func hostState(_ module: any Module) throws -> [String: [Double]] {
    var state: [String: [Double]] = [:]
    for (name, tensor) in module.stateDict() { state[name] = try tensor.toDoubles() }
    return state
}
