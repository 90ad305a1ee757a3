import XCTest

@testable import ConvKitData

final class IDXFileTests: XCTestCase {
    private var folder: TemporaryFolder!

    override func setUpWithError() throws {
        folder = try TemporaryFolder()
    }

    override func tearDown() {
        folder.remove()
    }

    private let payload: [UInt8] = (0..<24).map { UInt8($0 * 10) }

    func testPlainRoundTrip() throws {
        let path = try folder.write(idxBytes(dimensions: [2, 3, 4], payload: payload), to: "images-idx3-ubyte")
        let file = try IDXFile(path: path)
        XCTAssertEqual(file.elementType, .uint8)
        XCTAssertEqual(file.dimensions, [2, 3, 4])
        XCTAssertEqual(try file.unsignedBytes(rank: 3, of: "images"), payload)
    }

    func testGzipRoundTrip() throws {
        let path = try folder.write(gzipped(idxBytes(dimensions: [24], payload: payload)), to: "labels-idx1-ubyte.gz")
        XCTAssertEqual(try IDXFile(path: path).unsignedBytes(rank: 1, of: "labels"), payload)
    }

    func testGzipIsRecognizedByContentNotName() throws {
        let path = try folder.write(gzipped(idxBytes(dimensions: [24], payload: payload)), to: "labels-idx1-ubyte")
        XCTAssertEqual(try IDXFile(path: path).payload, payload)
    }

    func testConcatenatedGzipMembers() throws {
        let bytes = idxBytes(dimensions: [24], payload: payload)
        let path = try folder.write(gzipped(Array(bytes[..<10])) + gzipped(Array(bytes[10...])), to: "two.gz")
        XCTAssertEqual(try IDXFile(path: path).payload, payload)
    }

    func testOtherDtypesAreSizedByTheirElementSize() throws {
        let floats = idxBytes(dtype: 0x0D, dimensions: [2, 3], payload: [UInt8](repeating: 0, count: 24))
        let file = try IDXFile(bytes: floats, path: "f")
        XCTAssertEqual(file.elementType, .float32)
        assertDataError(try file.unsignedBytes(rank: 2, of: "an images file"),
                        contains: ["f:", "0x0D (float32)", "0x08 (unsigned byte)"])
    }

    func testBadMagic() throws {
        var bytes = idxBytes(dimensions: [24], payload: payload)
        bytes[0] = 0x12
        let path = try folder.write(bytes, to: "bad-magic")
        assertDataError(try IDXFile(path: path), contains: [path, "bad magic number 0x12000801"])
    }

    func testUnknownDtype() {
        assertDataError(try IDXFile(bytes: idxBytes(dtype: 0x07, dimensions: [24], payload: payload), path: "p"),
                        contains: ["p:", "unknown IDX dtype 0x07"])
    }

    func testRankZeroAndZeroDimension() {
        assertDataError(try IDXFile(bytes: [0, 0, 8, 0], path: "p"), contains: ["rank is 0"])
        assertDataError(try IDXFile(bytes: idxBytes(dimensions: [2, 0, 4], payload: []), path: "p"),
                        contains: ["dimension 1 is 0"])
    }

    func testWrongRankForImages() throws {
        let file = try IDXFile(bytes: idxBytes(dimensions: [6, 4], payload: payload), path: "p")
        assertDataError(try file.unsignedBytes(rank: 3, of: "an images file"),
                        contains: ["must have 3 dimension(s)", "[6, 4]"])
    }

    func testDimensionsThatOverflow() {
        let bytes = idxBytes(dimensions: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], payload: [])
        assertDataError(try IDXFile(bytes: bytes, path: "p"), contains: ["more elements than memory can hold"])
    }

    func testTruncatedHeaderAndData() throws {
        let bytes = idxBytes(dimensions: [2, 3, 4], payload: payload)
        assertDataError(try IDXFile(bytes: [0, 0], path: "p"), contains: ["too short for an IDX header"])
        assertDataError(try IDXFile(bytes: Array(bytes[..<9]), path: "p"), contains: ["truncated header"])
        let path = try folder.write(Array(bytes.dropLast(5)), to: "short")
        assertDataError(try IDXFile(path: path), contains: [path, "truncated", "need 24 data bytes, the file has 19"])
    }

    func testTrailingBytes() {
        assertDataError(try IDXFile(bytes: idxBytes(dimensions: [24], payload: payload + [1, 2]), path: "p"),
                        contains: ["2 unexpected bytes after the 24 data bytes"])
    }

    func testCorruptGzip() throws {
        var bytes = gzipped(idxBytes(dimensions: [24], payload: payload))
        for i in 10..<(bytes.count - 8) { bytes[i] ^= 0x5A }
        let path = try folder.write(bytes, to: "corrupt.gz")
        assertDataError(try IDXFile(path: path), contains: [path, "corrupt gzip data"])
    }

    func testGzipWithBadChecksum() throws {
        var bytes = gzipped(idxBytes(dimensions: [24], payload: payload))
        bytes[bytes.count - 6] ^= 0xFF
        assertDataError(try IDXFile(path: folder.write(bytes, to: "crc.gz")), contains: ["corrupt gzip data"])
    }

    func testTruncatedGzip() throws {
        let bytes = gzipped(idxBytes(dimensions: [24], payload: payload))
        let path = try folder.write(Array(bytes.dropLast(12)), to: "truncated.gz")
        assertDataError(try IDXFile(path: path), contains: [path, "truncated gzip stream"])
    }

    func testGarbageAfterGzip() throws {
        let bytes = gzipped(idxBytes(dimensions: [24], payload: payload)) + [1, 2, 3]
        assertDataError(try IDXFile(path: folder.write(bytes, to: "tail.gz")), contains: ["3 bytes of trailing garbage"])
    }

    func testMissingFile() {
        let path = folder.path + "/nothing-here"
        assertDataError(try IDXFile(path: path), contains: [path, "no such file"])
    }
}
