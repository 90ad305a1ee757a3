import CConvKit
import ConvKit
import ConvKitNN
import ConvKitTrain
import Foundation
import XCTest

/// Saliency and Grad-CAM of the fashion-cnn against PyTorch on the same weights
/// (Tests/Fixtures/inspection, written by Tests/Fixtures/scripts/make_inspection_fixtures.py):
/// a width-0.125 fashion-cnn for 1×14×14 images whose PyTorch state dict loads through
/// `Checkpoint.loadWeights`, a batch of two images with a class each, and PyTorch's values in
/// float64 (exact for the float32 weights and input, up to float64 rounding) and in float32.
///
/// Tolerance, per compared tensor T: |ConvKit − exact| ≤ 8·e_T + 4u·max|T| for every element,
/// where e_T = max |PyTorch float32 − exact| over T and u = 2⁻²⁴. Running-error bounds
/// (Σ|terms| propagated through the network, as the layer tests use) exceed these values by
/// 10⁴–10⁸ after seven layers with batch norm, so they would let any result pass; instead,
/// PyTorch's own float32 error measures how much this network and input amplify float32
/// rounding. ConvKit runs the same float32 program (the same sums, in other orders, the same
/// float32 interpolation weights), so its error is of that size: 8·e_T leaves room for less
/// lucky summation orders (the two errors are maxima over the same elements of comparable
/// rounding sums, which differ by small factors), 4u·max|T| for the final rounding where
/// PyTorch happened to be exact. PyTorch's float32 errors here are 1e-7 to 6e-7 of each
/// tensor's largest value; a wrong formula (a sum instead of the mean, the probability instead
/// of the logit, another resize rule) errs by more than 1e-2 of it. The generator also keeps
/// every LeakyReLU input and max-pooling choice 16·(PyTorch's float32 error) from its kink, so
/// float32 rounding cannot switch a selection.
final class InspectionFixtureTests: XCTestCase {
    private static let layers = ["features.10", "features.13"]

