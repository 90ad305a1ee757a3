import Foundation
import XCTest

/// float32's unit roundoff, 2^-24.
let unitRoundoff = 0x1p-24

/// γ(k) = k·u / (1 − k·u): a float32 sum of k products errs by at most γ(k)·Σ|terms|, in any
/// order of summation (Higham, Accuracy and Stability of Numerical Algorithms, §3.1).
func gamma(_ k: Double) -> Double { k * unitRoundoff / (1 - k * unitRoundoff) }

/// Asserts |actual[i] − expected[i]| ≤ tolerance[i] for every element (shapes must match).
/// With CONVKIT_NN_VERBOSE set, prints the worst error and the worst error / tolerance ratio.
func assertClose(_ actual: [Double], _ expected: HostTensor, tolerance: [Double], _ label: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.values.count, tolerance.count == actual.count else {
        XCTFail("\(label): \(actual.count) values, expected \(expected.values.count) (tolerances \(tolerance.count))", file: file, line: line)
        return
    }
    var worstError = 0.0, worstRatio = 0.0, failures = 0, first: Int?
    for i in actual.indices {
        let error = abs(actual[i] - expected.values[i])
        worstError = max(worstError, error)
        if tolerance[i] > 0 { worstRatio = max(worstRatio, error / tolerance[i]) }
        if !(error <= tolerance[i]) {
            failures += 1
            if first == nil { first = i }
        }
    }
    if let first {
        XCTFail("\(label): \(failures) of \(actual.count) elements off; first at \(first): got \(actual[first]), PyTorch \(expected.values[first]), tolerance \(tolerance[first])",
                file: file, line: line)
    }
    if ProcessInfo.processInfo.environment["CONVKIT_NN_VERBOSE"] != nil {
        print(String(format: "%@: worst error %.3g, worst error/tolerance %.3g", label, worstError, worstRatio))
    }
}

/// `2·γ(k)·magnitude[i]` per element: two float32 implementations of the same sums, each
/// within γ(k)·Σ|terms| of the exact value, where `magnitude` bounds Σ|terms| element by element.
func sumTolerance(terms k: Double, magnitudes: [Double]) -> [Double] {
    magnitudes.map { 2 * gamma(k) * $0 }
}
