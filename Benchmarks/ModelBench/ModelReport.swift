import Foundation

/// The model benchmark's table and JSON file (the format Benchmarks/torch_model_peer.py writes
/// too, and Benchmarks/report.py and regress.py read).
enum ModelReport {
    static let tableHeader = "model      mode   batch  steps  median ms      min ms      max ms   images/s  peak RSS MiB  device MiB"

    static func tableRow(_ r: StepResult) -> String {
        let head = r.model.padding(toLength: 10, withPad: " ", startingAt: 0) + " "
            + r.mode.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0) + String(format: " %6d ", r.batch)
        if let error = r.error { return head + "FAILED: \(error)" }
        let mib = { (bytes: UInt64?) in bytes.map { String(format: "%12.1f", Double($0) / 1_048_576) } ?? String(repeating: " ", count: 11) + "-" }
        return head + String(format: "%6d %10.3f %11.3f %11.3f %10.1f ", r.steps, r.medianSeconds * 1e3, r.minSeconds * 1e3,
                             r.maxSeconds * 1e3, r.imagesPerSecond ?? 0) + mib(r.peakResidentBytes) + mib(r.deviceBytes)
    }

    static func row(_ r: StepResult) -> [String: Any] {
        let ms = { (seconds: Double) -> Any in r.error == nil ? seconds * 1e3 : NSNull() }
        return [
            "model": r.model, "input": [r.input.channels, r.input.height, r.input.width], "classes": r.input.classes,
            "mode": r.mode.rawValue, "batch": r.batch, "steps": r.steps, "median_ms": ms(r.medianSeconds),
            "min_ms": ms(r.minSeconds), "max_ms": ms(r.maxSeconds), "images_per_s": r.imagesPerSecond ?? NSNull(),
            "peak_rss_bytes": r.peakResidentBytes ?? NSNull(),
            "peak_rss_scope": r.peakIsPerConfiguration ? "configuration" : "process",
            "device_bytes": r.deviceBytes ?? NSNull(), "error": r.error ?? NSNull(),
        ]
    }

    static func write(details: [String: Any], results: [StepResult], to path: String) throws {
        var document = details
        document["results"] = results.map(row)
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        guard FileManager.default.createFile(atPath: path, contents: data + Data("\n".utf8)) else {
            throw ModelBenchError("cannot write \(path)")
        }
    }
}
