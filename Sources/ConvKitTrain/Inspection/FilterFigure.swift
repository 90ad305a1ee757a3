import ConvKitNN

/// The picture of a convolution's learned filters, on one colour scale for the whole layer
/// so that filters compare: a weight w is drawn at ½ + ½·w / max|w| of the
/// ``ColorMap/diverging`` map (blue negative, white zero, red positive).
///
/// - One input channel per output (a first layer on grey images, a depthwise conv): a tile per
///   output channel, numbered.
/// - Three input channels per output (a first layer on RGB images): a colour tile per output,
///   red, green and blue from the kernels of input channels 0, 1, 2 (½ = zero).
/// - Otherwise a matrix: row o, column i is the kernel output o applies to input i, for the
///   first ``limit`` outputs and inputs.
public enum FilterFigure {
    /// The most outputs (rows) and inputs (columns) a matrix shows.
    public static let limit = 64
    /// Side, in pixels, that a tile is magnified towards: a numbered tile, a matrix cell.
    static let tileTarget = 40, cellTarget = 18

    enum Mode: Equatable { case perOutput, colour, matrix }

    /// How `filters` are drawn: the mode, the grid, the magnification of a kernel cell, and the
    /// outputs and inputs shown.
    static func layout(_ filters: ConvolutionFilters) -> (mode: Mode, grid: TileGrid, scale: Int, outputs: Int, inputs: Int) {
        let (kh, kw) = (filters.kernelHeight, filters.kernelWidth)
        switch filters.inputsPerOutput {
        case 1, 3:
            let scale = TileGrid.scale(for: max(kh, kw), target: tileTarget)
            let grid = TileGrid(count: filters.outputs, columns: TileGrid.columns(for: filters.outputs), tileWidth: kw * scale,
                                tileHeight: kh * scale, labelHeight: Figure.detailHeight + 2)
            return (filters.inputsPerOutput == 1 ? .perOutput : .colour, grid, scale, filters.outputs, filters.inputsPerOutput)
        default:
            let scale = TileGrid.scale(for: max(kh, kw), target: cellTarget)
            let (outputs, inputs) = (min(filters.outputs, limit), min(filters.inputsPerOutput, limit))
            let grid = TileGrid(count: outputs * inputs, columns: inputs, tileWidth: kw * scale, tileHeight: kh * scale, labelHeight: 0)
            return (.matrix, grid, scale, outputs, inputs)
        }
    }

    /// max|w| over the layer: the weight drawn at either end of the colour scale.
    public static func range(_ filters: ConvolutionFilters) -> Float { filters.values.map(abs).max() ?? 0 }

    public static func render(_ filters: ConvolutionFilters, heading: String, details: [String]) -> Canvas {
        let (mode, grid, scale, outputs, inputs) = layout(filters)
        let range = FilterFigure.range(filters)
        func position(_ w: Float) -> Float { range > 0 ? 0.5 + 0.5 * w / range : 0.5 }
        let (kh, kw) = (filters.kernelHeight, filters.kernelWidth)
        var figure = Figure(contentWidth: grid.width, contentHeight: grid.height, heading: heading, details: details)
        for output in 0..<outputs {
            for input in 0..<(mode == .matrix ? inputs : 1) {
                let index = mode == .matrix ? output * inputs + input : output
                let origin = grid.origin(of: index)
                if mode != .matrix { figure.label(String(output), x: origin.x, y: origin.y) }
                let kernels = (0..<(mode == .colour ? 3 : 1)).map { filters.kernel(output: output, input: input + $0) }
                figure.drawPlane(x: origin.x, y: origin.y + grid.labelHeight, width: kw, height: kh, scale: scale) { row, column in
                    let values = kernels.map { $0[$0.startIndex + row * kw + column] }
                    guard mode == .colour else { return ColorMap.diverging(position(values[0])) }
                    let bytes = values.map { UInt8((min(max(position($0), 0), 1) * 255).rounded()) }
                    return RGB(bytes[0], bytes[1], bytes[2])
                }
            }
        }
        return figure.canvas
    }
}
