import CPNG
import ConvKitData
import Foundation

/// Reading PNG images for prediction (libpng's simplified `png_image` API, which converts any
/// PNG — palette, grey, 16-bit, with alpha — to 8-bit grey or RGB).
public enum PNGReader {
    /// The image at `path` as `channels` × height × width floats in [0, 1] (channels 1: grey,
    /// 3: RGB planes, CHW). Throws ``TrainingError`` for an unreadable file or another size
    /// than `height` × `width` (images are not resized).
    public static func read(_ path: String, channels: Int, height: Int, width: Int) throws -> [Float] {
        guard channels == 1 || channels == 3 else {
            throw TrainingError.invalidOption("\(path): PNG input needs a model of 1 or 3 channels, not \(channels)")
        }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_file(&image, path) != 0 else { throw failure(path, image) }
        guard Int(image.width) == width, Int(image.height) == height else {
            throw TrainingError.invalidOption("\(path): the image is \(image.width)×\(image.height) pixels, "
                + "the model takes \(width)×\(height)")
        }
        image.format = channels == 1 ? png_uint_32(PNG_FORMAT_GRAY) : png_uint_32(PNG_FORMAT_RGB)
        var pixels = [UInt8](repeating: 0, count: channels * height * width)
        let finished = pixels.withUnsafeMutableBytes { bytes in
            png_image_finish_read(&image, nil, bytes.baseAddress, png_int_32(width * channels), nil)
        }
        guard finished != 0 else { throw failure(path, image) }
        let plane = height * width
        var chw = [Float](repeating: 0, count: pixels.count)
        for index in 0..<plane {
            for channel in 0..<channels { chw[channel * plane + index] = Float(pixels[index * channels + channel]) / 255 }
        }
        return chw
    }

    /// Every `*.png` in `folder`, sorted by name, as a data set for ``Inference`` (labels 0).
    public static func folder(_ folder: String, channels: Int, height: Int, width: Int,
                              classNames: [String]) throws -> (names: [String], images: Dataset) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.lowercased().hasSuffix(".png") }.sorted()
        } catch {
            throw TrainingError.invalidOption("\(folder): cannot list the folder: \(error.localizedDescription)")
        }
        guard !names.isEmpty else { throw TrainingError.invalidOption("\(folder): holds no .png files") }
        let pixels = try names.flatMap {
            try read((folder as NSString).appendingPathComponent($0), channels: channels, height: height, width: width)
        }
        let images = try Dataset(name: folder, images: pixels, labels: [Int32](repeating: 0, count: names.count),
                                 channels: channels, height: height, width: width, classNames: classNames)
        return (names, images)
    }

    private static func failure(_ path: String, _ image: png_image) -> TrainingError {
        let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return .invalidOption("\(path): not a readable PNG: \(message)")
    }
}
