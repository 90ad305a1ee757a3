import CConvKit
import ConvKit
import ConvKitNN
import Foundation
import XCTest

/// Checkpoint files: what they hold and under which names, the checksum, and every refusal —
/// each leaving the model (and optimizer) as they were.
final class CheckpointTests: XCTestCase {
    private var context: Context!
    private var scratch: ScratchFolder!

    override func setUpWithError() throws {
        context = try Context(backend: .cpu, threads: 2)
        scratch = try ScratchFolder()
    }

    override func tearDown() { scratch.remove() }

    /// conv → batch norm → ReLU → dropout → pool → dense, trained `steps` steps with SGD (momentum).
    private func trainedSetup(steps: Int = 2, channels: Int = 4, dropoutSeed: UInt64 = 77)
        throws -> (model: Sequential, optimizer: SGD, cosine: CosineAnnealingLR) {
        let model = Sequential([
            try Conv2D(inChannels: 3, outChannels: channels, kernelSize: (3, 3), padding: .symmetric(1), seed: 1, on: context),
            try BatchNorm2D(features: channels, on: context), ReLU(), try Dropout(rate: 0.25, seed: dropoutSeed),
            GlobalAvgPool2D(), Flatten(), try Dense(inFeatures: channels, outFeatures: 3, seed: 2, on: context),
        ])
        let optimizer = try SGD(model.namedParameters(), learningRate: 0.1, momentum: 0.9)
        let cosine = try CosineAnnealingLR(optimizer, tMax: 10)
        for step in 0..<steps {
            let x = try Tensor.randomNormal([2, 3, 4, 4], seed: UInt64(step), on: context)
            let loss = try Loss.softmaxCrossEntropy(logits: model(x), labels: try Tensor(labels: [0, 2], on: context))
            optimizer.zeroGrad()
            try loss.backward()
            try optimizer.step()
            cosine.step()
        }
        return (model, optimizer, cosine)
    }

    private func save(_ setup: (model: Sequential, optimizer: SGD, cosine: CosineAnnealingLR), _ name: String = "run.safetensors",
                      info: CheckpointInfo = CheckpointInfo(modelName: "tiny")) throws -> String {
        let path = scratch.file(name)
        try Checkpoint.save(to: path, model: setup.model, optimizer: setup.optimizer, schedules: [setup.cosine], info: info)
        return path
    }

    func testContentsNamesAndInfo() throws {
        let setup = try trainedSetup()
        let info = CheckpointInfo(modelName: "tiny", dataset: "synthetic", config: "--lr 0.1 --epochs 10", epoch: 3, globalStep: 120,
                                  randomState: ["data.seed": .max, "augmentation.seed": 5])
        let checkpoint = try Checkpoint.read(from: try save(setup, info: info))
        XCTAssertEqual(checkpoint.info, info)
        XCTAssertEqual(checkpoint.info?.convKitVersion, String(cString: ck_version()))
        let metadata = checkpoint.contents.metadata
        XCTAssertEqual(metadata["convkit.format"], Checkpoint.formatVersion)
        XCTAssertEqual(metadata["convkit.optimizer"], "SGD")
        XCTAssertEqual(metadata["convkit.schedules"], "CosineAnnealingLR")
        XCTAssertEqual(metadata["convkit.config"], "--lr 0.1 --epochs 10")
        XCTAssertEqual(metadata["convkit.crc32"]?.count, 8)
        let c = checkpoint.contents
        XCTAssertEqual(c["1.num_batches_tracked"]?.scalar(as: Int64.self), 2, "int64 like PyTorch's")
        XCTAssertEqual(c["0.weight"]?.shape, [4, 3, 3, 3])
        XCTAssertEqual(c["optimizer.state.0.weight.momentum_buffer"]?.shape, [4, 3, 3, 3])
        XCTAssertEqual(c["optimizer.state.6.bias.step"]?.scalar(as: Int64.self), 2)
        XCTAssertEqual(c["optimizer.param_groups.0.lr"]?.scalar(as: Double.self), setup.optimizer.learningRate)
        XCTAssertEqual(c["optimizer.param_groups.0.initial_lr"]?.scalar(as: Double.self), 0.1)
        XCTAssertEqual(c["scheduler.0.last_epoch"]?.scalar(as: Int64.self), 2)
        XCTAssertEqual(c["scheduler.0.base_lr"]?.scalar(as: Double.self), 0.1)
        XCTAssertEqual(c["training.epoch"]?.scalar(as: Int64.self), 3)
        XCTAssertEqual(c["training.global_step"]?.scalar(as: Int64.self), 120)
        XCTAssertEqual(c["rng.data.seed"]?.scalar(as: Int64.self), -1, "UInt64.max as its I64 bit pattern")
        XCTAssertEqual(c["rng.dropout.3.seed"]?.scalar(as: Int64.self), 77)
        XCTAssertEqual(c["rng.dropout.3.offset"]?.scalar(as: Int64.self), 2 * 2 * 4 * 16, "two batches of 2·4·4·4 elements")
        XCTAssertEqual(try Checkpoint.read(from: try save(setup, "bare.safetensors", info: CheckpointInfo(modelName: "m"))).info?.randomState, [:])
    }

