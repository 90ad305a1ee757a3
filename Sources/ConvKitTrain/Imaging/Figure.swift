/// The frame every inspection picture shares: a white canvas with a margin, a heading (font
/// scale 2) and detail lines (font scale 1) at the top, then a content area whose size the
/// caller gives. Drawing helpers place scaled planes and small labels in it.
struct Figure {
    static let margin = 12
    static let headingHeight = 14, detailHeight = 7, lineGap = 5
    static let ink = RGB(40, 40, 40)

    private(set) var canvas: Canvas
    /// The top-left corner of the content area.
    let contentX: Int, contentY: Int

    /// A figure whose content area is `contentWidth` × `contentHeight` pixels; the canvas is
    /// widened when a title line is wider than that.
    init(contentWidth: Int, contentHeight: Int, heading: String, details: [String]) {
        let titleWidth = ([BitmapFont.width(of: heading, scale: 2)] + details.map { BitmapFont.width(of: $0, scale: 1) }).max() ?? 0
        let titleHeight = Figure.headingHeight + details.count * (Figure.detailHeight + Figure.lineGap) + 2 * Figure.lineGap
        let width = max(contentWidth, titleWidth) + 2 * Figure.margin
        canvas = Canvas(width: width, height: contentHeight + titleHeight + 2 * Figure.margin)
        (contentX, contentY) = (Figure.margin, Figure.margin + titleHeight)
        BitmapFont.draw(heading, x: Figure.margin, y: Figure.margin, scale: 2, Figure.ink, on: &canvas)
        for (index, line) in details.enumerated() {
            let y = Figure.margin + Figure.headingHeight + Figure.lineGap + index * (Figure.detailHeight + Figure.lineGap)
            BitmapFont.draw(line, x: Figure.margin, y: y, scale: 1, Figure.ink, on: &canvas)
        }
    }

    /// Draws a `width` × `height` plane, each cell a `scale` × `scale` square, its top-left
    /// corner at (x, y) of the content area; `color(row, column)` gives each cell's colour.
    mutating func drawPlane(x: Int, y: Int, width: Int, height: Int, scale: Int, _ color: (_ row: Int, _ column: Int) -> RGB) {
        for row in 0..<height {
            for column in 0..<width {
                canvas.fill(x: contentX + x + column * scale, y: contentY + y + row * scale, width: scale, height: scale,
                            color(row, column))
            }
        }
    }

    /// Small text (font scale 1) with its top-left corner at (x, y) of the content area.
    mutating func label(_ text: String, x: Int, y: Int) {
        BitmapFont.draw(text, x: contentX + x, y: contentY + y, scale: 1, Figure.ink, on: &canvas)
    }
}

/// Equal tiles in rows of `columns`, each with an optional label line above it.
struct TileGrid: Equatable {
    let count: Int
    let columns: Int
    let tileWidth: Int, tileHeight: Int
    let labelHeight: Int
    static let gap = 4

    var rows: Int { (count + columns - 1) / columns }
    var width: Int { columns * tileWidth + (columns - 1) * TileGrid.gap }
    var height: Int { rows * (labelHeight + tileHeight) + (rows - 1) * TileGrid.gap }

    /// The top-left corner of tile `index`'s label (its plane starts `labelHeight` lower).
    func origin(of index: Int) -> (x: Int, y: Int) {
        ((index % columns) * (tileWidth + TileGrid.gap), (index / columns) * (labelHeight + tileHeight + TileGrid.gap))
    }

    /// Columns for `count` tiles: at least 8 (or `count`), about a square grid beyond 64.
    static func columns(for count: Int) -> Int {
        min(count, max(8, Int(Double(count).squareRoot().rounded(.up))))
    }

    /// The integer magnification that brings a side of `size` pixels near `target` (at least 1).
    static func scale(for size: Int, target: Int) -> Int { max(1, target / max(size, 1)) }
}
