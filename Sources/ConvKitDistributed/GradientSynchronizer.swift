import ConvKit
import ConvKitNN
import ConvKitTrain
import Foundation

/// Averages a model's gradients over the ranks of a ``Communicator`` every step, overlapping
/// the all-reduce with the backward pass: the ``ConvKitTrain/DataParallelSynchronizer`` that
/// ``ConvKitTrain/Trainer`` drives.
///
/// The gradients are grouped into buckets (``GradientBucketPlan``). As `backward()` reports a
/// parameter's gradient final (``gradientReady(_:)``), it is copied to the bucket's host staging
/// buffer (`ck_buffer_read`); a full bucket starts its non-blocking all-reduce (a sum) at once,
/// in bucket order on every rank, while the backward pass continues with the layers before it.
/// ``finishGradients()`` waits for every bucket (with the communicator's deadline), scales the
/// sums by 1/size and writes them back into the gradients (`ck_buffer_write`). ConvKit's devices
/// are OpenCL devices and the CPU, and no MPI reads OpenCL buffers, so the gradients always
/// pass through host memory.
///
/// One extra float rides with the last bucket: whether any rank asked to stop
/// (``localStopRequest``), so that every rank sees ``stopRequested`` at the same step.
public final class GradientSynchronizer: DataParallelSynchronizer {
    public let communicator: any Communicator
    public var rank: Int { communicator.rank }
    public var size: Int { communicator.size }
    public let plan: GradientBucketPlan
    /// Polled when the last bucket starts; true on any rank sets ``stopRequested`` on all.
    public var localStopRequest: () -> Bool = { false }
    /// True after a step in which some rank's ``localStopRequest`` returned true.
    public private(set) var stopRequested = false
    /// Where the time of the steps went on this rank.
    public private(set) var timings = StepTimings()

    private let model: any Module
    private let parameters: [Tensor]
    private let slotOfParameter: [ObjectIdentifier: Int]
    /// One host buffer per bucket; the last has the stop flag after its gradients.
    private let staging: [UnsafeMutableBufferPointer<Float>]
    private var staged: [Bool]
    private var filled: [Int]
    private var nextBucket = 0
    private var started: [any PendingCollective] = []
    private var step = 0
    private var stepStart: Double?
    private var stagingTime = 0.0
    private var communicationTime = 0.0
    private let fault: InjectedFault?

