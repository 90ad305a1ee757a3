import CConvKit
import ConvKit
import ConvKitNN
import ConvKitTrain
import Foundation

/// One measured configuration: a model, a mode and a batch size.
struct StepResult {
    let model: String
    let input: ModelInput
    let mode: StepMode
    let batch: Int
    var steps = 0
    var medianSeconds = 0.0, minSeconds = 0.0, maxSeconds = 0.0
    /// Peak resident memory of the process while this configuration ran (or since the start).
    var peakResidentBytes: UInt64?
    var peakIsPerConfiguration = false
    /// The context's device memory at the end: live + pooled, the OpenCL pool's footprint (never
    /// below the peak of live bytes, the pool keeps what is freed); nil on the CPU backend.
    var deviceBytes: UInt64?
    var error: String?

    var imagesPerSecond: Double? { error == nil && medianSeconds > 0 ? Double(batch) / medianSeconds : nil }
}

/// Times training steps or inference passes of a model on a fresh context (so its memory
/// counters belong to this configuration alone): `warmup` untimed steps, then up to `steps`
/// timed ones, fewer (not under 3) when they would take longer than `budget` seconds by the
/// last warm-up step. The host waits for the device after every step (`ck_context_finish`).
struct StepTimer {
    let makeContext: () throws -> Context
    let warmup: Int
    let steps: Int
    let budget: Double

    func measure(_ model: ModelCase, mode: StepMode, batch: Int) -> StepResult {
        var result = StepResult(model: model.name, input: model.input, mode: mode, batch: batch)
        result.peakIsPerConfiguration = MemoryProbe.resetPeak()
        do {
            let context = try makeContext()
            let step = try makeStep(model, mode: mode, batch: batch, on: context)
            var last = 0.0
            for _ in 0..<warmup { last = try timed(step, context) }
            let count = budget > 0 && steps > 3 && last * Double(steps) > budget ? max(3, Int(budget / last)) : steps
            var samples = try (0..<count).map { _ in try timed(step, context) }
            samples.sort()
            result.steps = count
            result.minSeconds = samples.first ?? 0
            result.maxSeconds = samples.last ?? 0
            result.medianSeconds = count % 2 == 1 ? samples[count / 2] : (samples[count / 2 - 1] + samples[count / 2]) / 2
            if context.backendName == "opencl" {
                let memory = try context.memoryStatistics()
                result.deviceBytes = memory.liveBytes + memory.pooledBytes
            }
        } catch {
            result.error = "\(error)"
        }
        result.peakResidentBytes = MemoryProbe.peakResidentBytes()
        return result
    }

    private func timed(_ step: () throws -> Void, _ context: Context) throws -> Double {
        let start = Date()
        try step()
        try context.check(ck_context_finish(context.handle))
        return Date().timeIntervalSince(start)
    }

    /// Builds the model, a batch of seeded images in [-1, 1) and labels, and returns one step.
    private func makeStep(_ model: ModelCase, mode: StepMode, batch: Int, on context: Context) throws -> () throws -> Void {
        let network = try model.kind.make(for: model.input, seed: 1, on: context)
        let shape = model.input.batchShape(batch)
        var random = SeededRandom(seed: 7)
        let x = try Tensor((0..<shape.reduce(1, *)).map { _ in random.uniform() }, shape: shape, on: context)
        let labels = try Tensor(labels: (0..<batch).map { Int32($0 % model.input.classes) }, on: context)
        switch mode {
        case .infer:
            network.eval()
            return { _ = try withNoGrad { try network(x) } }
        case .train:
            network.train()
            let optimizer = try SGD(network.namedParameters(), learningRate: 0.01, momentum: 0.9)
            return {
                let loss = try Loss.softmaxCrossEntropy(logits: network(x), labels: labels)
                optimizer.zeroGrad()
                try loss.backward()
                try optimizer.step()
            }
        }
    }
}

/// Values in [-1, 1) from a 64-bit LCG (the top 24 bits make the float), as ck-bench fills its inputs.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }

    mutating func uniform() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(Double(state >> 40) / Double(1 << 24) * 2 - 1)
    }
}
