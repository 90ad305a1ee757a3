import ConvKitNN
import XCTest

/// First-order bounds of how far one optimizer update of ConvKit and of PyTorch may land apart
/// when both start from the same parameter, given how far their gradients may be apart (`dg`,
/// element by element) and how far their optimizer states already are (kept here per parameter).
///
/// Each float32 operation rounds once per side, so an operation with result r adds 2·u·|r| (2u
/// per side for a product or quotient feeding a sum, counted per operand); errors in operands
/// propagate through the update's partial derivatives, evaluated at ConvKit's values. The square
/// root of v uses |√a − √b| ≤ min(|a − b| / (2√a), √|a − b|); a maximum (AMSGrad's vmax) is
/// 1-Lipschitz in each operand, so its error is the larger of theirs.
struct OptimizerErrorModel {
    let kind: String
    let config: FixtureCase
    /// Per parameter and state key, how far the two states may be apart.
    private var stateError: [String: [String: [Double]]] = [:]

    init(_ config: FixtureCase) throws {
        self.config = config
        kind = try config.string("optimizer")
    }

    /// The tolerance of the parameter after one update. `p` is the parameter before it, `g`
    /// ConvKit's gradient (after clipping), `old` / `new` the state before and after (missing
    /// keys are zeros), `t` the parameter's update count, `lr` the rate used.
    mutating func parameterTolerance(name: String, p: [Double], g: [Double], dg: [Double], old: [String: [Double]],
                                     new: [String: [Double]], t: Int, lr: Double) throws -> [Double] {
        let u = unitRoundoff, n = p.count
        let zeros = [Double](repeating: 0, count: n)
        var errors = stateError[name] ?? [:]
        func state(_ values: [String: [Double]], _ key: String) -> [Double] { values[key] ?? zeros }
        /// A state tensor the update must have written: missing, the update is wrong, not the bound.
        func updated(_ key: String) throws -> [Double] { try XCTUnwrap(new[key], "\(name): the update wrote no \(key)") }
        let wd = try config.double("weight_decay")
        let decoupled = kind == "adamw"
        let gp = (0..<n).map { decoupled ? g[$0] : g[$0] + wd * p[$0] }
        let dgp = (0..<n).map { dg[$0] + (decoupled || wd == 0 ? 0 : 2 * 2 * u * (abs(g[$0]) + wd * abs(p[$0]))) }
        var tolerance = zeros
        switch kind {
        case "sgd":
            let (mu, damp, nesterov) = (try config.double("momentum"), try config.double("dampening"), config.bool("nesterov"))
            var direction = gp, dDirection = dgp
            if mu != 0 {
                let (bufOld, buf) = (state(old, "momentum_buffer"), try updated("momentum_buffer"))
                let first = old["momentum_buffer"] == nil
                let dBufOld = errors["momentum_buffer"] ?? zeros
                let dBuf = (0..<n).map { i in
                    first ? dgp[i] : mu * dBufOld[i] + (1 - damp) * dgp[i] + 2 * 3 * u * (mu * abs(bufOld[i]) + (1 - damp) * abs(gp[i]))
                }
                errors["momentum_buffer"] = dBuf
                direction = nesterov ? (0..<n).map { gp[$0] + mu * buf[$0] } : buf
                dDirection = nesterov ? (0..<n).map { dgp[$0] + mu * dBuf[$0] + 2 * 2 * u * (abs(gp[$0]) + mu * abs(buf[$0])) } : dBuf
            }
            tolerance = (0..<n).map { lr * dDirection[$0] + 2 * 2 * u * (abs(p[$0]) + lr * abs(direction[$0])) }
        case "adam", "adamw":
            let (b1, b2, eps) = (try config.double("beta1"), try config.double("beta2"), try config.double("eps"))
            let (mOld, vOld, m) = (state(old, "exp_avg"), state(old, "exp_avg_sq"), try updated("exp_avg"))
            let dm = updateMean(errors["exp_avg"] ?? zeros, dgp, mOld, gp, b1)
            var dv = updateSquares(errors["exp_avg_sq"] ?? zeros, dgp, vOld, gp, b2)
            (errors["exp_avg"], errors["exp_avg_sq"]) = (dm, dv)
            var v = try updated("exp_avg_sq")
            if config.bool("amsgrad") {
                let dvmax = zip(errors["max_exp_avg_sq"] ?? zeros, dv).map { max($0, $1) }
                errors["max_exp_avg_sq"] = dvmax
                (v, dv) = (try updated("max_exp_avg_sq"), dvmax)
            }
            let (bc1, bc2) = (1 - pow(b1, Double(t)), 1 - pow(b2, Double(t)))
            tolerance = (0..<n).map { i in
                let pp = decoupled ? p[i] * (1 - lr * wd) : p[i], dpp = decoupled ? 2 * u * abs(p[i]) : 0
                let (root, dRoot) = sqrtWithError(v[i], dv[i])
                let denom = root / bc2.squareRoot() + eps
                let dDenom = dRoot / bc2.squareRoot() + 2 * 2 * u * denom
                let update = lr / bc1 * m[i] / denom
                let dUpdate = lr / bc1 * (dm[i] / denom + abs(m[i]) * dDenom / (denom * denom)) + 2 * 3 * u * abs(update)
                return dpp + dUpdate + 2 * u * (abs(pp) + abs(update))
            }
        default: // rmsprop
            let (alpha, eps, mu) = (try config.double("alpha"), try config.double("eps"), try config.double("momentum"))
            let (vOld, v) = (state(old, "square_avg"), try updated("square_avg"))
            let dv = updateSquares(errors["square_avg"] ?? zeros, dgp, vOld, gp, alpha)
            errors["square_avg"] = dv
            // Centered: the variance v − ḡ², whose error adds 2|ḡ|·dḡ + dḡ² and two roundings a side.
            var variance = v, dVariance = dv
            if config.bool("centered") {
                let (aOld, a) = (state(old, "grad_avg"), try updated("grad_avg"))
                let da = updateMean(errors["grad_avg"] ?? zeros, dgp, aOld, gp, alpha)
                errors["grad_avg"] = da
                variance = (0..<n).map { v[$0] - a[$0] * a[$0] }
                dVariance = (0..<n).map { dv[$0] + 2 * abs(a[$0]) * da[$0] + da[$0] * da[$0] + 2 * 2 * u * (v[$0] + a[$0] * a[$0]) }
            }
            var direction = zeros, dDirection = zeros
            for i in 0..<n {
                let (root, dRoot) = sqrtWithError(max(variance[i], 0), dVariance[i])
                let denom = root + eps, dDenom = dRoot + 2 * u * denom
                direction[i] = gp[i] / denom
                dDirection[i] = dgp[i] / denom + abs(gp[i]) * dDenom / (denom * denom) + 2 * u * abs(direction[i])
            }
            if mu > 0 {
                let (bufOld, buf, dBufOld) = (state(old, "momentum_buffer"), try updated("momentum_buffer"), errors["momentum_buffer"] ?? zeros)
                dDirection = (0..<n).map { mu * dBufOld[$0] + dDirection[$0] + 2 * 2 * u * (mu * abs(bufOld[$0]) + abs(direction[$0])) }
                errors["momentum_buffer"] = dDirection
                direction = buf
            }
            tolerance = (0..<n).map { lr * dDirection[$0] + 2 * 2 * u * (abs(p[$0]) + lr * abs(direction[$0])) }
        }
        stateError[name] = errors
        return tolerance
    }

