import CConvKit
import ConvKit
import XCTest

/// The Swift module over the C core: contexts, tensors, errors carrying the C message.
final class SwiftWrapperTests: XCTestCase {
    func testConv2DThroughSwiftMatchesHandComputedValues() throws {
        let context = try Context(backend: .cpu, threads: 2)
        // x = 1...9 as a 3×3 image; a 2×2 kernel of ones sums each 2×2 window.
        let x = try Tensor((1...9).map { Float($0) }, shape: [1, 1, 3, 3], on: context)
        let w = try Tensor([1, 1, 1, 1], shape: [1, 1, 2, 2], on: context)
        let bias = try Tensor([0.5], shape: [1], on: context)
        let y = try Tensor.conv2d(x, w, bias: bias)
        XCTAssertEqual(y.shape, [1, 1, 2, 2])
        XCTAssertEqual(try y.toArray(), [12.5, 16.5, 24.5, 28.5])
        XCTAssertEqual(try context.callCount(of: CK_OP_CONV2D_FORWARD), 1)
    }

    func testChannelMismatchThrowsTheCoreMessage() throws {
        let context = try Context(backend: .cpu)
        let x = try Tensor.zeros([1, 3, 5, 5], on: context)
        let w = try Tensor.zeros([2, 4, 3, 3], on: context)
        XCTAssertThrowsError(try Tensor.conv2d(x, w)) { error in
            let error = error as! ConvKitError
            XCTAssertEqual(error.status, CK_ERR_SHAPE_MISMATCH)
            XCTAssertTrue(error.message.contains("input has 3 channels but weight expects 4"), error.message)
        }
        // The context stays usable after an error.
        let ok = try Tensor.conv2d(x, try Tensor.zeros([2, 3, 3, 3], on: context))
        XCTAssertEqual(ok.shape, [1, 2, 3, 3])
    }

    func testWrongValueCountIsRefused() throws {
        let context = try Context(backend: .reference)
        XCTAssertEqual(context.backendName, "reference")
        XCTAssertThrowsError(try Tensor([1, 2, 3], shape: [2, 2], on: context))
        XCTAssertThrowsError(try Tensor.zeros([2, 0], on: context))
    }
}
