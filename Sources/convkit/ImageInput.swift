import ConvKitData
import ConvKitTrain
import Foundation

/// `--input` of `predict` and `visualize`: images as a checkpoint's model takes them, from an
/// IDX images file (N×H×W bytes, or N×C×H×W; optionally .gz), a folder of PNG files or one PNG
/// file of the model's size (grey for one channel, RGB for three), scaled to [0, 1].
enum ImageInput {
    static let help = "An IDX images file, a folder of .png files or one .png file."

    /// The images at `path`, each with a name for output: IDX rows by index ("file[3]"), PNGs by file name.
    static func load(_ path: String, for recipe: ModelRecipe) throws -> (names: [String], images: Dataset) {
        do {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw CommandFailure("\(path): no such file or folder")
            }
            if isFolder.boolValue {
                return try PNGReader.folder(path, channels: recipe.channels, height: recipe.height, width: recipe.width,
                                            classNames: recipe.classNames)
            }
            if path.lowercased().hasSuffix(".png") { return try pngFile(path, recipe) }
            return try idxImages(path, recipe)
        } catch let error as TrainingError {
            throw CommandFailure(error.description)
        } catch let error as DataError {
            throw CommandFailure(error.description)
        }
    }

    private static func pngFile(_ path: String, _ recipe: ModelRecipe) throws -> (names: [String], images: Dataset) {
        let pixels = try PNGReader.read(path, channels: recipe.channels, height: recipe.height, width: recipe.width)
        let images = try Dataset(name: path, images: pixels, labels: [0], channels: recipe.channels, height: recipe.height,
                                 width: recipe.width, classNames: recipe.classNames)
        return ([(path as NSString).lastPathComponent], images)
    }

    /// An IDX file of N×H×W bytes (or N×C×H×W), scaled to [0, 1].
    private static func idxImages(_ path: String, _ recipe: ModelRecipe) throws -> (names: [String], images: Dataset) {
        let file = try IDXFile(path: path)
        let expected = recipe.channels == 1 ? [recipe.height, recipe.width] : [recipe.channels, recipe.height, recipe.width]
        guard file.elementType == .uint8, file.dimensions.count == expected.count + 1, Array(file.dimensions.dropFirst()) == expected else {
            throw CommandFailure("\(path): holds \(file.elementType) \(file.dimensions); the model takes unsigned bytes "
                + "[N, \(expected.map(String.init).joined(separator: ", "))]")
        }
        let count = file.dimensions[0]
        let images = try Dataset(name: path, images: file.payload.map { Float($0) / 255 },
                                 labels: [Int32](repeating: 0, count: count), channels: recipe.channels,
                                 height: recipe.height, width: recipe.width, classNames: recipe.classNames)
        let name = (path as NSString).lastPathComponent
        return ((0..<count).map { "\(name)[\($0)]" }, images)
    }
}
