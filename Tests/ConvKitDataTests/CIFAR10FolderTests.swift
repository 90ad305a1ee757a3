import XCTest

@testable import ConvKitData

final class CIFAR10FolderTests: XCTestCase {
    private var folder: TemporaryFolder!

    override func setUpWithError() throws {
        folder = try TemporaryFolder()
    }

    override func tearDown() {
        folder.remove()
    }

    /// Pixel byte of the `record`-th image of file `fileIndex` at channel, row, col.
    private func pixel(_ fileIndex: Int, _ record: Int, _ channel: Int, _ row: Int, _ col: Int) -> UInt8 {
        UInt8((fileIndex * 53 + record * 17 + channel * 101 + row * 5 + col) % 256)
    }

    private func records(fileIndex: Int, count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for record in 0..<count {
            bytes.append(UInt8((fileIndex + record) % 10))
            for channel in 0..<3 {
                for row in 0..<32 {
                    for col in 0..<32 { bytes.append(pixel(fileIndex, record, channel, row, col)) }
                }
            }
        }
        return bytes
    }

    /// Five training files of 2 records each and a test file of 3, under `subfolder`.
    private func writeFolder(subfolder: String = "") throws {
        for index in 1...5 {
            try folder.write(records(fileIndex: index, count: 2), to: subfolder + "data_batch_\(index).bin")
        }
        try folder.write(records(fileIndex: 0, count: 3), to: subfolder + "test_batch.bin")
    }

    func testLayout() throws {
        try writeFolder()
        let splits = try CIFAR10Folder.load(directory: folder.path, howToGet: "HOW")
        XCTAssertEqual(splits.train.count, 10)
        XCTAssertEqual(splits.test.count, 3)
        XCTAssertEqual([splits.train.channels, splits.train.height, splits.train.width], [3, 32, 32])
        // Files are read in order: training sample 2·(file − 1) + record.
        XCTAssertEqual(splits.train.labels, [1, 2, 2, 3, 3, 4, 4, 5, 5, 6])
        XCTAssertEqual(splits.test.labels, [0, 1, 2])
        let sample = 2 * (4 - 1) + 1, channel = 2, row = 7, col = 30
        let index = ((sample * 3 + channel) * 32 + row) * 32 + col
        XCTAssertEqual(splits.train.images[index], Float(pixel(4, 1, channel, row, col)) / 255, accuracy: 1e-7)
        XCTAssertEqual(splits.train.classNames[3], "cat")
    }

    func testFolderAsTheArchiveUnpacksIt() throws {
        try writeFolder(subfolder: "cifar-10-batches-bin/")
        XCTAssertEqual(try DatasetKind.cifar10.load(directory: folder.path).test.count, 3)
    }

    func testSizeNotAMultipleOfTheRecord() throws {
        try writeFolder()
        try folder.write(Array(records(fileIndex: 3, count: 2).dropLast(100)), to: "data_batch_3.bin")
        assertDataError(try CIFAR10Folder.load(directory: folder.path, howToGet: ""),
                        contains: ["data_batch_3.bin", "size 6046 bytes is not a positive multiple of 3073"])
    }

    func testLabelOutOfRange() throws {
        try writeFolder()
        var bytes = records(fileIndex: 0, count: 3)
        bytes[3073] = 12
        try folder.write(bytes, to: "test_batch.bin")
        assertDataError(try CIFAR10Folder.load(directory: folder.path, howToGet: ""),
                        contains: ["test_batch.bin", "record 1 has label 12"])
    }

    func testMissingFile() throws {
        try writeFolder()
        try FileManager.default.removeItem(atPath: folder.path + "/data_batch_5.bin")
        assertDataError(try CIFAR10Folder.load(directory: folder.path, howToGet: "HOW"),
                        contains: ["lacks data_batch_5.bin", "HOW"])
    }
}
