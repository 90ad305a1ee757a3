import ConvKitNN

/// An input image for display: `channels` (1 grey or 3 RGB) planes of height × width values
/// in [0, 1] (the pixels before normalization), CHW.
public struct DisplayImage: Equatable, Sendable {
    public let channels: Int
    public let height: Int
    public let width: Int
    public let pixels: [Float]

    public init(channels: Int, height: Int, width: Int, pixels: [Float]) {
        (self.channels, self.height, self.width, self.pixels) = (channels, height, width, pixels)
    }

    /// The colour of pixel (row, column): grey for one channel, else channels 0, 1, 2 as RGB.
    func color(row: Int, column: Int) -> RGB {
        let plane = height * width, index = row * width + column
        func byte(_ channel: Int) -> UInt8 { UInt8((min(max(pixels[channel * plane + index], 0), 1) * 255).rounded()) }
        return channels >= 3 ? RGB(byte(0), byte(1), byte(2)) : RGB(byte(0), byte(0), byte(0))
    }
}

/// Saliency and Grad-CAM pictures: panels of the input's size, magnified to about
/// ``panelTarget`` pixels, side by side, each named below; a heat map panel has a colour bar
/// from 0 to 1 (its maximum) under it.
public enum AttributionFigure {
    static let panelTarget = 168
    static let labelGap = 4, barHeight = 8
    /// The weight of the Grad-CAM colour over the input in the overlay panel.
    public static let overlayWeight: Float = 0.5

    /// The magnification of an image of `height` × `width`.
    static func scale(height: Int, width: Int) -> Int { TileGrid.scale(for: max(height, width), target: panelTarget) }

    /// Input, then the saliency map (already in [0, 1]) in the ``ColorMap/heat`` colours.
    public static func saliency(image: DisplayImage, map: ArraySlice<Float>, heading: String, details: [String]) -> Canvas {
        render(image, heading: heading, details: details, panels: [
            ("input", nil, { image.color(row: $0, column: $1) }),
            ("saliency", .heat, { ColorMap.heat(map[map.startIndex + $0 * image.width + $1]) }),
        ])
    }

    /// Input, the Grad-CAM map (already in [0, 1], at the input's size) in the
    /// ``ColorMap/rainbow`` colours, and the map laid over the input with ``overlayWeight``.
    public static func gradCAM(image: DisplayImage, map: ArraySlice<Float>, heading: String, details: [String]) -> Canvas {
        func heat(_ row: Int, _ column: Int) -> RGB { ColorMap.rainbow(map[map.startIndex + row * image.width + column]) }
        return render(image, heading: heading, details: details, panels: [
            ("input", nil, { image.color(row: $0, column: $1) }),
            ("grad-cam", .rainbow, heat),
            ("overlay", nil, { image.color(row: $0, column: $1).blended(with: heat($0, $1), weight: overlayWeight) }),
        ])
    }

    /// The content size of `panels` panels of `image`: width, height.
    static func contentSize(_ image: DisplayImage, panels: Int) -> (width: Int, height: Int) {
        let scale = scale(height: image.height, width: image.width)
        let side = (image.width * scale, image.height * scale)
        return (panels * side.0 + (panels - 1) * 2 * TileGrid.gap,
                side.1 + labelGap + Figure.detailHeight + 2 * labelGap + barHeight + labelGap + Figure.detailHeight)
    }

    private static func render(_ image: DisplayImage, heading: String, details: [String],
                               panels: [(name: String, bar: ColorMap?, color: (Int, Int) -> RGB)]) -> Canvas {
        let scale = scale(height: image.height, width: image.width)
        let (panelWidth, panelHeight) = (image.width * scale, image.height * scale)
        let size = contentSize(image, panels: panels.count)
        var figure = Figure(contentWidth: size.width, contentHeight: size.height, heading: heading, details: details)
        for (index, panel) in panels.enumerated() {
            let x = index * (panelWidth + 2 * TileGrid.gap)
            figure.drawPlane(x: x, y: 0, width: image.width, height: image.height, scale: scale, panel.color)
            var y = panelHeight + labelGap
            figure.label(panel.name, x: x, y: y)
            guard let bar = panel.bar else { continue }
            y += Figure.detailHeight + 2 * labelGap
            figure.drawPlane(x: x, y: y, width: panelWidth, height: barHeight, scale: 1) { _, column in
                bar(Float(column) / Float(max(panelWidth - 1, 1)))
            }
            y += barHeight + labelGap
            figure.label("0", x: x, y: y)
            figure.label("1 = max", x: x + panelWidth - BitmapFont.width(of: "1 = max", scale: 1), y: y)
        }
        return figure.canvas
    }
}
