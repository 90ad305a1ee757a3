import CConvKit
import ConvKit
import ConvKitTestSupport
import XCTest

/// A backend, dtype, finite-difference step and tolerance for gradient checks.
///
/// Check: for L = Σ r ⊙ f(inputs) with fixed random r, the gradient from `backward()` must match
/// the central difference (L(x+h) − L(x−h)) / (2h) per input element, within
/// |analytic − numeric| ≤ tolerance · (1 + |numeric|).
struct Precision {
    let name: String
    let backend: Backend
    let dtype: DType
    let step: Double
    let tolerance: Double

    /// The reference backend computing in float64 (naive loops, double accumulation).
    /// h = 1e-5: the truncation error of central differences is h²/6 · |L'''| ≈ 2e-9 for
    /// |L'''| ≤ 100 (the sharpest case here is batch norm over 8 values); rounding adds
    /// ~ u·|L|/h ≈ 1e-16 · 10 / 1e-5 = 1e-10. A tolerance of 1e-6 leaves a factor of several
    /// hundred above both while a wrong rule (a missing factor, a transposed index) errs by > 1e-2;
    /// a rule off by 0.1% fails here. Measured worst: 3e-9 (the small network end to end).
    static let float64Reference = Precision(name: "reference/float64", backend: .reference, dtype: .float64,
                                            step: 1e-5, tolerance: 1e-6)

    /// The CPU backend in float32, what training runs on. h = 1e-2: each output carries a
    /// rounding error of about √k · u · |y| (u = 6e-8, k ≤ 72 accumulated terms), so L carries
    /// ~ √(outputs) · that ≈ 1e-5 at most here, which over 2h gives ≤ 5e-4; truncation adds
    /// h²/6 · |L'''| ≈ 2e-4 for |L'''| ≤ 10 (inputs keep away from the kinks of relu and max
    /// by ≥ 5h). The step actually taken is measured from the float32-rounded inputs. A tolerance
    /// of 3e-3 is about 4× the sum of both, still below the error of a rule off by 1%.
    /// Measured worst: 3e-5 (conv2d); the bounds above are worst cases.
    static let float32CPU = Precision(name: "cpu/float32", backend: .cpu, dtype: .float32, step: 1e-2, tolerance: 3e-3)

    /// The OpenCL backend in float32 (PoCL in CI), with the CPU's step and tolerance: the
    /// rounding bound above holds for any order of summation, and OpenCL C's exp and tanh are
    /// within 3 and 5 ulp (OpenCL 1.2, §7.4), which moves L by ~1e-6 relatively, far below it.
    static let float32OpenCL = Precision(name: "opencl/float32", backend: .opencl, dtype: .float32, step: 1e-2, tolerance: 3e-3)

    /// Runs `body` for every precision: float64 on the reference backend, float32 on the CPU,
    /// then float32 on OpenCL unless `CONVKIT_TEST_BACKENDS` leaves it out. Throws (the test
    /// fails) after the others when OpenCL is required and this machine has no OpenCL device.
    static func forEach(_ body: (Precision) throws -> Void) throws {
        try body(float64Reference)
        try body(float32CPU)
        if try TestBackends.openCLRequired() { try body(float32OpenCL) }
    }
}

/// An input of a gradient check: its shape and starting values.
struct GradInput {
    let shape: [Int]
    let values: [Double]

    /// Uniform values in [low, high) from a seeded SplitMix64.
    static func uniform(_ shape: [Int], seed: UInt64, _ low: Double = -1, _ high: Double = 1) -> GradInput {
        var rng = SplitMix64(seed: seed)
        let n = shape.reduce(1, *)
        return GradInput(shape: shape, values: (0..<n).map { _ in low + (high - low) * rng.nextUnitInterval() })
    }

    /// Values at least `gap` from zero, of random sign (for relu and leaky relu, whose kink is at 0).
    static func awayFromZero(_ shape: [Int], seed: UInt64, gap: Double = 0.1) -> GradInput {
        let u = uniform(shape, seed: seed, -1, 1)
        return GradInput(shape: shape, values: u.values.map { $0 < 0 ? $0 * (1 - gap) - gap : $0 * (1 - gap) + gap })
    }

