import CConvKit
import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): the deterministic generator behind ``Tensor``'s random
/// factories. The stream depends only on the seed, so a seeded tensor is the same on every
/// backend and every run; 64-bit state, period 2^64, passes BigCrush.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose stream depends only on `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1): the top 53 bits of one draw.
    public mutating func nextUnitInterval() -> Double { Double(next() >> 11) * 0x1p-53 }
}

extension Tensor {
    /// A tensor holding `values` (row-major), converted to `dtype` (`ck_buffer_write`).
    public convenience init(_ values: [Float], shape: [Int], dtype: DType = .float32, on context: Context) throws {
        try self.init(doubles: values.map { Double($0) }, shape: shape, dtype: dtype, on: context)
    }

    /// A tensor holding `values` (row-major), converted to `dtype` (`ck_buffer_write`).
    public convenience init(doubles values: [Double], shape: [Int], dtype: DType = .float32, on context: Context) throws {
        try self.init(context, shape: shape, dtype: dtype)
        try write(values)
    }

    /// Class labels: an int32 tensor of shape (N) (`ck_buffer_write`).
    public convenience init(labels: [Int32], on context: Context) throws {
        try self.init(doubles: labels.map { Double($0) }, shape: [labels.count], dtype: .int32, on: context)
    }

    /// `value` everywhere: `ck_fill` for float32; a host write for float64 (`ck_fill` takes a
    /// float, which would round the value) and int32.
    public static func full(_ shape: [Int], value: Double, dtype: DType = .float32, on context: Context) throws -> Tensor {
        let t = try Tensor(context, shape: shape, dtype: dtype)
        if dtype == .float32 {
            try context.check(ck_fill(context.handle, Float(value), [t.view]))
        } else {
            try t.write(Array(repeating: value, count: t.count))
        }
        return t
    }

    /// Zeros (`ck_fill`).
    public static func zeros(_ shape: [Int], dtype: DType = .float32, on context: Context) throws -> Tensor {
        try full(shape, value: 0, dtype: dtype, on: context)
    }

    /// Ones (`ck_fill`).
    public static func ones(_ shape: [Int], dtype: DType = .float32, on context: Context) throws -> Tensor {
        try full(shape, value: 1, dtype: dtype, on: context)
    }

    /// Uniform values in [lower, upper) from ``SplitMix64`` seeded with `seed`: element i takes
    /// the i-th draw. Generated on the host in double precision, then rounded to `dtype`.
    public static func randomUniform(_ shape: [Int], lower: Double = 0, upper: Double = 1, seed: UInt64,
                                     dtype: DType = .float32, on context: Context) throws -> Tensor {
        guard lower < upper, lower.isFinite, upper.isFinite else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "randomUniform: needs finite lower < upper, got [\(lower), \(upper))")
        }
        let t = try Tensor(context, shape: shape, dtype: dtype)
        var rng = SplitMix64(seed: seed)
        try t.write((0..<t.count).map { _ in lower + (upper - lower) * rng.nextUnitInterval() })
        return t
    }

    /// Normal values (Box–Muller over ``SplitMix64`` seeded with `seed`: draws 2k and 2k+1 give
    /// elements 2k and 2k+1). Generated on the host in double precision, then rounded to `dtype`.
    public static func randomNormal(_ shape: [Int], mean: Double = 0, standardDeviation: Double = 1, seed: UInt64,
                                    dtype: DType = .float32, on context: Context) throws -> Tensor {
        guard standardDeviation >= 0, standardDeviation.isFinite, mean.isFinite else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "randomNormal: needs a finite mean and standard deviation >= 0, got \(mean), \(standardDeviation)")
        }
        let t = try Tensor(context, shape: shape, dtype: dtype)
        var rng = SplitMix64(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(t.count + 1)
        while values.count < t.count {
            let radius = (-2 * log(1 - rng.nextUnitInterval())).squareRoot() // 1 - u is in (0, 1]
            let angle = 2 * Double.pi * rng.nextUnitInterval()
            values.append(mean + standardDeviation * radius * cos(angle))
            values.append(mean + standardDeviation * radius * sin(angle))
        }
        try t.write(Array(values.prefix(t.count)))
        return t
    }
}
