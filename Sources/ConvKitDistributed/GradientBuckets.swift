/// How the gradients of a model's parameters are grouped for the all-reduce: buckets of
/// consecutive parameters in reverse registration order — the order a backward pass usually
/// finishes them, last layer first — each up to `capacity` floats (a parameter larger than that
/// gets a bucket of its own). Bucket 0 is the first to fill during backward.
public struct GradientBucketPlan: Equatable, Sendable {
    /// Where one parameter's gradient lives in the host staging buffers.
    public struct Slot: Equatable, Sendable {
        /// Index into the parameters given to ``init(parameterCounts:capacity:)``.
        public var parameter: Int
        public var bucket: Int
        /// First float of the parameter in its bucket.
        public var offset: Int
        public var count: Int
    }

    /// Slots in bucket order: bucket 0's parameters first, each bucket's in the order they fill.
    public let slots: [Slot]
    /// Floats in each bucket.
    public let bucketSizes: [Int]

    /// `parameterCounts`: the element count of each parameter in registration order
    /// (``ConvKitNN/Module/namedParameters()``). `capacity` ≥ 1 floats per bucket.
    public init(parameterCounts: [Int], capacity: Int) {
        var slots: [Slot] = []
        var sizes: [Int] = []
        for parameter in parameterCounts.indices.reversed() {
            let count = parameterCounts[parameter]
            if sizes.isEmpty || (sizes[sizes.count - 1] > 0 && sizes[sizes.count - 1] + count > capacity) { sizes.append(0) }
            slots.append(Slot(parameter: parameter, bucket: sizes.count - 1, offset: sizes[sizes.count - 1], count: count))
            sizes[sizes.count - 1] += count
        }
        self.slots = slots
        bucketSizes = sizes
    }

    /// Parameters in each bucket.
    public var parametersPerBucket: [Int] {
        bucketSizes.indices.map { bucket in slots.filter { $0.bucket == bucket }.count }
    }
}
