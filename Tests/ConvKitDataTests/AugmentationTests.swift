import XCTest

@testable import ConvKitData

final class AugmentationTests: XCTestCase {
    private let shape = ImageShape(channels: 2, height: 5, width: 6)
    private lazy var image: [Float] = {
        var rng = SplitMix64(seed: 11)
        return (0..<shape.size).map { _ in rng.nextUnitFloat() + 0.1 }
    }()

    private func augmented(_ augmentation: Augmentation, stream: UInt64) -> [Float] {
        var result = image
        var scratch = [Float](repeating: 0, count: shape.size)
        var rng = SplitMix64(seed: 1, streams: stream)
        result.withUnsafeMutableBufferPointer { target in
            scratch.withUnsafeMutableBufferPointer { scratch in
                augmentation.apply(to: target, scratch: scratch, shape: shape, rng: &rng)
            }
        }
        return result
    }

    func testFlipOnlyGivesTheImageOrItsMirrorBothOften() {
        var mirrored = image
        mirrored.withUnsafeMutableBufferPointer { ImageTransforms.flipHorizontally($0, shape: shape) }
        let results = (0..<40).map { augmented(Augmentation(horizontalFlip: true), stream: UInt64($0)) }
        XCTAssertTrue(results.allSatisfy { $0 == image || $0 == mirrored })
        XCTAssertTrue(results.contains(image))
        XCTAssertTrue(results.contains(mirrored))
    }

    func testCropOnlyShiftsByAtMostThePadding() {
        for stream in 0..<30 {
            let result = augmented(Augmentation(cropPadding: 2), stream: UInt64(stream))
            let shifts = (0...4).flatMap { top in (0...4).map { left in (top, left) } }
            let matches = shifts.contains { top, left in
                var expected = [Float](repeating: 0, count: shape.size)
                image.withUnsafeBufferPointer { source in
                    expected.withUnsafeMutableBufferPointer { target in
                        ImageTransforms.crop(source, into: target, shape: shape, padding: 2, top: top, left: left)
                    }
                }
                return expected == result
            }
            XCTAssertTrue(matches, "stream \(stream) is no shift within ±2")
        }
    }

    func testRotationAndZoomStayInRangeAndAreReproducible() {
        let augmentation = Augmentation(maxRotationDegrees: 15, maxZoom: 0.1)
        let first = augmented(augmentation, stream: 4)
        XCTAssertEqual(first, augmented(augmentation, stream: 4))
        XCTAssertNotEqual(first, augmented(augmentation, stream: 5))
        XCTAssertNotEqual(first, image)
        let largest = image.max() ?? 0
        XCTAssertTrue(first.allSatisfy { $0 >= 0 && $0 <= largest + 1e-6 }, "bilinear output leaves the input's range")
    }

    func testNoneLeavesTheImageAlone() {
        XCTAssertTrue(Augmentation.none.isIdentity)
        XCTAssertEqual(augmented(.none, stream: 0), image)
    }

    func testInvalidSettingsAreRejected() {
        assertDataError(try Augmentation(cropPadding: -1).validate(), contains: ["crop padding -1 is negative"])
        assertDataError(try Augmentation(maxRotationDegrees: 200).validate(), contains: ["outside 0...180"])
        assertDataError(try Augmentation(maxZoom: 1).validate(), contains: ["max zoom 1.0 is outside 0..<1"])
    }
}
