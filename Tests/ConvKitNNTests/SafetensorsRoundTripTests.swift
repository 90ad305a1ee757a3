import ConvKit
import ConvKitNN
import Foundation
import XCTest

/// The safetensors writer and reader: what is written reads back bit for bit, in the layout
/// the format prescribes.
final class SafetensorsRoundTripTests: XCTestCase {
    private var context: Context!
    private var scratch: ScratchFolder!

    override func setUpWithError() throws {
        context = try Context(backend: .cpu, threads: 2)
        scratch = try ScratchFolder()
    }

    override func tearDown() { scratch.remove() }

    func testEveryDtypeRoundTripsThroughAFile() throws {
        var file = SafetensorsFile(metadata: ["model": "resnet20", "note": "Grüße ✓ \"quoted\" / \\ \n"])
        try file.append("f32", SafetensorsTensor([1.5, -0.0, .infinity, .nan, Float.leastNonzeroMagnitude, 3], shape: [2, 3]))
        try file.append("f64", SafetensorsTensor([0.1, -1e300, .leastNonzeroMagnitude], shape: [3]))
        try file.append("i32", SafetensorsTensor([Int32.max, Int32.min, 0, -7], shape: [2, 2]))
        try file.append("i64", SafetensorsTensor(scalar: Int64.min))
        try file.append("u8", SafetensorsTensor([UInt8](0...255), shape: [16, 16]))
        try file.append("raw bf16", SafetensorsTensor(dtype: .bfloat16, shape: [2], bytes: [0x80, 0x3F, 0x00, 0xC0]))
        try file.append("empty", SafetensorsTensor([Float](), shape: [0, 4]))
        try file.append("layer1.0.conv1.weight", SafetensorsTensor([Float](repeating: 0.25, count: 8), shape: [2, 1, 2, 2]))
        let path = scratch.file("all.safetensors")
        try file.write(to: path)

        let read = try SafetensorsFile.read(from: path)
        XCTAssertEqual(read.metadata, file.metadata)
        XCTAssertEqual(read.names, file.names, "data order is kept")
        for name in file.names { XCTAssertEqual(read[name], file[name], name) }
        XCTAssertEqual(read["f32"]?.values(as: Float.self)?.map(\.bitPattern),
                       [1.5, -0.0, .infinity, .nan, Float.leastNonzeroMagnitude, 3].map { ($0 as Float).bitPattern })
        XCTAssertEqual(read["i64"]?.scalar(as: Int64.self), Int64.min)
        XCTAssertNil(read["i64"]?.scalar(as: Int32.self), "another dtype gives nil, not a reinterpretation")
        XCTAssertEqual(read["empty"]?.elementCount, 0)
        XCTAssertEqual(try file.encoded(), try readBytes(path), "write(to:) writes exactly encoded()")
    }