    /// A random permutation of k · `spacing` (k = 0, 1, ...), centred: all distinct, so max pooling
    /// keeps its argmax under a perturbation smaller than spacing / 2.
    static func distinct(_ shape: [Int], seed: UInt64, spacing: Double = 0.1) -> GradInput {
        var rng = SplitMix64(seed: seed)
        let n = shape.reduce(1, *)
        let values = (0..<n).map { (Double($0) - Double(n) / 2) * spacing }.shuffled(using: &rng)
        return GradInput(shape: shape, values: values)
    }
}

/// Compares the gradients `backward()` gives for `f` with central differences, on `precision`'s
/// backend and dtype. `f` gets the context and one fresh tensor per input; it may build other,
/// non-differentiable tensors (labels, running statistics) itself.
func checkGradients(_ precision: Precision, _ label: String, _ inputs: [GradInput],
                    file: StaticString = #filePath, line: UInt = #line,
                    _ f: (Context, [Tensor]) throws -> Tensor) throws {
    let context = try Context(backend: precision.backend, threads: 2)
    let make = { (values: [[Double]]) in
        try zip(inputs, values).map { try Tensor(doubles: $1, shape: $0.shape, dtype: precision.dtype, on: context) }
    }
    let leaves = try make(inputs.map(\.values)).map { try $0.requiringGrad() }
    let y = try f(context, leaves)
    var rng = SplitMix64(seed: 0x5eed)
    let weights = (0..<y.count).map { _ in 2 * rng.nextUnitInterval() - 1 }
    let seed = try Tensor(doubles: weights, shape: y.shape, dtype: precision.dtype, on: context)
    try y.backward(gradient: seed)
    let first = try leaves.map { try $0.grad?.toDoubles() }
    // A second backward must add the same gradients again: the rules' beta = 1 paths.
    try y.backward(gradient: seed)
    for (leaf, once) in zip(leaves, first) {
        guard let once, let twice = try leaf.grad?.toDoubles() else { continue }
        for (a, b) in zip(once, twice) where abs(b - 2 * a) > 1e-5 * (1 + abs(2 * a)) {
            XCTFail("\(label) [\(precision.name)]: a second backward gave \(b), not 2 × \(a)", file: file, line: line)
            return
        }
    }

    /// L at the given input values, without recording.
    func loss(_ values: [[Double]]) throws -> Double {
        let out = try withNoGrad { try f(context, try make(values)).toDoubles() }
        return zip(out, weights).reduce(0) { $0 + $1.0 * $1.1 }
    }
    /// `value` rounded to the dtype, as the tensor will hold it.
    let stored = { (value: Double) in precision.dtype == .float32 ? Double(Float(value)) : value }

    var worst = 0.0
    for (i, input) in inputs.enumerated() {
        let analytic = first[i] ?? Array(repeating: 0, count: input.values.count)
        XCTAssertEqual(leaves[i].grad?.shape ?? input.shape, input.shape, "\(label): gradient shape", file: file, line: line)
        for j in input.values.indices {
            var plus = inputs.map(\.values), minus = plus
            plus[i][j] = stored(input.values[j] + precision.step)
            minus[i][j] = stored(input.values[j] - precision.step)
            let numeric = (try loss(plus) - loss(minus)) / (plus[i][j] - minus[i][j])
            let error = abs(analytic[j] - numeric) / (1 + abs(numeric))
            worst = max(worst, error)
            if error > precision.tolerance {
                XCTFail("\(label) [\(precision.name)]: input \(i) element \(j): backward \(analytic[j]), finite difference \(numeric)",
                        file: file, line: line)
                return
            }
        }
    }
    // Every op ran on the backend under test: none was handed to the CPU backend.
    for op in (0..<CK_OP_COUNT.rawValue).map({ ck_op(rawValue: $0) }) where try context.cpuFallbackCount(of: op) > 0 {
        XCTFail("\(label) [\(precision.name)]: \(String(cString: ck_op_name(op))) ran on the CPU backend", file: file, line: line)
    }
    if ProcessInfo.processInfo.environment["CONVKIT_GRADCHECK_VERBOSE"] != nil {
        print("gradcheck \(label) [\(precision.name)]: worst scaled error \(worst)")
    }
}