    private func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/inspection/\(name)").path
    }

    func testSaliencyAndGradCAMMatchPyTorchOnCPU() throws {
        try check(on: try Context(backend: .cpu, threads: 2))
    }

    /// The same on the first OpenCL device (PoCL in CI); reported as skipped, with the reason,
    /// where there is none.
    func testSaliencyAndGradCAMMatchPyTorchOnOpenCL() throws {
        guard ck_opencl_device_count() > 0 else {
            throw XCTSkip("no OpenCL device on this machine: saliency and Grad-CAM are untested on the OpenCL backend "
                + "(install an OpenCL driver, e.g. pocl-opencl-icd)")
        }
        let context = try Context(device: "opencl")
        XCTAssertEqual(context.backendName, "opencl")
        try check(on: context)
    }

    private func check(on context: Context) throws {
        let model = try ModelKind.fashionCNN.make(for: ModelInput(channels: 1, height: 14, width: 14, classes: 10),
                                                  widthMultiplier: 0.125, seed: 0, on: context)
        try Checkpoint.loadWeights(from: fixture("fashion_cnn_state_dict.safetensors"), into: model)
        let reference = try SafetensorsFile.read(from: fixture("fashion_cnn_gradcam.safetensors"))
        let x = try XCTUnwrap(reference["input"]).makeTensor(.float32, on: context)
        let classes = try XCTUnwrap(reference["classes"]?.values(as: Int32.self)).map(Int.init)
        XCTAssertEqual(classes, [3, 7])
        let backend = context.backendName

        let saliency = try Saliency(model: model, input: x, classes: classes)
        let logitTolerance = try compare(saliency.logits, "logits", reference, backend)
        XCTAssertGreaterThan(logitTolerance, 0)
        let gradientTolerance = try compare(saliency.gradient, "input_gradient", reference, backend)
        // Saliency is exactly the input gradient backward() gives for the chosen logits.
        let leaf = try x.detach().requiringGrad()
        let logits = try model.eval()(leaf)
        var seed = [Float](repeating: 0, count: 20)
        (seed[classes[0]], seed[10 + classes[1]]) = (1, 1)
        try logits.backward(gradient: try Tensor(seed, shape: [2, 10], on: context))
        XCTAssertEqual(try saliency.gradient.scalars, try XCTUnwrap(leaf.grad).scalars, "\(backend): saliency vs backward()")
        // One channel: the map is |gradient| (|a| − |b| ≤ |a − b|, so the same tolerance).
        let exactGradient = try values("input_gradient", reference)
        for (value, exact) in zip(try saliency.map().values, exactGradient) {
            XCTAssertEqual(Double(value), abs(exact), accuracy: gradientTolerance, "\(backend): saliency map")
        }

        for layer in InspectionFixtureTests.layers {
            let cam = try GradCAM(model: model, input: x, classes: classes, layer: layer)
            let (_, captured) = try withNoGrad { try model.evaluating { try model(x, capturing: [layer]) } }
            XCTAssertEqual(try captured[layer]?.scalars, try cam.activations.scalars, "\(backend): capture vs Grad-CAM's activations")
            _ = try compare(cam.activations, "\(layer)/activations", reference, backend)
            _ = try compare(cam.gradients, "\(layer)/gradients", reference, backend)
            _ = try compare(cam.weights, "\(layer)/weights", reference, backend)
            _ = try compare(cam.map, "\(layer)/map", reference, backend)
            let upsampledTolerance = try compare(cam.upsampled, "\(layer)/upsampled", reference, backend)
            // Display maps: u / max u per image. With t the tolerance of u and m the exact maximum,
            // |δ(u/m)| ≤ (t + (u/m)·t)/(m − t) ≤ 2t/(m − t), plus the division's rounding.
            let exact = try values("\(layer)/upsampled", reference)
            let normalized = try cam.normalized()
            for image in 0..<2 {
                let plane = exact[(image * 196)..<((image + 1) * 196)]
                let top = try XCTUnwrap(plane.max())
                XCTAssertGreaterThan(top, 10 * upsampledTolerance, "a map worth normalizing")
                let tolerance = 2 * upsampledTolerance / (top - upsampledTolerance) + 2 * unitRoundoff
                for (value, exactValue) in zip(normalized.map(image), plane) {
                    XCTAssertEqual(Double(value), exactValue / top, accuracy: tolerance, "\(backend): \(layer) normalized")
                }
            }
        }
    }

    private let unitRoundoff = 0x1p-24

    private func values(_ name: String, _ reference: SafetensorsFile) throws -> [Double] {
        try XCTUnwrap(reference[name]?.values(as: Double.self), "no float64 tensor \(name)")
    }

    /// Checks `actual` against the fixture's exact `name` (see the class comment); returns the tolerance.
    @discardableResult
    private func compare(_ actual: Tensor, _ name: String, _ reference: SafetensorsFile, _ backend: String) throws -> Double {
        let exact = try values(name, reference)
        let single = try XCTUnwrap(reference["float32/\(name)"]?.values(as: Float.self), "no float32 tensor \(name)")
        XCTAssertEqual(actual.shape, reference[name]?.shape, "\(backend): \(name) shape")
        let pytorchError = zip(single, exact).map { abs(Double($0) - $1) }.max() ?? 0
        let tolerance = 8 * pytorchError + 4 * unitRoundoff * (exact.map(abs).max() ?? 0)
        let ours = try actual.toDoubles()
        let worst = zip(ours, exact).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance, "\(backend): \(name) differs from PyTorch by \(worst) (PyTorch float32: \(pytorchError))")
        if ProcessInfo.processInfo.environment["CONVKIT_NN_VERBOSE"] != nil {
            print(String(format: "%@ %@: error %.3g, PyTorch float32 %.3g, tolerance %.3g", backend, name, worst, pytorchError, tolerance))
        }
        return tolerance
    }
}
