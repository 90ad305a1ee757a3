import ConvKit
import ConvKitNN
import XCTest

/// Files written by the real `safetensors` library (Tests/Fixtures/checkpoints, made by
/// Tests/Fixtures/scripts/make_checkpoint_fixtures.py with PyTorch 1.13 and safetensors 0.8.0).
final class SafetensorsReferenceTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 2) }

    func testReadsEveryDtypeWrittenByTheReferenceLibrary() throws {
        let file = try SafetensorsFile.read(from: checkpointFixture("dtypes.safetensors"))
        XCTAssertEqual(Set(file.names), ["f32", "f64", "i32", "i64_scalar", "u8", "f16", "empty"])
        XCTAssertEqual(file.metadata["note"], "Grüße ✓")
        XCTAssertEqual(file.metadata["safetensors"], "0.8.0")
        XCTAssertEqual(file["f32"]?.shape, [2, 3])
        XCTAssertEqual(file["f32"]?.values(as: Float.self), [1.5, -2.25, 0, 3.0e-8, -1.0e30, 7])
        XCTAssertEqual(file["f64"]?.values(as: Double.self), [0.1, -1.0e300, .leastNonzeroMagnitude])
        XCTAssertEqual(file["i32"]?.values(as: Int32.self), [.max, .min, 0, -7])
        XCTAssertEqual(file["i64_scalar"]?.shape, [])
        XCTAssertEqual(file["i64_scalar"]?.scalar(as: Int64.self), 1 << 40 + 3)
        XCTAssertEqual(file["u8"]?.values(as: UInt8.self), [0, 1, 254, 255])
        XCTAssertEqual(file["f16"]?.dtype, .float16)
        XCTAssertEqual(file["f16"]?.bytes, [0x00, 0x3C, 0x00, 0xB8], "1.0 and -0.5 in IEEE half precision")
        XCTAssertEqual(file["empty"]?.shape, [0, 3])
        XCTAssertEqual(file["empty"]?.bytes, [])

        // Written back by ConvKit, the same tensors and metadata decode identically.
        let rewritten = try SafetensorsFile(decoding: try file.encoded(), file: "rewritten")
        XCTAssertEqual(rewritten.metadata, file.metadata)
        for name in file.names { XCTAssertEqual(rewritten[name], file[name], name) }
    }

    /// A PyTorch state dict saved by `safetensors.torch.save_file` loads 1:1 into the same
    /// architecture built from ConvKitNN layers — same names, shapes and dtypes (the int64
    /// `num_batches_tracked` included) — and the network then computes PyTorch's output.
    ///
    /// Tolerance: the output passes through five convolutions (sums of at most 72 products),
    /// four batch norms, a mean over 16 pixels and a dense layer, all in float32, in another
    /// summation order than PyTorch's: a few units of the last place (u = 2⁻²⁴ ≈ 6e-8) per
    /// layer on values of order 1, i.e. about 1e-6; 1e-5 absolute leaves ten times that. A
    /// tensor loaded in a wrong layout (a transposed kernel, swapped statistics) changes
    /// outputs by more than 1e-2.
    func testPyTorchStateDictLoadsAndComputesPyTorchsOutput() throws {
        let model = try TinyResNet(seed: 1, on: context)
        let checkpoint = try Checkpoint.loadWeights(from: checkpointFixture("tiny_resnet_state_dict.safetensors"), into: model)
        XCTAssertNil(checkpoint.info, "a plain state dict, not a ConvKit checkpoint")
        XCTAssertEqual(Set(checkpoint.contents.names), Set(model.stateDict().map(\.name)), "names map 1:1")
        for (name, tensor) in model.stateDict() {
            let stored = try XCTUnwrap(checkpoint.contents[name])
            XCTAssertEqual(stored.shape, tensor.shape, name)
            XCTAssertEqual(stored.dtype, name.hasSuffix("num_batches_tracked") ? .int64 : .float32, name)
        }
        XCTAssertEqual(try model.bn1.numBatchesTracked.item(), 3, "three training batches in PyTorch")
        XCTAssertEqual(try model.stateDict().first { $0.name == "layer1.1.downsample.1.running_var" }?.tensor.toArray(),
                       checkpoint.contents["layer1.1.downsample.1.running_var"]?.values(as: Float.self))

        let io = try SafetensorsFile.read(from: checkpointFixture("tiny_resnet_forward.safetensors"))
        let input = try XCTUnwrap(io["input"]).makeTensor(.float32, on: context)
        let expected = try XCTUnwrap(io["output"]?.values(as: Float.self))
        model.eval()
        let output = try model(input)
        XCTAssertEqual(output.shape, [2, 10])
        for (index, (value, reference)) in zip(try output.toArray(), expected).enumerated() {
            XCTAssertEqual(value, reference, accuracy: 1e-5, "output \(index)")
        }
    }

    /// ConvKit's own checkpoint of that network holds the same model tensors as PyTorch's file
    /// (its extra entries are under reserved prefixes), so PyTorch can load it with strict=False.
    func testConvKitCheckpointKeepsPyTorchsModelNames() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let model = try TinyResNet(seed: 1, on: context)
        try Checkpoint.loadWeights(from: checkpointFixture("tiny_resnet_state_dict.safetensors"), into: model)
        let path = scratch.file("convkit.safetensors")
        try Checkpoint.save(to: path, model: model, info: CheckpointInfo(modelName: "tiny-resnet"))
        let saved = try Checkpoint.read(from: path).contents
        let torch = try SafetensorsFile.read(from: checkpointFixture("tiny_resnet_state_dict.safetensors"))
        for name in torch.names { XCTAssertEqual(saved[name], torch[name], name) }
        let extra = Set(saved.names).subtracting(torch.names)
        XCTAssertTrue(extra.allSatisfy { $0.hasPrefix("training.") || $0.hasPrefix("optimizer.") || $0.hasPrefix("rng.") }, "\(extra)")
    }
}