    func testLayoutFollowsTheFormat() throws {
        var file = SafetensorsFile()
        try file.append("b", SafetensorsTensor([Int32(1), 2, 3], shape: [3]))
        try file.append("a", SafetensorsTensor([1.0, 2.0], shape: [2]))
        let bytes = try file.encoded()
        let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        XCTAssertEqual((8 + headerLength) % 8, 0, "the data section starts 8-byte aligned")
        XCTAssertEqual(bytes.count, 8 + headerLength + 12 + 16)
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[8..<8 + headerLength])) as? [String: Any])
        XCTAssertNil(header["__metadata__"], "no metadata, no __metadata__ entry")
        let b = try XCTUnwrap(header["b"] as? [String: Any]), a = try XCTUnwrap(header["a"] as? [String: Any])
        XCTAssertEqual(b["dtype"] as? String, "I32")
        XCTAssertEqual(b["shape"] as? [Int], [3])
        XCTAssertEqual(b["data_offsets"] as? [Int], [0, 12])
        XCTAssertEqual(a["dtype"] as? String, "F64")
        XCTAssertEqual(a["data_offsets"] as? [Int], [12, 28])
        XCTAssertEqual(Array(bytes[(8 + headerLength)...].prefix(4)), [1, 0, 0, 0], "little-endian data")
        let headerBytes = bytes[8..<8 + headerLength]
        let closing = try XCTUnwrap(headerBytes.lastIndex(of: UInt8(ascii: "}")))
        XCTAssertTrue(headerBytes[(closing + 1)...].allSatisfy { $0 == UInt8(ascii: " ") }, "the header is padded with spaces")
        let decoded = try SafetensorsFile(decoding: bytes, file: "memory")
        XCTAssertTrue(decoded.metadata.isEmpty)
        XCTAssertEqual(decoded.names, ["b", "a"])
    }

    func testEmptyFileAndLargeTensor() throws {
        let empty = try SafetensorsFile(decoding: try SafetensorsFile().encoded(), file: "empty")
        XCTAssertEqual(empty.count, 0)
        XCTAssertTrue(empty.metadata.isEmpty)

        let count = 3_000_001 // 12 MB of float32, an odd size
        let tensor = try Tensor.randomNormal([count], seed: 42, on: context)
        var file = SafetensorsFile(metadata: ["k": "v"])
        try file.append("big", SafetensorsTensor(tensor))
        try file.append("tail", SafetensorsTensor(scalar: 7.5))
        let path = scratch.file("big.safetensors")
        try file.write(to: path)
        let read = try SafetensorsFile.read(from: path)
        XCTAssertEqual(read["big"]?.values(as: Float.self)?.map(\.bitPattern), try tensor.toArray().map(\.bitPattern))
        XCTAssertEqual(read["tail"]?.scalar(as: Double.self), 7.5)
    }

    func testDeviceTensorsConvertBothWays() throws {
        let f32 = try Tensor.randomNormal([2, 3, 4], seed: 1, on: context)
        let f64 = try Tensor.randomNormal([5], seed: 2, dtype: .float64, on: context)
        let i32 = try Tensor(labels: [3, -1, Int32.max], on: context)
        for (tensor, storage) in [(f32, SafetensorsDType.int32), (f64, .int32), (i32, .int32), (i32, .int64)] {
            let host = try SafetensorsTensor(tensor, int32Storage: storage)
            XCTAssertEqual(host.shape, tensor.shape)
            let back = try host.makeTensor(tensor.dtype, on: context)
            XCTAssertEqual(back.dtype, tensor.dtype)
            XCTAssertEqual(try back.toDoubles().map(\.bitPattern), try tensor.toDoubles().map(\.bitPattern))
        }
        XCTAssertEqual(try SafetensorsTensor(i32, int32Storage: .int64).dtype, .int64)
        let scalar = try Tensor.full([], value: 3, dtype: .int32, on: context)
        XCTAssertEqual(try SafetensorsTensor(scalar, int32Storage: .int64).scalar(as: Int64.self), 3)

        XCTAssertFalse(try SafetensorsTensor(f64).loads(into: .float32), "no silent narrowing")
        XCTAssertThrowsError(try SafetensorsTensor(f32).makeTensor(.float64, on: context))
        XCTAssertThrowsError(try SafetensorsTensor(scalar: Int64(1) << 40).makeTensor(.int32, on: context)) { error in
            XCTAssertTrue("\(error)".contains("does not fit"), "\(error)")
        }
        XCTAssertThrowsError(try SafetensorsTensor([Float](), shape: [0]).makeTensor(.float32, on: context))
        XCTAssertThrowsError(try SafetensorsTensor([Float](repeating: 0, count: 5), shape: [2, 3]), "count must match the shape")
        var file = SafetensorsFile()
        try file.append("x", SafetensorsTensor(scalar: Float(1)))
        XCTAssertThrowsError(try file.append("x", SafetensorsTensor(scalar: Float(2))), "names are unique")
        XCTAssertThrowsError(try file.append("__metadata__", SafetensorsTensor(scalar: Float(2))))
    }

    private func readBytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
}
