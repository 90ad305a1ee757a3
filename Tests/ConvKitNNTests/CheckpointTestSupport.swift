import ConvKit
import ConvKitNN
import Foundation
import XCTest

/// A folder of its own under the system's temporary folder, removed by ``remove()``.
struct ScratchFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-checkpoint-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// The names in the folder, sorted (temporary files included).
    func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The files under Tests/Fixtures/checkpoints.
func checkpointFixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/checkpoints/\(name)").path
}

/// The network of make_checkpoint_fixtures.py in ConvKit: conv1 (3→4, 3×3, no bias) → bn1 →
/// ReLU → layer1 (BasicBlock 4→4, BasicBlock 4→8 stride 2) → global pool → fc (8→10); the
/// child names are torchvision's, so the state dict has the same keys as PyTorch's.
final class TinyResNet: Module {
    let conv1: Conv2D, bn1: BatchNorm2D, layer1: Sequential, fc: Dense
    var isTraining = true

    init(seed: UInt64, on context: Context) throws {
        conv1 = try Conv2D(inChannels: 3, outChannels: 4, kernelSize: (3, 3), padding: .symmetric(1), useBias: false,
                           seed: derivedSeed(seed, 1), on: context)
        bn1 = try BatchNorm2D(features: 4, on: context)
        layer1 = Sequential([try BasicBlock(inChannels: 4, outChannels: 4, seed: derivedSeed(seed, 2), on: context),
                             try BasicBlock(inChannels: 4, outChannels: 8, stride: 2, seed: derivedSeed(seed, 3), on: context)])
        fc = try Dense(inFeatures: 8, outFeatures: 10, seed: derivedSeed(seed, 4), on: context)
    }

    var children: [(name: String, module: any Module)] { [("conv1", conv1), ("bn1", bn1), ("layer1", layer1), ("fc", fc)] }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try fc(layer1(bn1(conv1(x)).relu()).globalAvgPool2d().flattened())
    }
}

/// Every state-dict entry's values as exact bit patterns (float64 of each element), by name.
func stateBits(_ model: any Module) throws -> [String: [UInt64]] {
    var result: [String: [UInt64]] = [:]
    for (name, tensor) in model.stateDict() { result[name] = try tensor.toDoubles().map(\.bitPattern) }
    return result
}

/// A safetensors file made by hand: the 8-byte length of `header`, `header` (UTF-8), `data`.
func craftedSafetensors(header: String, data: [UInt8]) -> [UInt8] {
    let json = Array(header.utf8)
    return withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json + data
}

/// Asserts that `body` throws a ``CheckpointError`` of `kind` whose message contains every
/// one of `fragments`.
func assertCheckpointError<T>(_ kind: CheckpointError.Kind, _ fragments: [String], file: StaticString = #filePath,
                              line: UInt = #line, _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("no error; expected one saying \(fragments)", file: file, line: line)
    } catch let error as CheckpointError {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "\"\(error)\" does not mention \"\(fragment)\"", file: file, line: line)
        }
    } catch {
        XCTFail("\(error) is not a CheckpointError", file: file, line: line)
    }
}
