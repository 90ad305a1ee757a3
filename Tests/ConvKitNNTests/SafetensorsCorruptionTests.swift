import ConvKitNN
import Foundation
import XCTest

/// Malformed safetensors files: each broken rule of the format is refused with a
/// ``CheckpointError`` (kind `.corrupt`) that names the file and the problem; none traps.
final class SafetensorsCorruptionTests: XCTestCase {
    private let fileName = "bad.safetensors"

    /// Decoding `bytes` fails with a `.corrupt` error naming the file and mentioning `fragments`.
    private func assertRefused(_ bytes: [UInt8], _ fragments: String..., line: UInt = #line) {
        assertCheckpointError(.corrupt, [fileName + ": "] + fragments, line: line) { try SafetensorsFile(decoding: bytes, file: fileName) }
    }

    /// A crafted file whose header is `entries` (JSON object members) over `dataCount` bytes.
    private func crafted(_ entries: String, dataCount: Int) -> [UInt8] {
        craftedSafetensors(header: "{\(entries)}", data: [UInt8](repeating: 0xAB, count: dataCount))
    }

    private func validFile() throws -> [UInt8] {
        var file = SafetensorsFile(metadata: ["model": "tiny"])
        try file.append("weight", SafetensorsTensor([Float](repeating: 1, count: 6), shape: [2, 3]))
        try file.append("count", SafetensorsTensor(scalar: Int64(3)))
        return try file.encoded()
    }

