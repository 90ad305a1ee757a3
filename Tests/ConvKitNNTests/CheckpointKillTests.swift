import ConvKit
@testable import ConvKitNN
import Foundation
import XCTest

/// `kill -9` during a checkpoint save: a real child process (`CheckpointWriterChild`) saves a
/// 16 MB checkpoint in a loop and is killed with SIGKILL twelve times, at a random moment or
/// just after a save created its temporary file. After every kill the file must load (header,
/// sizes and checksum verified) and hold one whole version: every weight equal to its epoch,
/// and no older than the last save the child reported finished. A kill that lands mid-write
/// leaves the child's temporary file; the next save removes it.
final class CheckpointKillTests: XCTestCase {
    private var scratch: ScratchFolder!

    private struct ChildFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    override func setUpWithError() throws { scratch = try ScratchFolder() }

    override func tearDown() { scratch.remove() }

    /// The child's executable, built by `swift build` next to the test bundle.
    private func childExecutable() throws -> String {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [folder, folder.deletingLastPathComponent()].map { $0.appendingPathComponent("CheckpointWriterChild").path }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ChildFailure("CheckpointWriterChild is not built (looked in \(candidates)); `swift build` builds it")
        }
        return found
    }

    /// Starts the child and returns once it reported `saves` finished saves, with the last number.
    private func startChild(_ executable: String, path: String, saves: Int) throws -> (Process, Int) {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = [path]
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        var text = "", reported: [Int] = []
        while reported.count < saves {
            let data = pipe.fileHandleForReading.availableData
            guard !data.isEmpty else {
                child.waitUntilExit()
                throw ChildFailure("the child exited before saving (status \(child.terminationStatus))")
            }
            text += String(decoding: data, as: UTF8.self)
            reported = text.split(separator: "\n").compactMap { Int($0.dropFirst("saved ".count)) }
        }
        return (child, reported.last!)
    }

    private func temporaryFileExists() throws -> Bool {
        try scratch.listing().contains { $0.hasPrefix(".last.safetensors.tmp-") }
    }

    /// Polls the folder every 0.2 ms until a save's temporary file appears.
    private func waitForTemporaryFile(timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !temporaryFileExists() {
            guard Date() < deadline else { throw ChildFailure("no save started within \(timeout) s") }
            usleep(200)
        }
    }

    func testKillDuringSaveLeavesAWholeCheckpoint() throws {
        let executable = try childExecutable()
        let path = scratch.file("last.safetensors")
        var midWrite = 0
        var generator = SystemRandomNumberGenerator()
        for round in 1...12 {
            let (child, reported) = try startChild(executable, path: path, saves: 1)
            if round.isMultiple(of: 2) {
                try waitForTemporaryFile(timeout: 10)
                usleep(UInt32.random(in: 0...2_000, using: &generator))
            } else {
                usleep(UInt32.random(in: 0...250_000, using: &generator))
            }
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            XCTAssertEqual(child.terminationReason, .uncaughtSignal)
            if try temporaryFileExists() { midWrite += 1 }

            let checkpoint = try Checkpoint.read(from: path)
            let version = try XCTUnwrap(checkpoint.info?.epoch)
            XCTAssertGreaterThanOrEqual(version, reported, "round \(round): an older version than the child reported")
            let weights = ["0.weight", "0.bias", "1.weight", "1.bias"].compactMap { checkpoint.contents[$0]?.values(as: Float.self) }
            XCTAssertEqual(weights.map(\.count), [2048 * 1024, 2048, 1024 * 2048, 1024], "round \(round)")
            let values = weights.flatMap { $0 }
            XCTAssertEqual(Set(values), [Float(version)], "round \(round): the weights are not all of version \(version)")
        }
        // Even rounds kill while the temporary file exists (a save is writing it): 16 MB and an
        // fsync take far longer than the 2 ms the kill waits, so nearly all of those six land mid-write.
        XCTAssertGreaterThanOrEqual(midWrite, 3, "too few kills landed during a write; the test proved little")
        print("CheckpointKillTests: \(midWrite) of 12 kills landed mid-write")

        let context = try Context(backend: .cpu, threads: 1)
        try Checkpoint.save(to: path, model: try Dense(inFeatures: 2, outFeatures: 2, seed: 1, on: context),
                            info: CheckpointInfo(modelName: "writer"))
        XCTAssertEqual(try scratch.listing(), ["last.safetensors"], "temporary files of killed writers are removed")
    }
}
