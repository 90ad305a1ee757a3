import CConvKit
import ConvKit
import XCTest

/// The thin Swift module: contexts, device tensors, errors carrying the C message.
final class SwiftWrapperTests: XCTestCase {
    func testConv2DThroughSwiftMatchesHandComputedValues() throws {
        let context = try Context(backend: .cpu, threads: 2)
        // x = 1...9 as a 3×3 image; a 2×2 kernel of ones sums each 2×2 window.
        let x = try DeviceTensor(context, shape: [1, 1, 3, 3], values: (1...9).map { Float($0) })
        let w = try DeviceTensor(context, shape: [1, 1, 2, 2], values: [1, 1, 1, 1])
        let bias = try DeviceTensor(context, shape: [1], values: [0.5])
        let y = try context.conv2d(x, w, bias: bias)
        XCTAssertEqual(y.shape, [1, 1, 2, 2])
        XCTAssertEqual(try y.read(), [12.5, 16.5, 24.5, 28.5])
        XCTAssertEqual(try context.callCount(of: CK_OP_CONV2D_FORWARD), 1)
    }

    func testChannelMismatchThrowsTheCoreMessage() throws {
        let context = try Context(backend: .cpu)
        let x = try DeviceTensor(context, shape: [1, 3, 5, 5])
        let w = try DeviceTensor(context, shape: [2, 4, 3, 3])
        XCTAssertThrowsError(try context.conv2d(x, w)) { error in
            let error = error as! ConvKitError
            XCTAssertEqual(error.status, CK_ERR_SHAPE_MISMATCH)
            XCTAssertTrue(error.message.contains("input has 3 channels but weight expects 4"), error.message)
        }
        // The context stays usable after an error.
        let ok = try context.conv2d(x, try DeviceTensor(context, shape: [2, 3, 3, 3], values: Array(repeating: 0, count: 54)))
        XCTAssertEqual(ok.shape, [1, 2, 3, 3])
    }

    func testWrongValueCountIsRefused() throws {
        let context = try Context(backend: .reference)
        XCTAssertEqual(context.backendName, "reference")
        XCTAssertThrowsError(try DeviceTensor(context, shape: [2, 2], values: [1, 2, 3]))
        XCTAssertThrowsError(try DeviceTensor(context, shape: [2, 0]))
    }
}
