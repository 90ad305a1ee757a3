import CZlib
import Foundation
import XCTest

@testable import ConvKitData

/// A fresh folder under the system's temporary directory, removed by `remove()`.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("convkit-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `name` in the folder and returns the full path.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// An IDX file's bytes, written independently of the reader: two zero bytes,
/// the dtype, the rank, big-endian UInt32 dimensions, then `payload`.
func idxBytes(dtype: UInt8 = 0x08, dimensions: [Int], payload: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, dtype, UInt8(dimensions.count)]
    for size in dimensions {
        bytes += [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
    }
    return bytes + payload
}

/// `bytes` as one gzip member (zlib's deflate with a gzip wrapper).
func gzipped(_ bytes: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    let initialized = deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                    zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    precondition(initialized == Z_OK, "deflateInit2 failed")
    defer { deflateEnd(&stream) }
    var input = bytes
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
    let written = input.withUnsafeMutableBufferPointer { source in
        output.withUnsafeMutableBufferPointer { target -> Int in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            stream.next_out = target.baseAddress
            stream.avail_out = UInt32(target.count)
            precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END, "deflate did not finish")
            return target.count - Int(stream.avail_out)
        }
    }
    return Array(output[..<written])
}

/// Pixel byte of image `sample` at (row, col) in the generated MNIST-layout files.
func mnistPixel(sample: Int, row: Int, col: Int) -> UInt8 {
    UInt8((sample * 31 + row * 7 + col * 3) % 256)
}

/// Writes the four MNIST-layout files for `trainCount` and `testCount`
/// images of rows × cols into `folder`, gzipped when `gzip`; labels are
/// sample % 10. `names` overrides the file names.
func writeMNISTFolder(_ folder: TemporaryFolder, trainCount: Int = 12, testCount: Int = 5, rows: Int = 4,
                      cols: Int = 3, gzip: Bool = false, names: [String]? = nil) throws {
    let fileNames = names ?? ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                              "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"].map { gzip ? $0 + ".gz" : $0 }
    for (split, count) in [(0, trainCount), (1, testCount)] {
        var pixels: [UInt8] = []
        for sample in 0..<count {
            for row in 0..<rows {
                for col in 0..<cols { pixels.append(mnistPixel(sample: sample, row: row, col: col)) }
            }
        }
        let images = idxBytes(dimensions: [count, rows, cols], payload: pixels)
        let labels = idxBytes(dimensions: [count], payload: (0..<count).map { UInt8($0 % 10) })
        try folder.write(gzip ? gzipped(images) : images, to: fileNames[2 * split])
        try folder.write(gzip ? gzipped(labels) : labels, to: fileNames[2 * split + 1])
    }
}

/// Asserts that `body` throws a DataError whose description contains every one of `fragments`.
func assertDataError<T>(_ body: @autoclosure () throws -> T, contains fragments: [String],
                        file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a DataError containing \(fragments)", file: file, line: line)
    } catch let error as DataError {
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "\"\(error)\" lacks \"\(fragment)\"", file: file, line: line)
        }
    } catch {
        XCTFail("expected a DataError, got \(error)", file: file, line: line)
    }
}
