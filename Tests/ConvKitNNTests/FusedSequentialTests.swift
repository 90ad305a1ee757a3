import CConvKit
import ConvKit
import ConvKitNN
import ConvKitTestSupport
import XCTest

/// A ``Conv2D`` followed by ``ReLU`` or ``LeakyReLU`` (slope >= 0) in a ``Sequential`` runs as one
/// fused conv (`ck_conv2d_forward_fused`), except while ``ForwardHooks`` observe. Both ways must
/// give the same bits, forward and backward: the same conv, then the same selection (ReLU) or
/// multiplication (LeakyReLU), and a backward that selects on the output's sign instead of the
/// pre-activation's, which are the same sign.
final class FusedSequentialTests: XCTestCase {
    private func contexts() throws -> [Context] {
        var contexts = [try Context(backend: .cpu, threads: 2), try Context(backend: .reference)]
        if try TestBackends.openCLRequired() { contexts.append(try TestBackends.openCLContext()) }
        return contexts
    }

    /// Conv → ReLU (fused), conv → LeakyReLU 0.1 (fused), conv → LeakyReLU −0.2 (not fusable), dense.
    private func model(on context: Context) throws -> Sequential {
        try Sequential([
            Conv2D(inChannels: 3, outChannels: 8, kernelSize: (3, 3), padding: .symmetric(1), seed: 1, on: context),
            ReLU(),
            Conv2D(inChannels: 8, outChannels: 8, kernelSize: (3, 3), stride: (2, 2), seed: 2, on: context),
            LeakyReLU(negativeSlope: 0.1),
            Conv2D(inChannels: 8, outChannels: 4, kernelSize: (1, 1), useBias: false, seed: 3, on: context),
            LeakyReLU(negativeSlope: -0.2),
            Flatten(),
            Dense(inFeatures: 4 * 4 * 4, outFeatures: 5, seed: 4, on: context),
        ])
    }

    /// The output, every parameter's gradient of sum(output · weights), and the activation ops run.
    private func step(_ model: Sequential, _ x: Tensor, observing: Bool) throws -> (y: [Float], grads: [[Float]], activations: UInt64) {
        let context = x.context
        model.zeroGrad()
        let before = try context.callCount(of: CK_OP_ACTIVATION_FORWARD)
        let y = observing ? try ForwardHooks().observing { try model(x) } : try model(x)
        let activations = try context.callCount(of: CK_OP_ACTIVATION_FORWARD) - before
        let weights = try Tensor.randomUniform(y.shape, lower: -1, upper: 1, seed: 9, on: context)
        try (y * weights).sum().backward()
        let grads = try model.namedParameters().map { try XCTUnwrap($0.tensor.grad, $0.name).scalars }
        return (try y.scalars, grads, activations)
    }

    func testFusedAndUnfusedStepsGiveTheSameBits() throws {
        for context in try contexts() {
            let model = try self.model(on: context)
            let x = try Tensor.randomUniform([2, 3, 9, 9], lower: -1, upper: 1, seed: 5, on: context)
            let fused = try step(model, x, observing: false)
            let separate = try step(model, x, observing: true)
            let backend = context.backendName
            XCTAssertEqual(fused.activations, 1, "\(backend): only the negative-slope LeakyReLU runs on its own")
            XCTAssertEqual(separate.activations, 3, "\(backend): observed, every activation runs on its own")
            XCTAssertEqual(fused.y, separate.y, "\(backend): outputs")
            XCTAssertEqual(fused.grads, separate.grads, "\(backend): parameter gradients")
            XCTAssertTrue(fused.y.contains { $0 != 0 } && fused.grads.allSatisfy { $0.contains { $0 != 0 } },
                          "\(backend): the comparison is not between zeros")
        }
    }

    func testHooksStillSeeTheConvAndTheActivationOutputs() throws {
        let context = try Context(backend: .cpu, threads: 2)
        let model = try self.model(on: context)
        let x = try Tensor.randomUniform([2, 3, 9, 9], lower: -1, upper: 1, seed: 5, on: context)
        let hooks = ForwardHooks()
        var seen: [String: [Float]] = [:]
        for name in ["0", "1"] {
            hooks.add(on: try model.submodule(named: name)) { seen[name] = try $0.scalars }
        }
        _ = try hooks.observing { try model(x) }
        let conv = try XCTUnwrap(seen["0"]), relu = try XCTUnwrap(seen["1"])
        XCTAssertTrue(conv.contains { $0 < 0 }, "the conv's own output (before the ReLU) reaches its hook")
        XCTAssertEqual(relu, conv.map { $0 < 0 ? 0 : $0 })
    }
}
