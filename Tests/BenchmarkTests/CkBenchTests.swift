import Foundation
import XCTest

/// ck-bench as a program: its shape catalog against the published sizes of the networks it
/// claims to cover, and a short real run whose JSON says which conv algorithm ran each pass.
final class CkBenchTests: XCTestCase {
    private struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// ck-bench, built by `swift build` next to the test bundle.
    private func executable() throws -> String {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [folder, folder.deletingLastPathComponent()].map { $0.appendingPathComponent("ck-bench").path }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "ck-bench is not built (looked in \(candidates)); `swift build` builds it")
        }
        return found
    }

    /// Runs ck-bench with `arguments` plus `--json FILE`; returns its exit status and the JSON.
    private func run(_ arguments: [String]) throws -> (Int32, [String: Any]) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ck-bench-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = arguments + ["--json", path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure(description: "ck-bench wrote JSON that is not an object")
        }
        return (process.terminationStatus, json)
    }

    private func entries(_ json: [String: Any], _ key: String) -> [[String: Any]] {
        json[key] as? [[String: Any]] ?? []
    }

    /// The catalog's layers of one network at batch 1 (each measured shape once, with its occurrences).
    private func layers(_ shapes: [[String: Any]], _ network: String) -> [[String: Any]] {
        shapes.filter { ($0["network"] as? String) == network && ($0["n"] as? Int) == 1 }
    }

    private func sum(_ layers: [[String: Any]], _ value: ([String: Any]) -> Double) -> Double {
        layers.reduce(0.0) { $0 + value($1) * Double($1["occurrences"] as? Int ?? 0) }
    }

    private func int(_ layer: [String: Any], _ key: String) -> Double { Double(layer[key] as? Int ?? 0) }

    /// Conv layers per network (occurrences summed) and their forward multiply-adds at batch 1,
    /// against the published counts: torchvision's ResNet-18 has 20 conv layers and 1.81 G
    /// multiply-adds, ResNet-50 53 and 4.09 G, MobileNetV2 52 and 0.30 G (torchvision's model
    /// tables, which include the final dense layer, as the catalog does). The 1% tolerance
    /// covers the rounding of the published figures to three digits.
    func testCatalogMatchesThePublishedSizesOfItsNetworks() throws {
        let (status, json) = try run(["--list", "--set", "catalog"])
        XCTAssertEqual(status, 0)
        let shapes = entries(json, "shapes")
        for (network, convs, gigaMACs) in [("resnet18", 20, 1.81), ("resnet50", 53, 4.09), ("mobilenetv2", 52, 0.30)] {
            let net = layers(shapes, network)
            XCTAssertEqual(sum(net.filter { ($0["kind"] as? String) == "conv2d" }) { _ in 1 }, Double(convs), network)
            let macs = sum(net.filter { ["conv2d", "gemm"].contains($0["kind"] as? String) }) { layer in
                ((layer["passes"] as? [String: Any])?["forward"] as? Double ?? 0) / 2
            }
            XCTAssertEqual(macs / 1e9, gigaMACs, accuracy: gigaMACs * 0.01, "\(network): forward multiply-adds")
        }
        XCTAssertTrue(shapes.contains { ($0["shape"] as? String) == "resnet50/layer3.0.conv2/b32" })
    }

    /// Parameters of the networks whose every parameterized layer is in the catalog (convs, dense
    /// layers, batch norms): exactly the counts their definitions state, ConvKit's LeNet5.swift
    /// (61,706) and FashionCNN.swift (4,337,514), whose convs and dense layers have biases, and
    /// torchvision's ResNet-18 (11,689,512), whose only bias is the dense layer's.
    func testCatalogHoldsEveryParameterOfItsSmallNetworksAndResNet18() throws {
        let (status, json) = try run(["--list", "--set", "catalog"])
        XCTAssertEqual(status, 0)
        let shapes = entries(json, "shapes")
        for (network, parameters, convBias) in [("lenet5", 61_706.0, true), ("fashion-cnn", 4_337_514, true),
                                                ("resnet18", 11_689_512, false)] {
            let count = sum(layers(shapes, network)) { layer in
                let (c, o) = (int(layer, "c"), int(layer, "o"))
                switch layer["kind"] as? String {
                case "conv2d":
                    let k = int(layer, "kernel")
                    return o * c / int(layer, "groups") * k * k + (convBias ? o : 0)
                case "gemm": return c * o + o
                case "batchnorm2d": return 2 * c
                default: return 0
                }
            }
            XCTAssertEqual(count, parameters, network)
        }
    }

    /// The ResNet stem (3 input channels, 7×7 stride 2) on the CPU backend: with AVX2 the direct
    /// kernels run forward and backward-weights and im2col + sgemm is measured beside them;
    /// backward-data has only im2col + sgemm.
    func testCPURunRecordsEachConvAlgorithmThatRunsAPass() throws {
        let (status, json) = try run(["--backend", "cpu", "--threads", "2", "--quick", "--repeats", "1", "--no-probes",
                                      "--filter", "conv7x7s2"])
        XCTAssertEqual(status, 0)
        let rows = entries(json, "results")
        let avx2 = (json["describe"] as? String)?.contains("AVX2") == true
        func algorithms(_ pass: String, chosen: Bool) -> [String] {
            rows.filter { ($0["pass"] as? String) == pass && ($0["chosen"] as? Bool) == chosen }
                .compactMap { $0["algorithm"] as? String }
        }
        XCTAssertEqual(algorithms("forward", chosen: true), [avx2 ? "direct" : "gemm"])
        XCTAssertEqual(algorithms("forward", chosen: false), avx2 ? ["gemm"] : [])
        XCTAssertEqual(algorithms("backward_weights", chosen: true), [avx2 ? "direct" : "gemm"])
        XCTAssertEqual(algorithms("backward_data", chosen: true), ["gemm"])
        XCTAssertEqual(algorithms("backward_data", chosen: false), [])
        for row in rows {
            XCTAssertTrue(row["error"] is NSNull, "\(row)")
            XCTAssertGreaterThan(row["rate"] as? Double ?? 0, 0, "\(row)")
            XCTAssertEqual(row["work"] as? Double, 2 * 1 * 64 * 112 * 112 * 3 * 49, "\(row)")
        }
        let machine = try XCTUnwrap(json["machine"] as? [String: Any])
        XCTAssertNotNil(machine["cpu_flags"] as? String)
        XCTAssertTrue(json["peaks"] is NSNull, "--no-probes measures no peaks")
    }
}