    /// Gradients of `model`'s parameters (``ConvKitNN/Module/namedParameters()``), in buckets of
    /// up to `bucketBytes` bytes (float32).
    public init(model: any Module, communicator: any Communicator, bucketBytes: Int = 25 << 20) throws {
        guard bucketBytes >= 4 else { throw DistributedError.mismatch("the gradient bucket size must be at least 4 bytes") }
        self.model = model
        self.communicator = communicator
        parameters = model.namedParameters().map(\.tensor)
        guard !parameters.isEmpty else { throw DistributedError.mismatch("the model has no parameters to train") }
        guard parameters.allSatisfy({ $0.dtype == .float32 }) else {
            throw DistributedError.mismatch("data-parallel training needs float32 parameters")
        }
        let plan = GradientBucketPlan(parameterCounts: parameters.map(\.count), capacity: bucketBytes / 4)
        let parameters = parameters
        self.plan = plan
        slotOfParameter = Dictionary(uniqueKeysWithValues: plan.slots.enumerated().map {
            (ObjectIdentifier(parameters[$0.element.parameter]), $0.offset)
        })
        staging = plan.bucketSizes.enumerated().map { bucket, floats in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: floats + (bucket == plan.bucketSizes.count - 1 ? 1 : 0))
            buffer.initialize(repeating: 0)
            return buffer
        }
        staged = Array(repeating: false, count: plan.slots.count)
        filled = Array(repeating: 0, count: plan.bucketSizes.count)
        if communicator.size > 1 {
            timings.bytesPerStep = (plan.bucketSizes.reduce(0, +) + 1) * 4
            timings.bucketsPerStep = plan.bucketSizes.count
        }
        fault = try InjectedFault.fromEnvironment()
    }

    deinit {
        // A bucket still in flight (a run that gave up) keeps its buffer: MPI may write to it.
        if started.isEmpty { for buffer in staging { buffer.deallocate() } }
    }

    public func gradientReady(_ parameter: Tensor) throws {
        guard size > 1, let index = slotOfParameter[ObjectIdentifier(parameter)] else { return }
        try stage(index)
        let start = monotonicSeconds()
        try startFullBuckets()
        for operation in started { _ = try operation.test() }
        communicationTime += monotonicSeconds() - start
    }

    public func finishGradients() throws {
        step += 1
        try fault?.strike(rank: rank, step: step)
        if size > 1 {
            for index in plan.slots.indices where !staged[index] { try stage(index) }
            let waitStart = monotonicSeconds()
            try startFullBuckets()
            try communicator.wait(started, for: "the gradient all-reduce of step \(step)")
            let waited = monotonicSeconds() - waitStart
            timings.waitSeconds.append(waited)
            communicationTime += waited
            started.removeAll()
            try writeAverages()
            stopRequested = staging[staging.count - 1].last! > 0
        } else {
            stopRequested = localStopRequest()
        }
        timings.stagingSeconds.append(stagingTime)
        timings.communicationSeconds.append(communicationTime)
        (stagingTime, communicationTime) = (0, 0)
        let now = monotonicSeconds()
        if let stepStart { timings.stepSeconds.append(now - stepStart) }
        stepStart = now
    }

    public func sum(_ values: [Double]) throws -> [Double] {
        try communicator.sum(values, for: "the sum of the training metrics")
    }

    public func synchronizeBuffers() throws {
        guard size > 1 else { return }
        let buffers = model.namedBuffers().map(\.tensor).filter { $0.dtype == .float32 }
        let total = buffers.reduce(0) { $0 + $1.count }
        guard total > 0 else { return }
        let host = UnsafeMutableBufferPointer<Float>.allocate(capacity: total)
        defer { host.deallocate() }
        var offset = 0
        for buffer in buffers {
            try buffer.copy(to: UnsafeMutableBufferPointer(rebasing: host[offset..<(offset + buffer.count)]))
            offset += buffer.count
        }
        try communicator.wait([communicator.startSum(host)], for: "the average of the batch-norm running statistics")
        let scale = 1 / Float(size)
        for i in host.indices { host[i] *= scale }
        offset = 0
        try withNoGrad {
            for buffer in buffers {
                try buffer.copy(from: UnsafeBufferPointer(rebasing: host[offset..<(offset + buffer.count)]))
                offset += buffer.count
            }
        }
    }

    /// Copies slot `index`'s gradient into its bucket's staging buffer.
    private func stage(_ index: Int) throws {
        let slot = plan.slots[index]
        guard !staged[index] else {
            throw DistributedError.mismatch("parameter \(slot.parameter)'s gradient was reported twice in step \(step + 1); "
                + "data-parallel training runs one backward pass per optimizer step")
        }
        guard let gradient = parameters[slot.parameter].grad else {
            throw DistributedError.mismatch("parameter \(modelParameterName(slot.parameter)) got no gradient in step \(step + 1): "
                + "data-parallel training needs every parameter to take part in every step on every process")
        }
        let start = monotonicSeconds()
        try gradient.copy(to: UnsafeMutableBufferPointer(rebasing: staging[slot.bucket][slot.offset..<(slot.offset + slot.count)]))
        stagingTime += monotonicSeconds() - start
        staged[index] = true
        filled[slot.bucket] += 1
    }

    /// Starts the all-reduce of every full bucket not yet started, in bucket order (a bucket
    /// that fills early waits for the ones before it, so every rank starts them in one order).
    private func startFullBuckets() throws {
        let perBucket = plan.parametersPerBucket
        while nextBucket < plan.bucketSizes.count, filled[nextBucket] == perBucket[nextBucket] {
            if nextBucket == plan.bucketSizes.count - 1 {
                staging[nextBucket][plan.bucketSizes[nextBucket]] = localStopRequest() ? 1 : 0
            }
            started.append(try communicator.startSum(staging[nextBucket]))
            nextBucket += 1
        }
    }

    /// Every gradient = its bucket's sum / size; then ready for the next step.
    private func writeAverages() throws {
        let start = monotonicSeconds()
        let scale = 1 / Float(size)
        for (bucket, floats) in plan.bucketSizes.enumerated() {
            for i in 0..<floats { staging[bucket][i] *= scale }
        }
        for slot in plan.slots {
            try parameters[slot.parameter].grad!.copy(
                from: UnsafeBufferPointer(rebasing: staging[slot.bucket][slot.offset..<(slot.offset + slot.count)]))
        }
        stagingTime += monotonicSeconds() - start
        staged = Array(repeating: false, count: plan.slots.count)
        filled = Array(repeating: 0, count: plan.bucketSizes.count)
        nextBucket = 0
    }

    private func modelParameterName(_ index: Int) -> String {
        let named = model.namedParameters()
        return named.indices.contains(index) ? named[index].name : "#\(index)"
    }
}