    func testHeaderLengthProblems() throws {
        assertRefused([1, 2, 3], "3 bytes, too few")
        assertRefused(crafted("", dataCount: 0).prefix(5).map { $0 }, "too few")
        var tooLong = try validFile()
        tooLong.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(tooLong.count).littleEndian) { Array($0) })
        assertRefused(tooLong, "header length field says \(tooLong.count) bytes but only \(tooLong.count - 8) follow")
        tooLong.replaceSubrange(0..<8, with: [UInt8](repeating: 0xFF, count: 8))
        assertRefused(tooLong, "header length field says \(UInt64.max) bytes")
        let valid = try validFile()
        assertRefused(Array(valid.prefix(40)), "truncated")
    }

    func testHeaderThatIsNotAJSONObject() {
        assertRefused(craftedSafetensors(header: " {}", data: []), "does not start with '{'")
        assertRefused(craftedSafetensors(header: "[1, 2]", data: []), "does not start with '{'")
        assertRefused(craftedSafetensors(header: "{\"a\": ", data: []), "not valid JSON")
        assertRefused(craftedSafetensors(header: "{} x", data: []), "not valid JSON")
        assertRefused([2, 0, 0, 0, 0, 0, 0, 0, UInt8(ascii: "{"), 0xFF], "not valid UTF-8")
        assertRefused(crafted(#""__metadata__": [1]"#, dataCount: 0), "__metadata__ is not a JSON object")
        assertRefused(crafted(#""__metadata__": {"epoch": 3}"#, dataCount: 0), "__metadata__ entry \"epoch\" is not a string")
    }

    func testMalformedTensorEntries() {
        let good = #""dtype": "F32", "shape": [2], "data_offsets": [0, 8]"#
        assertRefused(crafted(#""w": [1]"#, dataCount: 8), "tensor w", "not a JSON object")
        assertRefused(crafted(#""w": {\#(good), "strides": [1]}"#, dataCount: 8), "unknown header field \"strides\"")
        assertRefused(crafted(#""w": {"dtype": "F32", "shape": [2]}"#, dataCount: 8), "tensor w", "no data_offsets")
        assertRefused(crafted(#""w": {"dtype": "F7", "shape": [2], "data_offsets": [0, 8]}"#, dataCount: 8), "unknown dtype F7")
        for shape in ["[-2]", "[2.0]", "[true]", "\"2\"", "[18446744073709551616]"] {
            assertRefused(crafted(#""w": {"dtype": "F32", "shape": \#(shape), "data_offsets": [0, 8]}"#, dataCount: 8),
                          "tensor w: shape", "not a list of integers")
        }
        for offsets in ["[0]", "[8, 0]", "[0, 4, 8]", "[-8, 0]", "[0, 8.5]"] {
            assertRefused(crafted(#""w": {"dtype": "F32", "shape": [2], "data_offsets": \#(offsets)}"#, dataCount: 8),
                          "tensor w: data_offsets", "not two integers")
        }
    }

    func testOffsetsThatDoNotFitDtypeAndShape() {
        assertRefused(crafted(#""w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}"#, dataCount: 12),
                      "tensor w: data_offsets [0, 12] span 12 bytes, but a F32 tensor of shape [2, 2] needs 16")
        assertRefused(crafted(#""w": {"dtype": "I64", "shape": [3], "data_offsets": [0, 12]}"#, dataCount: 12), "needs 24")
        assertRefused(crafted(#""w": {"dtype": "F32", "shape": [9223372036854775807, 4], "data_offsets": [0, 4]}"#, dataCount: 4),
                      "needs more than Int.max")
    }

    func testOffsetsThatDoNotTileTheDataSection() throws {
        let a = #""a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}"#
        assertRefused(crafted(a + #", "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}"#, dataCount: 12),
                      "tensors a and b overlap", "a ends at byte 8", "b begins at 4")
        assertRefused(crafted(a + #", "b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}"#, dataCount: 8), "overlap")
        assertRefused(crafted(a + #", "b": {"dtype": "F32", "shape": [1], "data_offsets": [12, 16]}"#, dataCount: 16),
                      "bytes 8..<12 of the data section, before tensor b, belong to no tensor")
        assertRefused(crafted(#""b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}"#, dataCount: 8), "bytes 0..<4")
        assertRefused(crafted(a, dataCount: 4), "tensor a: data_offsets [0, 8] run past the data section's 4 bytes")
        assertRefused(crafted(a, dataCount: 11), "3 trailing bytes follow the last tensor")
        assertRefused(try validFile() + [0], "1 trailing bytes")
        // Zero-sized tensors may sit anywhere in the tiling.
        let withEmpty = crafted(a + #", "e": {"dtype": "F64", "shape": [0, 3], "data_offsets": [8, 8]}"#, dataCount: 8)
        XCTAssertEqual(try SafetensorsFile(decoding: withEmpty, file: fileName).names, ["a", "e"])
    }

    func testErrorsNameTheFileOnDisk() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let path = scratch.file("cut.safetensors")
        try Data(try validFile().prefix(30)).write(to: URL(fileURLWithPath: path))
        assertCheckpointError(.corrupt, ["\(path): the header length field says"]) { try SafetensorsFile.read(from: path) }
        assertCheckpointError(.io, [scratch.file("missing.safetensors"), "cannot open", "No such file"]) {
            try SafetensorsFile.read(from: scratch.file("missing.safetensors"))
        }
        assertCheckpointError(.io, [scratch.path, "not a regular file"]) { try SafetensorsFile.read(from: scratch.path) }
    }

    /// Every truncation and every single-bit flip of a valid file either decodes or throws a
    /// CheckpointError: malformed input never traps.
    func testTruncationsAndBitFlipsNeverTrap() throws {
        let valid = try validFile()
        for length in 0..<valid.count {
            XCTAssertThrowsError(try SafetensorsFile(decoding: Array(valid.prefix(length)), file: fileName), "length \(length)") { error in
                XCTAssertTrue(error is CheckpointError, "\(error)")
            }
        }
        for index in valid.indices {
            for bit in 0..<8 {
                var flipped = valid
                flipped[index] ^= 1 << bit
                do {
                    _ = try SafetensorsFile(decoding: flipped, file: fileName)
                } catch {
                    XCTAssertTrue(error is CheckpointError, "byte \(index) bit \(bit): \(error)")
                }
            }
        }
    }
}
