import CPNG
import Foundation

/// An 8-bit RGB colour.
public struct RGB: Equatable, Sendable {
    public var red: UInt8, green: UInt8, blue: UInt8

    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) { (self.red, self.green, self.blue) = (red, green, blue) }

    public static let white = RGB(255, 255, 255)
    public static let black = RGB(0, 0, 0)
}

/// A width × height RGB raster, rows top to bottom, three bytes per pixel, with the few
/// drawing primitives a line chart needs. Drawing outside the canvas is clipped.
public struct Canvas {
    public let width: Int
    public let height: Int
    /// `[height, width, 3]` bytes, row-major.
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: RGB = .white) {
        (self.width, self.height) = (width, height)
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, background)
    }

    /// The colour at (x, y); nil outside.
    public func pixel(x: Int, y: Int) -> RGB? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let i = (y * width + x) * 3
        return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Sets one pixel (ignored outside the canvas).
    public mutating func set(x: Int, y: Int, _ color: RGB) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        (pixels[i], pixels[i + 1], pixels[i + 2]) = (color.red, color.green, color.blue)
    }

    /// Fills the rectangle of `width` × `height` pixels whose top-left corner is (x, y).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: RGB) {
        for row in max(y, 0)..<min(y + h, height) {
            for column in max(x, 0)..<max(min(x + w, width), max(x, 0)) { set(x: column, y: row, color) }
        }
    }

    /// A straight line from (x0, y0) to (x1, y1), `thickness` pixels wide (Bresenham's
    /// algorithm stamping a square brush).
    public mutating func line(from start: (x: Int, y: Int), to end: (x: Int, y: Int), _ color: RGB, thickness: Int = 1) {
        let (dx, dy) = (abs(end.x - start.x), -abs(end.y - start.y))
        let (sx, sy) = (start.x < end.x ? 1 : -1, start.y < end.y ? 1 : -1)
        var (x, y, error) = (start.x, start.y, dx + dy)
        let offset = (thickness - 1) / 2
        while true {
            fill(x: x - offset, y: y - offset, width: thickness, height: thickness, color)
            if x == end.x, y == end.y { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += sx }
            if doubled <= dx { error += dx; y += sy }
        }
    }

    /// Writes the canvas as an 8-bit RGB PNG (libpng's `png_image_write_to_file`), through a
    /// temporary file renamed over `path`, so a reader never sees half a file.
    public func writePNG(to path: String) throws {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = png_uint_32(PNG_FORMAT_RGB)
        let temporary = path + ".tmp"
        let written = pixels.withUnsafeBytes { bytes in
            png_image_write_to_file(&image, temporary, 0, bytes.baseAddress, png_int_32(width * 3), nil)
        }
        guard written != 0 else {
            let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            png_image_free(&image)
            unlink(temporary)
            throw TrainingError.writeFailed(path: path, reason: message)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TrainingError.writeFailed(path: path, reason: reason)
        }
    }
}
