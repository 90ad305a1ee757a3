import ConvKitDistributed
import XCTest

final class ReplicaDeviceTests: XCTestCase {
    func testEachLocalRankTakesItsOwnGPU() {
        let choices = (0..<4).map {
            ReplicaDevice.choose(localRank: $0, localSize: 4, requested: nil, threads: 0, gpus: [0, 2, 3, 5], cores: 64)
        }
        XCTAssertEqual(choices.map(\.spec), ["opencl:0", "opencl:2", "opencl:3", "opencl:5"])
        XCTAssertFalse(choices[0].note.contains("share"))
    }

    func testMoreRanksThanGPUsShareThemAndSaySo() {
        let choice = ReplicaDevice.choose(localRank: 3, localSize: 4, requested: "auto", threads: 0, gpus: [0, 1], cores: 8)
        XCTAssertEqual(choice.spec, "opencl:1")
        XCTAssertTrue(choice.note.contains("4 ranks share 2 GPUs"), choice.note)
    }

    func testWithoutAGPUTheRanksSplitTheCores() {
        let choice = ReplicaDevice.choose(localRank: 1, localSize: 2, requested: nil, threads: 0, gpus: [], cores: 16)
        XCTAssertEqual(choice.spec, "cpu")
        XCTAssertEqual(choice.threads, 8)
        XCTAssertEqual(ReplicaDevice.choose(localRank: 0, localSize: 4, requested: nil, threads: 0, gpus: [], cores: 2).threads, 1)
        XCTAssertEqual(ReplicaDevice.choose(localRank: 0, localSize: 2, requested: nil, threads: 3, gpus: [], cores: 2).threads, 3,
                       "an explicit --threads is kept")
    }

    func testAnExplicitDeviceIsTakenAsGiven() {
        let choice = ReplicaDevice.choose(localRank: 1, localSize: 2, requested: "opencl:pocl", threads: 0, gpus: [0], cores: 4)
        XCTAssertEqual(choice.spec, "opencl:pocl")
        XCTAssertEqual(ReplicaDevice.choose(localRank: 1, localSize: 2, requested: "cpu", threads: 0, gpus: [0], cores: 4).threads, 2)
    }
}
