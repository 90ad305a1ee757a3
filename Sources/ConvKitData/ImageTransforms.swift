import Foundation

/// The shape of one image, `[channels, height, width]`, row-major.
public struct ImageShape: Equatable, Sendable {
    public let channels: Int
    public let height: Int
    public let width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Floats per channel plane: height × width.
    public var plane: Int { height * width }
    /// Floats per image: channels × height × width.
    public var size: Int { channels * plane }
}

/// The geometric transforms of augmentation, on one `[channels, height,
/// width]` image. Pixels that come from outside the source image are 0.
/// Each transform is deterministic; `Augmentation` draws their parameters.
public enum ImageTransforms {
    /// Mirrors every row in place: pixel x moves to width − 1 − x.
    public static func flipHorizontally(_ image: UnsafeMutableBufferPointer<Float>, shape: ImageShape) {
        for row in 0..<(shape.channels * shape.height) {
            var left = row * shape.width
            var right = left + shape.width - 1
            while left < right {
                image.swapAt(left, right)
                left += 1
                right -= 1
            }
        }
    }

    /// A `height × width` window of the image padded with `padding` zeros on
    /// every side, its top-left corner at (top, left) of the padded image,
    /// both in 0...2·padding: out(y, x) = in(y + top − padding, x + left − padding).
    /// With top = left = padding (or padding 0) the output equals the input.
    public static func crop(_ image: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>,
                            shape: ImageShape, padding: Int, top: Int, left: Int) {
        let dy = top - padding, dx = left - padding
        for channel in 0..<shape.channels {
            let base = channel * shape.plane
            for y in 0..<shape.height {
                let sy = y + dy
                let rowOut = base + y * shape.width
                for x in 0..<shape.width {
                    let sx = x + dx
                    let inside = sy >= 0 && sy < shape.height && sx >= 0 && sx < shape.width
                    output[rowOut + x] = inside ? image[base + sy * shape.width + sx] : 0
                }
            }
        }
    }

    /// Rotates the image by `degrees` about its centre — counterclockwise as
    /// displayed, with rows going down — and scales it by `zoom` (> 1
    /// enlarges), sampling the source bilinearly. Output pixel (y, x) reads
    /// the source at centre + R(−degrees)·((x, y) − centre) / zoom. With 0
    /// degrees and zoom 1 every read lands on a pixel and the output equals
    /// the input exactly.
    public static func rotateAndZoom(_ image: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>,
                                     shape: ImageShape, degrees: Float, zoom: Float) {
        let radians = Double(degrees) * Double.pi / 180
        let cosine = Float(cos(radians)) / zoom, sine = Float(sin(radians)) / zoom
        let cy = Float(shape.height - 1) / 2, cx = Float(shape.width - 1) / 2
        for y in 0..<shape.height {
            let dy = Float(y) - cy
            for x in 0..<shape.width {
                let dx = Float(x) - cx
                let tap = BilinearTap(y: cy + (dx * sine + dy * cosine), x: cx + (dx * cosine - dy * sine), shape: shape)
                for channel in 0..<shape.channels {
                    output[channel * shape.plane + y * shape.width + x] = tap.sample(image, base: channel * shape.plane)
                }
            }
        }
    }
}

/// Bilinear sampling at a real position (y, x) of an image plane: the four
/// nearest pixels and their weights, computed once and applied to every
/// channel. Pixels outside the image count as 0 (weight 0).
struct BilinearTap {
    private var offsets: (Int, Int, Int, Int) = (0, 0, 0, 0)
    private var weights: (Float, Float, Float, Float) = (0, 0, 0, 0)

    init(y: Float, x: Float, shape: ImageShape) {
        guard y > -1, x > -1, y < Float(shape.height), x < Float(shape.width) else { return }
        let y0 = Int(y.rounded(.down)), x0 = Int(x.rounded(.down))
        let fy = y - Float(y0), fx = x - Float(x0)
        let top = y0 >= 0, bottom = y0 + 1 < shape.height, left = x0 >= 0, right = x0 + 1 < shape.width
        let base = y0 * shape.width + x0
        offsets = (base, base + 1, base + shape.width, base + shape.width + 1)
        weights = (top && left ? (1 - fy) * (1 - fx) : 0, top && right ? (1 - fy) * fx : 0,
                   bottom && left ? fy * (1 - fx) : 0, bottom && right ? fy * fx : 0)
    }

    /// The weighted sum over the plane starting at `base` (channel × plane).
    func sample(_ image: UnsafeBufferPointer<Float>, base: Int) -> Float {
        var sum: Float = 0
        if weights.0 != 0 { sum += weights.0 * image[base + offsets.0] }
        if weights.1 != 0 { sum += weights.1 * image[base + offsets.1] }
        if weights.2 != 0 { sum += weights.2 * image[base + offsets.2] }
        if weights.3 != 0 { sum += weights.3 * image[base + offsets.3] }
        return sum
    }
}
