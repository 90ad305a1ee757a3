/// The picture of one layer's activations for one image: a tile per channel, each map scaled
/// from its own minimum (black) to its maximum (white), with the channel number above it. A
/// channel that is constant is drawn black. An output without spatial axes (a dense layer's
/// features) is one tile: the features in rows of ⌈√F⌉, scaled min to max together.
public enum ActivationFigure {
    /// Side, in pixels, that a tile is magnified towards.
    static let tileTarget = 56

    /// The tile grid and magnification for `channels` maps of `height` × `width`.
    static func layout(channels: Int, height: Int, width: Int) -> (grid: TileGrid, scale: Int) {
        let scale = TileGrid.scale(for: max(height, width), target: tileTarget)
        let grid = TileGrid(count: channels, columns: TileGrid.columns(for: channels), tileWidth: width * scale,
                            tileHeight: height * scale, labelHeight: Figure.detailHeight + 2)
        return (grid, scale)
    }

    /// Renders the activations of one image: `values` of shape `shape` without the batch axis,
    /// (C, H, W) or (F).
    public static func render(_ values: [Float], shape: [Int], heading: String, details: [String]) -> Canvas {
        let (channels, height, width): (Int, Int, Int)
        if shape.count == 3 {
            (channels, height, width) = (shape[0], shape[1], shape[2])
        } else {
            let side = Int(Double(values.count).squareRoot().rounded(.up))
            (channels, height, width) = (1, (values.count + side - 1) / side, side)
        }
        let (grid, scale) = layout(channels: channels, height: height, width: width)
        var figure = Figure(contentWidth: grid.width, contentHeight: grid.height, heading: heading, details: details)
        let plane = height * width
        for channel in 0..<channels {
            let slice = values[min(channel * plane, values.count)..<min((channel + 1) * plane, values.count)]
            let (low, high) = (slice.min() ?? 0, slice.max() ?? 0)
            let origin = grid.origin(of: channel)
            if shape.count == 3 { figure.label(String(channel), x: origin.x, y: origin.y) }
            figure.drawPlane(x: origin.x, y: origin.y + grid.labelHeight, width: width, height: height, scale: scale) { row, column in
                let index = slice.startIndex + row * width + column
                guard index < slice.endIndex else { return .white }
                return ColorMap.grey(high > low ? (slice[index] - low) / (high - low) : 0)
            }
        }
        return figure.canvas
    }
}
