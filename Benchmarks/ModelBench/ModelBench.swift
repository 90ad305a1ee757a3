import ArgumentParser
import CConvKit
import ConvKit
import Foundation

/// ck-model-bench: training-step and inference throughput (images/s) and peak memory of
/// ConvKitTrain's models at several batch sizes, on one device.
@main
struct ModelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ck-model-bench",
        abstract: "Model-level benchmark: training step and inference images/s and peak memory against batch size.",
        discussion: """
            Models: lenet5 (1×28×28), resnet20 and mobilenet (3×32×32), resnet18 (3×224×224, 1000 classes), \
            built by ConvKitTrain as `convkit train` builds them. A training step is forward, softmax \
            cross-entropy, backward and an SGD step (momentum 0.9); inference is a forward pass in evaluation \
            mode. Each configuration runs on a fresh context: warm-up steps, then the median of the timed \
            steps, the host waiting for the device after each. Peak memory: the process's peak resident size \
            (VmHWM, reset per configuration) and, on OpenCL, the device memory the pool holds.
            """
    )

    @Option(help: "Device spec: cpu, opencl, opencl:N or opencl:TEXT.")
    var device = "cpu"

    @Option(help: "Worker threads of the CPU backend (0 = one per core).")
    var threads: Int32 = 0

    @Option(help: "Models, comma separated (default: lenet5,resnet20,resnet18,mobilenet).")
    var models = ""

    @Option(help: "Batch sizes, comma separated, for every model (default: each model's own list).")
    var batches = ""

    @Option(help: "What to time: train, infer or both.")
    var modes = "train,infer"

    @Option(help: "Untimed steps first (programs built, memory pooled).")
    var warmup = 2

    @Option(help: "Timed steps per configuration.")
    var steps = 5

    @Option(help: "Fewer timed steps (not under 3) when they would take longer than this many seconds (0: never).")
    var budget = 20.0

    @Flag(help: "Small batches and 2 timed steps, for a smoke run.")
    var quick = false

    @Option(help: "Also write the results and machine details to this JSON file.")
    var json: String?

    mutating func validate() throws {
        guard warmup >= 1, steps >= 1 else { throw ValidationError("--warmup and --steps want at least 1") }
        guard threads >= 0, budget >= 0 else { throw ValidationError("--threads and --budget want 0 or more") }
    }

    func run() throws {
        let cases = try ModelCase.select(list(models))
        let chosenModes = try list(modes).map { name in
            guard let mode = StepMode(rawValue: name) else { throw ModelBenchError("--modes wants train and/or infer, not \"\(name)\"") }
            return mode
        }
        let batchOverride = try list(batches).map { text in
            guard let batch = Int(text), batch >= 1 else { throw ModelBenchError("--batches wants counts >= 1, not \"\(text)\"") }
            return batch
        }
        let (device, threads) = (self.device, self.threads)
        let makeContext = { try Context(device: device, threads: threads) }
        let probe = try makeContext()
        let describe = String(cString: ck_context_describe(probe.handle))
        let timer = StepTimer(makeContext: makeContext, warmup: warmup, steps: quick ? min(steps, 2) : steps, budget: budget)
        print("ConvKit \(String(cString: ck_version())) | \(describe) | \(RunDetails.cpuModel())"
            + (quick ? " | quick" : ""))
        print(ModelReport.tableHeader)
        var results: [StepResult] = []
        for model in cases {
            for batch in batchOverride.isEmpty ? (quick ? model.quickBatches : model.batches) : batchOverride {
                for mode in chosenModes {
                    let result = timer.measure(model, mode: mode, batch: batch)
                    print(ModelReport.tableRow(result))
                    fflush(stdout)
                    results.append(result)
                }
            }
        }
        if let json {
            let details: [String: Any] = [
                "tool": "ck-model-bench", "schema": 2, "framework": "convkit",
                "framework_version": String(cString: ck_version()), "backend": probe.backendName,
                "describe": describe, "threads": probe.threadCount, "warmup": warmup, "steps": timer.steps,
                "budget_s": budget, "quick": quick, "date": RunDetails.date(), "machine": RunDetails.machine(),
                "device": RunDetails.device(of: probe) ?? NSNull(),
            ]
            try ModelReport.write(details: details, results: results, to: json)
            print("wrote \(json)")
        }
        let failures = results.filter { $0.error != nil }.count
        if failures > 0 { throw ModelBenchError("\(failures) of \(results.count) configurations failed") }
    }

    private func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
