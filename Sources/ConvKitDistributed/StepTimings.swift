/// Where the time of data-parallel steps went, as ``GradientSynchronizer`` measured it on this
/// rank: the wall time of each step (from the end of one gradient synchronization to the
/// end of the next), the part of it spent copying gradients between the device and the host
/// staging buffers, the part spent waiting for all-reduces that had not finished when the
/// backward pass did, and all of the time inside MPI calls (that wait, plus starting and
/// polling the all-reduces during backward, where MPI moves data too).
public struct StepTimings: Sendable {
    /// Wall seconds of each step after the first (the first has no start mark).
    public internal(set) var stepSeconds: [Double] = []
    /// Seconds of each step blocked in the final wait for the gradient all-reduces.
    public internal(set) var waitSeconds: [Double] = []
    /// Seconds of each step copying gradients device → host and back (with the averaging).
    public internal(set) var stagingSeconds: [Double] = []
    /// Seconds of each step inside the communicator's calls: starting and polling the
    /// all-reduces during backward, and the final wait.
    public internal(set) var communicationSeconds: [Double] = []
    /// Bytes each rank contributes to one step's all-reduces (0 for a single rank, which reduces nothing).
    public internal(set) var bytesPerStep = 0
    /// Buckets (all-reduce calls) per step.
    public internal(set) var bucketsPerStep = 0

    /// The median of `values` (0 when empty).
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The figures as a JSON object (medians over the measured steps, after skipping
    /// `warmupSteps` of them).
    public func json(warmupSteps: Int) -> String {
        let steps = Array(stepSeconds.dropFirst(warmupSteps))
        let waits = Array(waitSeconds.dropFirst(warmupSteps + 1))
        let staging = Array(stagingSeconds.dropFirst(warmupSteps + 1))
        let communication = Array(communicationSeconds.dropFirst(warmupSteps + 1))
        let step = StepTimings.median(steps), wait = StepTimings.median(waits)
        let inCalls = StepTimings.median(communication)
        func number(_ value: Double) -> String { String(format: "%.6g", value) }
        return """
            {"measured_steps": \(steps.count), "median_step_s": \(number(step)), "median_allreduce_wait_s": \(number(wait)), \
            "median_staging_s": \(number(StepTimings.median(staging))), "allreduce_wait_share": \(number(step > 0 ? wait / step : 0)), \
            "median_communication_s": \(number(inCalls)), "communication_share": \(number(step > 0 ? inCalls / step : 0)), \
            "bytes_per_step": \(bytesPerStep), "buckets_per_step": \(bucketsPerStep)}
            """
    }
}
