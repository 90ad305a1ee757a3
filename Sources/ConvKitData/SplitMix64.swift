import Foundation

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a 64-bit state advanced by the golden-ratio
/// increment 0x9E3779B97F4A7C15, each output the state passed through a
/// two-multiply finalizer.
///
/// ConvKitData uses it for everything random (shuffling, augmentation,
/// synthetic data) so that a seed gives the same data on every machine and
/// every Swift version; the standard library's generators and its
/// `shuffled(using:)` algorithm make no such promise.
///
/// With seed 0 the first outputs are 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state.
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for one (epoch, sample) stream of `seed`: the seed and
    /// each index are mixed through the finalizer in turn, so nearby indices
    /// give unrelated streams and no stream depends on the order in which
    /// samples are visited or on the thread that visits them.
    public init(seed: UInt64, streams: UInt64...) {
        var mixed = SplitMix64.finalize(seed)
        for stream in streams {
            mixed = SplitMix64.finalize(mixed &+ 0x9E37_79B9_7F4A_7C15 &+ stream)
        }
        state = mixed
    }

    public mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        return SplitMix64.finalize(state)
    }

    /// Uniform in [0, 1) with 24 random bits (every value exactly representable).
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Uniform in [-magnitude, magnitude).
    public mutating func nextSymmetric(_ magnitude: Float) -> Float {
        (nextUnitFloat() * 2 - 1) * magnitude
    }

    /// Uniform in 0..<bound (bound > 0), by Lemire's multiply-and-reject method,
    /// so there is no modulo bias.
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "SplitMix64.nextIndex: bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Standard normal, by the Box–Muller transform.
    public mutating func nextGaussian() -> Float {
        let u1 = Double(next() >> 11) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        let radius = (-2 * log(1 - u1)).squareRoot()
        return Float(radius * cos(2 * Double.pi * u2))
    }

    private static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The order in which an epoch visits a data set's samples: `0..<count` when
/// `shuffle` is false, else a Fisher–Yates permutation drawn from
/// `SplitMix64(seed: seed, streams: RandomStream.shuffle, epoch)` — the same for the same
/// (count, seed, epoch) everywhere.
public func epochOrder(count: Int, seed: UInt64, epoch: Int, shuffle: Bool) -> [Int] {
    var order = Array(0..<count)
    guard shuffle, count > 1 else { return order }
    var rng = SplitMix64(seed: seed, streams: RandomStream.shuffle, UInt64(epoch))
    for i in stride(from: count - 1, to: 0, by: -1) {
        order.swapAt(i, rng.nextIndex(below: i + 1))
    }
    return order
}

/// The first stream index of each use of a seed, so that shuffling,
/// augmentation and synthetic data drawn from one seed are independent.
enum RandomStream {
    static let shuffle: UInt64 = 0
    static let augmentation: UInt64 = 1
    static let synthetic: UInt64 = 2
}
