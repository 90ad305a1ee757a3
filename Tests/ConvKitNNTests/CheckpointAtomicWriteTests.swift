@testable import ConvKitNN
import Foundation
import XCTest

/// `writeFileAtomically`: a write that fails midway leaves the previous file byte for byte and
/// no temporary file behind; a write that succeeds replaces the file whole.
final class CheckpointAtomicWriteTests: XCTestCase {
    private var scratch: ScratchFolder!

    override func setUpWithError() throws { scratch = try ScratchFolder() }

    override func tearDown() { scratch.remove() }

    private struct InjectedFailure: Error {}

    private func contents(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    func testFailureMidwayLeavesThePreviousFileIntact() throws {
        let path = scratch.file("epoch.safetensors")
        let previous = [UInt8]("the previous checkpoint".utf8)
        try writeFileAtomically([previous], to: path)
        let chunks = [[UInt8](repeating: 1, count: 1000), [UInt8](repeating: 2, count: 5000), [UInt8](repeating: 3, count: 10)]
        var calls: [Int] = []
        XCTAssertThrowsError(try writeFileAtomically(chunks, to: path) { written in
            calls.append(written)
            if written >= 6000 { throw InjectedFailure() } // two chunks are on disk in the temporary file
        }) { error in
            XCTAssertTrue(error is InjectedFailure, "the hook's error comes through: \(error)")
        }
        XCTAssertEqual(calls, [0, 1000, 6000])
        XCTAssertEqual(try contents(path), previous, "the previous file is byte-identical")
        XCTAssertEqual(try scratch.listing(), ["epoch.safetensors"], "the temporary file is removed")

        try writeFileAtomically(chunks, to: path)
        XCTAssertEqual(try contents(path), chunks.flatMap { $0 })
        XCTAssertEqual(try scratch.listing(), ["epoch.safetensors"])
    }

    func testFailedCheckpointSaveKeepsTheLastGoodCheckpoint() throws {
        var good = SafetensorsFile(metadata: ["epoch": "3"])
        try good.append("w", SafetensorsTensor([Float](repeating: 3, count: 100), shape: [100]))
        let path = scratch.file("last.safetensors")
        try good.write(to: path)
        let before = try contents(path)
        var next = SafetensorsFile(metadata: ["epoch": "4"])
        try next.append("w", SafetensorsTensor([Float](repeating: 4, count: 100), shape: [100]))
        XCTAssertThrowsError(try writeFileAtomically(try next.encodedChunks(), to: path) { written in
            if written > 8 { throw InjectedFailure() } // after the length field, inside the header
        })
        XCTAssertEqual(try contents(path), before)
        XCTAssertEqual(try SafetensorsFile.read(from: path).metadata["epoch"], "3")
        XCTAssertEqual(try scratch.listing(), ["last.safetensors"])
    }

    func testNewFileAndIOErrors() throws {
        let path = scratch.file("fresh.safetensors")
        try writeFileAtomically([[1, 2, 3]], to: path)
        XCTAssertEqual(try contents(path), [1, 2, 3])
        assertCheckpointError(.io, ["cannot create a temporary file in \(scratch.path)/missing", "No such file"]) {
            try writeFileAtomically([[1]], to: scratch.file("missing/x.safetensors"))
        }
        assertCheckpointError(.io, ["names a folder"]) { try writeFileAtomically([[1]], to: scratch.path + "/") }
        try FileManager.default.createDirectory(atPath: scratch.file("taken"), withIntermediateDirectories: false)
        assertCheckpointError(.io, ["cannot move the new file into place"]) { try writeFileAtomically([[1]], to: scratch.file("taken")) }
        XCTAssertEqual(try scratch.listing(), ["fresh.safetensors", "taken"], "no temporary file is left")
    }
}