    /// How far parameter `name`'s state `key` of the two sides may be apart now (nil: never updated).
    func stateTolerance(name: String, key: String) -> [Double]? { stateError[name]?[key] }

    /// m = β·m + (1 − β)·g: old error decays by β, the gradient's enters by (1 − β), three roundings.
    private func updateMean(_ dOld: [Double], _ dg: [Double], _ old: [Double], _ g: [Double], _ beta: Double) -> [Double] {
        (0..<g.count).map { beta * dOld[$0] + (1 - beta) * dg[$0] + 2 * 3 * unitRoundoff * (beta * abs(old[$0]) + (1 - beta) * abs(g[$0])) }
    }

    /// v = β·v + (1 − β)·g²: the square's error is 2|g|·dg + dg², four roundings.
    private func updateSquares(_ dOld: [Double], _ dg: [Double], _ old: [Double], _ g: [Double], _ beta: Double) -> [Double] {
        (0..<g.count).map { i in
            beta * dOld[i] + (1 - beta) * (2 * abs(g[i]) * dg[i] + dg[i] * dg[i])
                + 2 * 4 * unitRoundoff * (beta * old[i] + (1 - beta) * g[i] * g[i])
        }
    }

    /// √v and how far the two sides' square roots may be apart when their v are dv apart
    /// (plus the root's own rounding).
    private func sqrtWithError(_ v: Double, _ dv: Double) -> (Double, Double) {
        let root = v.squareRoot()
        let spread = root > 0 ? min(dv / (2 * root), dv.squareRoot()) : dv.squareRoot()
        return (root, spread + 2 * unitRoundoff * root)
    }
}
