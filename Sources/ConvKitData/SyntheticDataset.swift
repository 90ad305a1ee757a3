/// Seeded synthetic images for benchmarks and smoke tests: no files needed.
///
/// Each class has a prototype image of uniform [0, 1) pixels; a sample is
/// its class's prototype plus Gaussian noise (σ = `noise`), clamped to
/// [0, 1]. Labels cycle 0, 1, …, classes − 1, so classes are balanced, and a
/// network can learn them, which makes loss curves meaningful. The same
/// arguments give the same data everywhere (SplitMix64).
public struct SyntheticDataset: Sendable {
    public var trainCount: Int
    public var testCount: Int
    public var channels: Int
    public var height: Int
    public var width: Int
    public var classes: Int
    public var noise: Float
    public var seed: UInt64

    /// Defaults give CIFAR-sized data: 3×32×32, 10 classes.
    public init(trainCount: Int = 5000, testCount: Int = 1000, channels: Int = 3, height: Int = 32, width: Int = 32,
                classes: Int = 10, noise: Float = 0.3, seed: UInt64 = 0) {
        self.trainCount = trainCount
        self.testCount = testCount
        self.channels = channels
        self.height = height
        self.width = width
        self.classes = classes
        self.noise = noise
        self.seed = seed
    }

    /// "class 0", "class 1", …
    public var classNames: [String] { (0..<classes).map { "class \($0)" } }

    /// Both splits; `[trainCount, channels, height, width]` and `[testCount, …]`.
    public func make() throws -> DatasetSplits {
        guard trainCount > 0, testCount > 0, classes > 0, channels > 0, height > 0, width > 0, noise >= 0 else {
            throw DataError.invalidArgument("synthetic data needs positive counts, classes and image sizes, "
                + "and noise ≥ 0")
        }
        let imageSize = channels * height * width
        let prototypes = (0..<classes).map { label -> [Float] in
            var rng = SplitMix64(seed: seed, streams: RandomStream.synthetic, 0, UInt64(label))
            return (0..<imageSize).map { _ in rng.nextUnitFloat() }
        }
        func split(_ count: Int, stream: UInt64, name: String) throws -> Dataset {
            var images = [Float](repeating: 0, count: count * imageSize)
            for sample in 0..<count {
                var rng = SplitMix64(seed: seed, streams: RandomStream.synthetic, stream, UInt64(sample))
                let prototype = prototypes[sample % classes]
                for i in 0..<imageSize {
                    images[sample * imageSize + i] = min(max(prototype[i] + noise * rng.nextGaussian(), 0), 1)
                }
            }
            let labels = (0..<count).map { Int32($0 % classes) }
            return try Dataset(name: name, images: images, labels: labels, channels: channels, height: height,
                               width: width, classNames: classNames)
        }
        return try DatasetSplits(train: split(trainCount, stream: 1, name: "synthetic train"),
                                 test: split(testCount, stream: 2, name: "synthetic test"))
    }
}
