import ConvKit
import ConvKitData
import ConvKitNN
@testable import ConvKitTrain
import Foundation
import XCTest

/// `convkit visualize`'s pictures: their layout and pixels, the PNG files, the whole run on a
/// fashion-cnn, the errors it reports, and the hooks reaching every layer of every model.
final class VisualizerTests: XCTestCase {
    private var context: Context!
    private var directory: String!

    override func setUpWithError() throws {
        context = try Context(backend: .cpu, threads: 2)
        directory = NSTemporaryDirectory() + "convkit-visualize-\(UUID().uuidString)"
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    /// A fashion-cnn for 1×14×14 Fashion-MNIST-named classes with a normalization, and one image.
    private func setup() throws -> (recipe: ModelRecipe, model: any Module, image: DisplayImage) {
        let sample = try Dataset(name: "sample", images: [Float](repeating: 0, count: 196), labels: [0], channels: 1, height: 14,
                                 width: 14, classNames: DatasetKind.fashionMNIST.classNames)
        let recipe = ModelRecipe(model: .fashionCNN, widthMultiplier: 0.125, dataset: "fashion-mnist", sample: sample,
                                 normalization: ChannelStatistics(mean: [0.29], std: [0.35]))
        let model = try recipe.makeModel(seed: 3, on: context)
        let pixels = try Tensor.randomUniform([196], seed: 4, on: context).scalars
        return (recipe, model, DisplayImage(channels: 1, height: 14, width: 14, pixels: pixels))
    }

    /// The matrix of a 4 → 8 conv's 3×3 kernels with a one-letter heading: cells of 3 · 6 = 18
    /// pixels (magnified towards 18), 4 columns and 8 rows with 4-pixel gaps: 4·18 + 3·4 = 84 by
    /// 8·18 + 7·4 = 172; the figure adds 12-pixel margins and a heading block of 14 + 2·5 = 24
    /// pixels: 108 × 220. The PNG has those dimensions and every pixel; each kernel weight w is
    /// drawn at ½ + ½·w / max|w| of the diverging map.
    func testFilterMatrixLayoutPixelsAndPNG() throws {
        let conv = try Conv2D(inChannels: 4, outChannels: 8, kernelSize: (3, 3), seed: 5, on: context)
        let filters = try ConvolutionFilters(model: Sequential([conv]), layer: "0")
        let layout = FilterFigure.layout(filters)
        XCTAssertEqual(layout.mode, .matrix)
        XCTAssertEqual([layout.grid.width, layout.grid.height, layout.scale], [84, 172, 6])
        let canvas = FilterFigure.render(filters, heading: "t", details: [])
        XCTAssertEqual([canvas.width, canvas.height], [108, 220])

        let range = FilterFigure.range(filters)
        XCTAssertEqual(range, try conv.weight.scalars.map(abs).max())
        for (output, input, row, column) in [(0, 0, 0, 0), (7, 3, 2, 2), (5, 1, 1, 2)] {
            let w = filters.kernel(output: output, input: input)[filters.kernel(output: output, input: input).startIndex + row * 3 + column]
            let x = 12 + input * 22 + column * 6 + 3, y = 36 + output * 22 + row * 6 + 3
            XCTAssertEqual(canvas.pixel(x: x, y: y), ColorMap.diverging(0.5 + 0.5 * w / range), "kernel \(output), \(input)")
        }

        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/filters.png"
        try canvas.writePNG(to: path)
        let rgb = try PNGReader.read(path, channels: 3, height: 220, width: 108)
        for (x, y) in [(0, 0), (50, 100), (107, 219), (12 + 3, 36 + 3)] {
            let pixel = try XCTUnwrap(canvas.pixel(x: x, y: y))
            XCTAssertEqual(rgb[y * 108 + x], Float(pixel.red) / 255)
            XCTAssertEqual(rgb[2 * 220 * 108 + y * 108 + x], Float(pixel.blue) / 255)
        }
    }

    /// One input channel per output: numbered tiles in rows of 8; three: colour tiles.
    func testFilterTilesForFirstLayers() throws {
        let grey = try ConvolutionFilters(model: Sequential([try Conv2D(inChannels: 1, outChannels: 12, kernelSize: (5, 5), seed: 6,
                                                                        on: context)]), layer: "0")
        let layout = FilterFigure.layout(grey)
        // 5 · 8 = 40-pixel tiles under 9-pixel labels: 8·40 + 7·4 = 348 wide, 2·(9 + 40) + 4 = 102 high.
        XCTAssertEqual(layout.mode, .perOutput)
        XCTAssertEqual([layout.grid.columns, layout.grid.rows, layout.grid.width, layout.grid.height], [8, 2, 348, 102])
        let colour = try ConvolutionFilters(model: Sequential([try Conv2D(inChannels: 3, outChannels: 4, kernelSize: (3, 3), seed: 7,
                                                                          on: context)]), layer: "0")
        XCTAssertEqual(FilterFigure.layout(colour).mode, .colour)
        let canvas = FilterFigure.render(colour, heading: "t", details: [])
        let range = FilterFigure.range(colour)
        // Output 2's tile starts at x = 2·(39 + 4) with cells of 13 pixels (39 / 3), under a label.
        let x = 12 + 2 * 43 + 13 + 6, y = 36 + 9 + 26 + 6
        let expected = (0..<3).map { channel -> UInt8 in
            let w = colour.kernel(output: 2, input: channel)[colour.kernel(output: 2, input: channel).startIndex + 2 * 3 + 1]
            return UInt8(((0.5 + 0.5 * w / range) * 255).rounded())
        }
        XCTAssertEqual(canvas.pixel(x: x, y: y), RGB(expected[0], expected[1], expected[2]))
    }

    /// Activation tiles: each channel from its minimum (black) to its maximum (white); a dense
    /// layer's features as one near-square tile.
    func testActivationTilesAreScaledPerChannel() throws {
        let values: [Float] = [0, 1, 2, 3, /* channel 1 */ -4, -4, -4, -4, /* channel 2 */ 10, 30, 20, 10]
        let (grid, scale) = ActivationFigure.layout(channels: 3, height: 2, width: 2)
        XCTAssertEqual(scale, 28)
        XCTAssertEqual([grid.columns, grid.width, grid.height], [3, 3 * 56 + 2 * 4, 9 + 56])
        let canvas = ActivationFigure.render(values, shape: [3, 2, 2], heading: "t", details: [])
        XCTAssertEqual([canvas.width, canvas.height], [grid.width + 24, grid.height + 24 + 24])
        func cell(_ channel: Int, _ row: Int, _ column: Int) -> RGB? {
            canvas.pixel(x: 12 + channel * 60 + column * 28 + 5, y: 36 + 9 + row * 28 + 5)
        }
        XCTAssertEqual(cell(0, 0, 0), .black)
        XCTAssertEqual(cell(0, 1, 1), .white)
        XCTAssertEqual(cell(0, 0, 1), ColorMap.grey(1 / 3))
        XCTAssertEqual(cell(1, 1, 0), .black, "a constant channel is black")
        XCTAssertEqual(cell(2, 0, 1), .white)
        XCTAssertEqual(cell(2, 1, 0), ColorMap.grey(0.5))

        let dense = ActivationFigure.render((0..<10).map(Float.init), shape: [10], heading: "t", details: [])
        // ⌈√10⌉ = 4 columns, 3 rows of cells magnified 14 times (56 / 4).
        XCTAssertEqual([dense.width, dense.height], [4 * 14 + 24, 3 * 14 + 9 + 48])
    }

    /// Grad-CAM: input, map, overlay; saliency: input and map; each panel 14 · 12 = 168 pixels.
    func testAttributionPanels() throws {
        let image = DisplayImage(channels: 1, height: 14, width: 14, pixels: (0..<196).map { Float($0) / 195 })
        let map = ArraySlice((0..<196).map { Float($0 % 14) / 13 })
        let cam = AttributionFigure.gradCAM(image: image, map: map, heading: "t", details: [])
        let size = AttributionFigure.contentSize(image, panels: 3)
        XCTAssertEqual(size.width, 3 * 168 + 2 * 8)
        XCTAssertEqual([cam.width, cam.height], [size.width + 24, size.height + 48])
        // Pixel (row 5, column 13) of each panel.
        let (row, column) = (5, 13)
        let y = 36 + row * 12 + 6
        let input = image.color(row: row, column: column), heat = ColorMap.rainbow(map[row * 14 + column])
        XCTAssertEqual(cam.pixel(x: 12 + column * 12 + 6, y: y), input)
        XCTAssertEqual(cam.pixel(x: 12 + 176 + column * 12 + 6, y: y), heat)
        XCTAssertEqual(cam.pixel(x: 12 + 352 + column * 12 + 6, y: y), input.blended(with: heat, weight: AttributionFigure.overlayWeight))
        XCTAssertEqual(heat, ColorMap.rainbow.anchors.last, "the map's maximum gets the last colour")

        let saliency = AttributionFigure.saliency(image: image, map: map, heading: "t", details: [])
        XCTAssertEqual(saliency.width, AttributionFigure.contentSize(image, panels: 2).width + 24)
        XCTAssertEqual(saliency.pixel(x: 12 + 176 + 6, y: 36 + 6), ColorMap.heat(0))
        XCTAssertEqual(ColorMap.heat(0), .black)
        XCTAssertEqual(ColorMap.grey(0.5), RGB(128, 128, 128))
        XCTAssertEqual(ColorMap.diverging(0.5), .white)
    }

    /// The whole run writes the four pictures as PNG files whose sizes are those of the figures.
    func testRunWritesTheFourPictures() throws {
        let (recipe, model, image) = try setup()
        let request = VisualizationRequest(layer: "features.3", gradCAMLayer: "features.12", classIndex: 7,
                                           outputDirectory: directory + "/out")
        let report = try Visualizer.run(model: model, recipe: recipe, image: image, imageName: "sample", request: request,
                                        context: context)
        XCTAssertEqual(report.files.map(\.kind), VisualizationKind.allCases)
        XCTAssertEqual(report.classIndex, 7)
        XCTAssertEqual(report.layerShape, [1, 4, 14, 14])
        XCTAssertEqual(report.probabilities.reduce(0, +), 1, accuracy: 1e-5)
        XCTAssertTrue(model.isTraining, "the model's mode is restored")
        for (kind, path) in report.files {
            XCTAssertEqual((path as NSString).lastPathComponent, "\(kind.rawValue).png")
            let (width, height) = try pngSize(path)
            switch kind {
            case .activations:
                let (grid, _) = ActivationFigure.layout(channels: 4, height: 14, width: 14)
                XCTAssertEqual(height, grid.height + 24 + 24 + 2 * 12, "heading and two detail lines")
                XCTAssertGreaterThanOrEqual(width, grid.width + 24)
            case .filters:
                XCTAssertEqual(height, FilterFigure.layout(try ConvolutionFilters(model: model, layer: "features.3")).grid.height + 24 + 24 + 24)
            case .saliency, .gradcam:
                let size = AttributionFigure.contentSize(image, panels: kind == .gradcam ? 3 : 2)
                XCTAssertEqual(height, size.height + 24 + 24 + (kind == .gradcam ? 3 : 2) * 12)
                XCTAssertGreaterThanOrEqual(width, size.width + 24)
            }
        }
        // Only what is asked for.
        let only = try Visualizer.run(model: model, recipe: recipe, image: image, imageName: "sample",
                                      request: VisualizationRequest(layer: "features.12", kinds: [.gradcam],
                                                                    outputDirectory: directory + "/only"), context: context)
        XCTAssertEqual(only.files.map(\.kind), [.gradcam])
        XCTAssertEqual(only.classIndex, only.predicted)
    }

    /// Every problem is reported, typed, before a file is written.
    func testErrorsComeBeforeAnyFile() throws {
        let (recipe, model, image) = try setup()
        func run(_ request: VisualizationRequest, _ check: (Error) -> Void) {
            XCTAssertThrowsError(try Visualizer.run(model: model, recipe: recipe, image: image, imageName: "sample",
                                                    request: request, context: context), "", file: #filePath, line: #line, check)
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "nothing written")
        }
        run(VisualizationRequest(layer: "features.99", outputDirectory: directory)) { error in
            guard case .unknownLayer("features.99", let names)? = error as? InspectionError else { return XCTFail("\(error)") }
            XCTAssertEqual(names.first, "features")
            XCTAssertTrue("\(error)".contains("features.0, features.1,"), "\(error)")
        }
        run(VisualizationRequest(layer: "features.2", outputDirectory: directory)) { error in
            XCTAssertEqual(error as? InspectionError,
                           .notAConvolution(layer: "features.2", type: "LeakyReLU",
                                            convolutions: ["features.0", "features.3", "features.7", "features.10"]))
        }
        run(VisualizationRequest(layer: "features.3", gradCAMLayer: "classifier.4", outputDirectory: directory)) { error in
            XCTAssertEqual(error as? InspectionError, .noFeatureMap(layer: "classifier.4", type: "Dense", shape: [1, 128]))
        }
        run(VisualizationRequest(layer: "features.3", classIndex: 10, outputDirectory: directory)) { error in
            XCTAssertEqual(error as? InspectionError, .classOutOfRange(10, classCount: 10))
        }
        let small = DisplayImage(channels: 1, height: 12, width: 12, pixels: [Float](repeating: 0, count: 144))
        XCTAssertThrowsError(try Visualizer.run(model: model, recipe: recipe, image: small, imageName: "small",
                                                request: VisualizationRequest(layer: "features.3", outputDirectory: directory),
                                                context: context)) { error in
            XCTAssertTrue("\(error)".contains("the image is 1×12×12, the model takes 1×14×14"), "\(error)")
        }
        XCTAssertThrowsError(try Checkpoint.read(from: directory + "/missing.safetensors")) { error in
            let failure = error as? CheckpointError
            XCTAssertEqual(failure?.kind, .io)
            XCTAssertEqual(failure?.file, directory + "/missing.safetensors")
        }
    }

    /// Classes by index, by name (case, spaces and punctuation aside) or by a name's unique start.
    func testClassesByIndexOrName() throws {
        let (recipe, _, _) = try setup()
        XCTAssertEqual(try recipe.classIndex(for: "7"), 7)
        XCTAssertEqual(try recipe.classIndex(for: "sneaker"), 7)
        XCTAssertEqual(try recipe.classIndex(for: "Ankle boot"), 9)
        XCTAssertEqual(try recipe.classIndex(for: "ankle-boot"), 9)
        XCTAssertEqual(try recipe.classIndex(for: "tshirt"), 0)
        XCTAssertEqual(try recipe.classIndex(for: "T-shirt/top"), 0)
        XCTAssertThrowsError(try recipe.classIndex(for: "10")) { error in
            XCTAssertEqual(error as? InspectionError, .classOutOfRange(10, classCount: 10))
        }
        XCTAssertThrowsError(try recipe.classIndex(for: "t")) { error in
            XCTAssertEqual(error as? InspectionError, .unknownClass("t", classNames: recipe.classNames), "T-shirt or Trouser")
            XCTAssertTrue("\(error)".contains("0 T-shirt/top, 1 Trouser,"), "\(error)")
        }
        XCTAssertThrowsError(try recipe.classIndex(for: "cat"))
    }

    /// Every container and model reports each of its submodules to the hooks, so every name
    /// `--list-layers` prints can be captured.
    func testEveryLayerOfEveryModelIsReached() throws {
        for kind in ModelKind.allCases {
            let model = try kind.make(for: ModelInput(channels: 1, height: 28, width: 28, classes: 10), widthMultiplier: 0.25,
                                      seed: 1, on: context)
            let names = model.namedSubmodules().map(\.name)
            XCTAssertFalse(names.isEmpty, "\(kind)")
            let x = try Tensor.zeros([1, 1, 28, 28], on: context)
            let (_, captured) = try withNoGrad { try model.evaluating { try model(x, capturing: names) } }
            XCTAssertEqual(captured.count, names.count, "\(kind)")
        }
        let (recipe, model, _) = try setup()
        let layers = try Visualizer.layers(of: model, recipe: recipe, context: context)
        XCTAssertEqual(layers.first { $0.name == "features.13" }?.shape, [1, 8, 3, 3])
        XCTAssertEqual(layers.first { $0.name == "classifier.7" }?.type, "Dense")
    }

    /// (width, height) of a PNG file, from its header.
    private func pngSize(_ path: String) throws -> (Int, Int) {
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "PNG signature")
        func uint32(_ offset: Int) -> Int { bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (uint32(16), uint32(20))  // IHDR: width and height after the 8-byte signature and chunk header
    }
}
