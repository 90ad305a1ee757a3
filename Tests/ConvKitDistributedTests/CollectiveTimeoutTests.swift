import ConvKit
import ConvKitDistributed
import ConvKitTrain
import XCTest

/// A rank whose partner never joins a collective gives up after the communicator's timeout
/// with a message, instead of waiting forever.
final class CollectiveTimeoutTests: XCTestCase {
    func testAWaitForAMissingRankEndsAfterTheTimeout() throws {
        let communicator = ThreadGroup(size: 2, timeout: 0.5).communicatorThatMustNotBeUsed()
        let start = Date()
        XCTAssertThrowsError(try communicator.sum([1, 2], for: "the test sum")) { error in
            guard case DistributedError.timedOut(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("rank 0 of 2: the test sum did not complete within"), message)
            XCTAssertTrue(message.contains("another process has probably died or hangs"), message)
        }
        let waited = Date().timeIntervalSince(start)
        XCTAssertGreaterThanOrEqual(waited, 0.5)
        XCTAssertLessThan(waited, 5, "bounded: the timeout plus at most a few polls")
    }

    func testAGradientSynchronizationWithoutTheOtherRankTimesOut() throws {
        let context = try Context(backend: .cpu, threads: 1)
        let model = try ReplicaTesting.model(batchNorm: false, on: context)
        let synchronizer = try GradientSynchronizer(model: model, communicator: ThreadGroup(size: 2, timeout: 0.3)
            .communicatorThatMustNotBeUsed())
        let trainer = try Trainer(model: model, data: ReplicaTesting.data, options: ReplicaTesting.options, context: context,
                                  dataParallel: synchronizer)
        XCTAssertThrowsError(try trainer.fit()) { error in
            XCTAssertTrue("\(error)".contains("the gradient all-reduce of step 1 did not complete"), "\(error)")
        }
    }
}