    func testDamagedFilesAreRefused() throws {
        let path = try save(try trainedSetup())
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let original = bytes
        bytes[bytes.count - 3] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        assertCheckpointError(.corrupt, [path, "checksum mismatch", "damaged or altered"]) { try Checkpoint.read(from: path) }
        try Data(original.dropLast(100)).write(to: URL(fileURLWithPath: path))
        assertCheckpointError(.corrupt, [path, "run past the data section"]) { try Checkpoint.read(from: path) }
        try Data(original.prefix(6)).write(to: URL(fileURLWithPath: path))
        assertCheckpointError(.corrupt, [path, "too few"]) { try Checkpoint.read(from: path) }
        assertCheckpointError(.io, ["nothing.safetensors", "cannot open"]) { try Checkpoint.read(from: scratch.file("nothing.safetensors")) }
    }

    /// Every mismatch is found before anything is changed: model, optimizer and schedule stay
    /// exactly as they were (also when only a later section of the file is wrong).
    func testMismatchesAreRefusedAndChangeNothing() throws {
        let saved = try trainedSetup(steps: 2)
        let path = try save(saved)
        let checkpoint = try Checkpoint.read(from: path)
        let target = try trainedSetup(steps: 1)
        let modelBefore = try stateBits(target.model)
        let optimizerBefore = try target.optimizer.namedState().map { try $0.tensor.toDoubles() }
        let rateBefore = target.optimizer.learningRate
        func assertUntouched(line: UInt = #line) throws {
            XCTAssertEqual(try stateBits(target.model), modelBefore, line: line)
            XCTAssertEqual(try target.optimizer.namedState().map { try $0.tensor.toDoubles() }, optimizerBefore, line: line)
            XCTAssertEqual(target.optimizer.learningRate, rateBefore, line: line)
            XCTAssertEqual(target.cosine.lastEpoch, 1, line: line)
            XCTAssertEqual((target.model.layers[3] as? Dropout)?.offset, 128, line: line)
        }

        assertCheckpointError(.mismatch, [path, "holds model \"tiny\", not \"resnet20\""]) {
            try checkpoint.restore(model: target.model, modelName: "resnet20", optimizer: target.optimizer, schedules: [target.cosine])
        }
        assertCheckpointError(.mismatch, ["holds optimizer SGD, but Adam was passed"]) {
            try checkpoint.restore(model: target.model, modelName: "tiny", optimizer: try Adam(target.model.namedParameters()),
                                   schedules: [target.cosine])
        }
        assertCheckpointError(.mismatch, ["holds optimizer SGD, but none was passed"]) {
            try checkpoint.restore(model: target.model, modelName: "tiny", optimizer: nil, schedules: [target.cosine])
        }
        assertCheckpointError(.mismatch, ["holds schedules [CosineAnnealingLR], but [StepLR] were passed"]) {
            try checkpoint.restore(model: target.model, modelName: "tiny", optimizer: target.optimizer,
                                   schedules: [try StepLR(SGD(target.model.namedParameters(), learningRate: 1), stepSize: 2)])
        }
        // The model part fits; the optimizer covers fewer parameters than the saved one.
        let partial = try SGD(Array(target.model.namedParameters().prefix(2)), learningRate: 0.1, momentum: 0.9)
        let partialCosine = try CosineAnnealingLR(partial, tMax: 10)
        assertCheckpointError(.mismatch, ["optimizer entries [optimizer.state.1.bias.momentum_buffer", "match no state of this SGD"]) {
            try checkpoint.restore(model: target.model, modelName: "tiny", optimizer: partial, schedules: [partialCosine])
        }
        // The model and optimizer fit; the dropout layer was seeded differently.
        let reseeded = try trainedSetup(steps: 1, dropoutSeed: 78)
        let reseededBefore = try stateBits(reseeded.model)
        assertCheckpointError(.mismatch, ["dropout layer 3 was seeded 77 in the checkpoint but 78 here"]) {
            try checkpoint.restore(model: reseeded.model, modelName: "tiny", optimizer: reseeded.optimizer, schedules: [reseeded.cosine])
        }
        XCTAssertEqual(try stateBits(reseeded.model), reseededBefore)
        // Another width: same names, other shapes.
        let wider = try trainedSetup(steps: 1, channels: 5)
        assertCheckpointError(.mismatch, ["tensor 0.weight is F32 [4, 3, 3, 3] in the file, but the model holds float32 [5, 3, 3, 3]"]) {
            try checkpoint.restore(model: wider.model, modelName: "tiny", optimizer: wider.optimizer, schedules: [wider.cosine])
        }
        try assertUntouched()

        try checkpoint.restore(model: target.model, modelName: "tiny", optimizer: target.optimizer, schedules: [target.cosine])
        XCTAssertEqual(try stateBits(target.model), try stateBits(saved.model))
        XCTAssertEqual(target.cosine.lastEpoch, 2)
    }

