import ConvKit
import ConvKitNN
import ConvKitTrain
import Foundation
import XCTest

/// The models against their PyTorch equivalents (Tests/Fixtures/models/models.json, written by
/// Tests/Fixtures/scripts/make_model_fixtures.py with torch and torchvision): parameter counts,
/// every state-dict name and shape for 1×28×28 inputs, and output shapes.
final class ModelFixtureTests: XCTestCase {
    private var context: Context!

    override func setUpWithError() throws { context = try Context(backend: .cpu, threads: 2) }

    /// One case of the fixture: a model for an input, and what PyTorch says of it.
    private struct Case {
        let model: ModelKind
        let input: ModelInput
        let parameters: Int
        let output: [Int]
        /// (name, shape) of each state-dict entry, in PyTorch's order; nil when not recorded.
        let state: [(String, [Int])]?
    }

    private func cases() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/models/models.json")
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let entries = try XCTUnwrap(root["cases"] as? [[String: Any]])
        return try entries.map { entry in
            let input = try XCTUnwrap(entry["input"] as? [Int])
            let state = (entry["state"] as? [[Any]])?.map { ($0[0] as! String, $0[1] as! [Int]) }
            return Case(model: try XCTUnwrap(ModelKind(rawValue: entry["model"] as? String ?? "")),
                        input: ModelInput(channels: input[0], height: input[1], width: input[2], classes: input[3]),
                        parameters: try XCTUnwrap(entry["parameters"] as? Int), output: try XCTUnwrap(entry["output"] as? [Int]),
                        state: state)
        }
    }

    func testEveryModelHasACase() throws {
        let covered = Set(try cases().map(\.model))
        XCTAssertEqual(covered, Set(ModelKind.allCases))
    }

    /// For each case, one model built (the large ones take seconds in a debug build): the
    /// parameter count equals PyTorch's (ResNet-18 also at 224×224 with 1000 classes:
    /// torchvision's 11,689,512); the state dict lists PyTorch's names with PyTorch's shapes in
    /// PyTorch's order; a batch of two images gives (2, classes) logits.
    func testModelsMatchPyTorch() throws {
        for fixture in try cases() {
            let model = try fixture.model.make(for: fixture.input, seed: 1, on: context)
            let label = "\(fixture.model) \(fixture.input)"
            XCTAssertEqual(model.parameterCount, fixture.parameters, label)
            if let expected = fixture.state {
                let state = model.stateDict()
                XCTAssertEqual(state.map(\.name), expected.map(\.0), label)
                for ((name, tensor), (_, shape)) in zip(state, expected) { XCTAssertEqual(tensor.shape, shape, "\(label) \(name)") }
            }
            guard fixture.input.height <= 32 else { continue }
            let x = try Tensor.randomUniform(fixture.input.batchShape(2), seed: 3, on: context)
            XCTAssertEqual(try withNoGrad { try model.eval()(x).shape }, fixture.output, label)
        }
    }
}
