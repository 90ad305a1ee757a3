import XCTest

@testable import ConvKitData

/// Array forms of the in-place and buffer-to-buffer transforms, for tests.
private func flipped(_ image: [Float], _ shape: ImageShape) -> [Float] {
    var result = image
    result.withUnsafeMutableBufferPointer { ImageTransforms.flipHorizontally($0, shape: shape) }
    return result
}

private func cropped(_ image: [Float], _ shape: ImageShape, padding: Int, top: Int, left: Int) -> [Float] {
    var result = [Float](repeating: .nan, count: image.count)
    image.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { target in
            ImageTransforms.crop(source, into: target, shape: shape, padding: padding, top: top, left: left)
        }
    }
    return result
}

private func rotated(_ image: [Float], _ shape: ImageShape, degrees: Float, zoom: Float) -> [Float] {
    var result = [Float](repeating: .nan, count: image.count)
    image.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { target in
            ImageTransforms.rotateAndZoom(source, into: target, shape: shape, degrees: degrees, zoom: zoom)
        }
    }
    return result
}

private func assertClose(_ actual: [Float], _ expected: [Float], accuracy: Float = 1e-5,
                         file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, file: file, line: line)
    for (index, (a, e)) in zip(actual, expected).enumerated() where abs(a - e) > accuracy {
        XCTFail("element \(index): \(a) ≠ \(e); got \(actual)", file: file, line: line)
        return
    }
}

final class ImageTransformsTests: XCTestCase {
    /// 1 2 3 / 4 5 6 / 7 8 9
    private let square: [Float] = (1...9).map(Float.init)
    private let squareShape = ImageShape(channels: 1, height: 3, width: 3)
    /// Two channels of 3×4 random values.
    private let random: [Float] = {
        var rng = SplitMix64(seed: 3)
        return (0..<24).map { _ in rng.nextUnitFloat() }
    }()
    private let randomShape = ImageShape(channels: 2, height: 3, width: 4)

    func testFlipKnownExample() {
        XCTAssertEqual(flipped([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], ImageShape(channels: 2, height: 2, width: 3)),
                       [3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10])
    }

    func testFlipTwiceIsTheIdentity() {
        XCTAssertEqual(flipped(flipped(random, randomShape), randomShape), random)
        XCTAssertNotEqual(flipped(random, randomShape), random)
    }

    func testCropWithoutPaddingOrOffsetIsTheIdentity() {
        XCTAssertEqual(cropped(random, randomShape, padding: 0, top: 0, left: 0), random)
        XCTAssertEqual(cropped(random, randomShape, padding: 2, top: 2, left: 2), random)
    }

    func testCropKnownExamples() {
        // Window at the padded image's top-left corner: the image moves down and right by one.
        XCTAssertEqual(cropped(square, squareShape, padding: 1, top: 0, left: 0), [0, 0, 0, 0, 1, 2, 0, 4, 5])
        // Window two rows down, one column right: the image moves up by one.
        XCTAssertEqual(cropped(square, squareShape, padding: 1, top: 2, left: 1), [4, 5, 6, 7, 8, 9, 0, 0, 0])
    }

    func testNoRotationAndUnitZoomIsExactlyTheIdentity() {
        XCTAssertEqual(rotated(random, randomShape, degrees: 0, zoom: 1), random)
        XCTAssertEqual(rotated(square, squareShape, degrees: 0, zoom: 1), square)
    }

    func testRotationByQuarterTurnsMovesPixelsExactly() {
        // Counterclockwise as displayed: the top row becomes the left column.
        assertClose(rotated(square, squareShape, degrees: 90, zoom: 1), [3, 6, 9, 2, 5, 8, 1, 4, 7])
        assertClose(rotated(square, squareShape, degrees: -90, zoom: 1), [7, 4, 1, 8, 5, 2, 9, 6, 3])
        assertClose(rotated(square, squareShape, degrees: 180, zoom: 1), [9, 8, 7, 6, 5, 4, 3, 2, 1])
    }

    func testZoomKnownExamples() {
        // Zoom 2: the corner reads halfway between pixels 1, 2, 4 and 5.
        assertClose(rotated(square, squareShape, degrees: 0, zoom: 2), [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7])
        // Zoom 0.5: everything but the centre reads outside the image.
        assertClose(rotated(square, squareShape, degrees: 0, zoom: 0.5), [0, 0, 0, 0, 5, 0, 0, 0, 0])
    }

    func testBilinearInterpolatesAndFadesAtTheBorder() {
        square.withUnsafeBufferPointer { image in
            // Rows 0 and 1 at x = 1.25 are 2.25 and 5.25; halfway between them is 3.75.
            XCTAssertEqual(BilinearTap(y: 0.5, x: 1.25, shape: squareShape).sample(image, base: 0), 3.75,
                           accuracy: 1e-6)
            XCTAssertEqual(BilinearTap(y: -0.5, x: 0, shape: squareShape).sample(image, base: 0), 0.5,
                           accuracy: 1e-6)
            XCTAssertEqual(BilinearTap(y: 3, x: 1, shape: squareShape).sample(image, base: 0), 0)
        }
    }
}
