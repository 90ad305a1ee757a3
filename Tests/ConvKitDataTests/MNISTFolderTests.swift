import XCTest

@testable import ConvKitData

final class MNISTFolderTests: XCTestCase {
    private var folder: TemporaryFolder!
    private let names = DatasetKind.mnist.classNames

    override func setUpWithError() throws {
        folder = try TemporaryFolder()
    }

    override func tearDown() {
        folder.remove()
    }

    private func load() throws -> DatasetSplits {
        try MNISTFolder.load(directory: folder.path, name: "mnist", classNames: names, howToGet: "HOW")
    }

    private func assertLoadedPattern(_ splits: DatasetSplits, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(splits.train.count, 12, file: file, line: line)
        XCTAssertEqual(splits.test.count, 5, file: file, line: line)
        XCTAssertEqual([splits.train.channels, splits.train.height, splits.train.width], [1, 4, 3], file: file, line: line)
        XCTAssertEqual(splits.train.labels, (0..<12).map { Int32($0 % 10) }, file: file, line: line)
        // Image 7, row 2, col 1 of [N, 1, 4, 3].
        XCTAssertEqual(splits.train.images[7 * 12 + 2 * 3 + 1], Float(mnistPixel(sample: 7, row: 2, col: 1)) / 255,
                       accuracy: 1e-7, file: file, line: line)
        XCTAssertEqual(splits.test.images[4 * 12 + 3 * 3 + 2], Float(mnistPixel(sample: 4, row: 3, col: 2)) / 255,
                       accuracy: 1e-7, file: file, line: line)
    }

    func testPlainFolder() throws {
        try writeMNISTFolder(folder)
        assertLoadedPattern(try load())
    }

    func testGzippedFolder() throws {
        try writeMNISTFolder(folder, gzip: true)
        assertLoadedPattern(try load())
    }

    func testDottedFileNamesOfSomeMirrors() throws {
        try writeMNISTFolder(folder, names: ["train-images.idx3-ubyte", "train-labels.idx1-ubyte",
                                             "t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte"])
        assertLoadedPattern(try load())
    }

    func testMissingFolderSaysHowToGetIt() {
        assertDataError(try DatasetKind.fashionMNIST.load(directory: folder.path + "/absent"),
                        contains: ["fashion-mnist not found", "/absent does not exist",
                                   "apt-get install dataset-fashion-mnist", "--data-dir"])
    }

    func testMissingFilesAreNamed() throws {
        try writeMNISTFolder(folder)
        try FileManager.default.removeItem(atPath: folder.path + "/t10k-labels-idx1-ubyte")
        assertDataError(try load(), contains: ["lacks t10k-labels-idx1-ubyte[.gz]", "HOW"])
    }

    func testLabelCountMustMatchImageCount() throws {
        try writeMNISTFolder(folder)
        try folder.write(idxBytes(dimensions: [11], payload: [UInt8](repeating: 1, count: 11)),
                         to: "train-labels-idx1-ubyte")
        assertDataError(try load(), contains: ["train-labels-idx1-ubyte", "has 11 labels", "has 12 images"])
    }

    func testLabelOutOfRange() throws {
        try writeMNISTFolder(folder)
        try folder.write(idxBytes(dimensions: [5], payload: [0, 1, 2, 10, 3]), to: "t10k-labels-idx1-ubyte")
        assertDataError(try load(), contains: ["label 10 of sample 3 is outside 0...9"])
    }

    func testImagesFileWithLabelLayout() throws {
        try writeMNISTFolder(folder)
        try folder.write(idxBytes(dimensions: [12], payload: [UInt8](repeating: 0, count: 12)),
                         to: "train-images-idx3-ubyte")
        assertDataError(try load(), contains: ["train-images-idx3-ubyte", "an images file must have 3 dimension(s)"])
    }

    func testTrainAndTestImageSizesMustAgree() throws {
        try writeMNISTFolder(folder)
        try folder.write(idxBytes(dimensions: [5, 2, 2], payload: [UInt8](repeating: 0, count: 20)),
                         to: "t10k-images-idx3-ubyte")
        assertDataError(try load(), contains: ["1×4×3", "1×2×2"])
    }

    func testDatasetsWithoutDefaultFolderAskForOne() {
        assertDataError(try DatasetKind.mnist.load(), contains: ["mnist has no default folder", "--data-dir"])
        assertDataError(try DatasetKind.cifar10.load(), contains: ["cifar10 has no default folder", "data_batch_1.bin"])
    }
}