    /// loadWeights takes only the model, from a checkpoint or a plain state dict, and checks
    /// names, shapes and dtypes first.
    func testLoadWeightsChecksEveryTensorFirst() throws {
        let saved = try trainedSetup(steps: 2)
        let path = try save(saved)
        let fresh = try trainedSetup(steps: 0)
        try Checkpoint.loadWeights(from: path, into: fresh.model, modelName: "tiny")
        XCTAssertEqual(try stateBits(fresh.model), try stateBits(saved.model))
        XCTAssertEqual(fresh.optimizer.states.map(\.step), [0, 0, 0, 0, 0, 0], "the optimizer is not touched")
        assertCheckpointError(.mismatch, ["holds model \"tiny\", not \"lenet5\""]) {
            try Checkpoint.loadWeights(from: path, into: fresh.model, modelName: "lenet5")
        }
        assertCheckpointError(.mismatch, ["plain state dict", "loadWeights"]) {
            try Checkpoint.read(from: checkpointFixture("tiny_resnet_state_dict.safetensors"))
                .restore(model: fresh.model, modelName: "tiny", optimizer: nil)
        }

        let target = try trainedSetup(steps: 1)
        let before = try stateBits(target.model)
        func plain(_ edit: (inout [String: SafetensorsTensor]) throws -> Void) throws -> String {
            var tensors: [String: SafetensorsTensor] = [:]
            for (name, tensor) in saved.model.stateDict() { tensors[name] = try SafetensorsTensor(tensor, int32Storage: .int64) }
            try edit(&tensors)
            var file = SafetensorsFile()
            for name in tensors.keys.sorted() { try file.append(name, tensors[name]!) }
            let path = scratch.file("plain.safetensors")
            try file.write(to: path)
            return path
        }
        let missing = try plain { $0["6.bias"] = nil; $0["1.running_var"] = nil }
        assertCheckpointError(.mismatch, ["the model's [1.running_var, 6.bias] are missing"]) {
            try Checkpoint.loadWeights(from: missing, into: target.model)
        }
        let extra = try plain { $0["7.weight"] = try SafetensorsTensor([Float(1)], shape: [1]) }
        assertCheckpointError(.mismatch, ["[7.weight] is not in the model"]) { try Checkpoint.loadWeights(from: extra, into: target.model) }
        let wide = try plain { $0["0.weight"] = try SafetensorsTensor([Double](repeating: 0, count: 108), shape: [4, 3, 3, 3]) }
        assertCheckpointError(.mismatch, ["tensor 0.weight is F64 [4, 3, 3, 3] in the file, but the model holds float32"]) {
            try Checkpoint.loadWeights(from: wide, into: target.model)
        }
        let huge = try plain { $0["1.num_batches_tracked"] = SafetensorsTensor(scalar: Int64(1) << 33) }
        assertCheckpointError(.mismatch, ["tensor 1.num_batches_tracked", "8589934592 does not fit"]) {
            try Checkpoint.loadWeights(from: huge, into: target.model)
        }
        XCTAssertEqual(try stateBits(target.model), before)
    }

    func testReservedNamesAreRefusedOnSave() throws {
        final class Clash: Module {
            let head: Dense
            var isTraining = true
            init(on context: Context) throws { head = try Dense(inFeatures: 2, outFeatures: 2, seed: 1, on: context) }
            var children: [(name: String, module: any Module)] { [("rng", head)] }
            func callAsFunction(_ x: Tensor) throws -> Tensor { try head(x) }
        }
        let path = scratch.file("clash.safetensors")
        assertCheckpointError(.mismatch, ["rng.weight uses the prefix rng., reserved"]) {
            try Checkpoint.save(to: path, model: try Clash(on: context), info: CheckpointInfo(modelName: "clash"))
        }
        let setup = try trainedSetup(steps: 0)
        assertCheckpointError(.mismatch, ["\"dropout.x\" is empty or reserved"]) {
            try Checkpoint.save(to: path, model: setup.model, info: CheckpointInfo(modelName: "m", randomState: ["dropout.x": 1]))
        }
        XCTAssertEqual(try scratch.listing(), [], "nothing was written")
    }
}
