import CConvKit
import ConvKit

/// N maps of height × width on the host, row-major (a saliency or Grad-CAM map per image).
public struct HeatMaps: Equatable, Sendable {
    /// Maps (N).
    public let count: Int
    /// Rows of each map.
    public let height: Int
    /// Columns of each map.
    public let width: Int
    /// `count · height · width` values, image after image.
    public private(set) var values: [Float]

    /// Throws unless `values` holds exactly `count · height · width` values (and height, width ≥ 1).
    public init(count: Int, height: Int, width: Int, values: [Float]) throws {
        guard count >= 0, height >= 1, width >= 1, values.count == count * height * width else {
            throw ConvKitError(status: CK_ERR_SHAPE_MISMATCH, message: "HeatMaps: \(values.count) values for \(count) maps of \(height)×\(width)")
        }
        (self.count, self.height, self.width, self.values) = (count, height, width, values)
    }

    /// Image `index`'s map, height · width values.
    public func map(_ index: Int) -> ArraySlice<Float> {
        values[(index * height * width)..<((index + 1) * height * width)]
    }

    /// Each map divided by its own maximum, into [0, 1] for maps of values >= 0; a map whose
    /// maximum is 0 (nothing to show) stays all zeros.
    public func scaledToUnitMaximum() -> HeatMaps {
        var scaled = self
        scaled.values = (0..<count).flatMap { index -> [Float] in
            let plane = map(index)
            let top = plane.max() ?? 0
            return top > 0 ? plane.map { $0 / top } : Array(plane)
        }
        return scaled
    }
}
