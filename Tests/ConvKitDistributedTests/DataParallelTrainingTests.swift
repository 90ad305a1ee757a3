import ConvKit
import ConvKitData
import ConvKitDistributed
import ConvKitTrain
import XCTest

/// Data-parallel training in one process: replicas are threads joined by ``ThreadGroup``, so
/// these tests need no MPI and check the trainer's data-parallel path itself (sharded batches,
/// the broadcast, the bucketed gradient average, synchronized batch norm, dropout shares).
///
/// Tolerance: after K = 5 steps the parameters of 2 replicas × 8 images must equal those of one
/// process with batches of 16 within 1e-5. Both compute each gradient as a float32 sum of the
/// same 16 per-image terms, in another order (the replicas add two sums of 8), so they differ by
/// at most about 2·16·u·Σ|terms| ≈ 2e-6 relative to the gradient per step (u = 2⁻²⁴, Higham
/// §3.1). With a rate ≤ 0.1 and momentum 0.9 a gradient error reaches the weights scaled by at
/// most 0.1·(1 + 1.9 + 2.71 + 3.44 + 4.1) ≈ 1.4 over 5 steps; with gradients below 1 here that
/// is ≈ 3e-6, and 1e-5 leaves a margin for the propagation through the activations. Training
/// on the wrong batches (the negative control) moves the weights by ~1e-1.
final class DataParallelTrainingTests: XCTestCase {
    let tolerance: Float = 1e-5

    func testTwoReplicasEqualOneProcessWithTheGlobalBatch() throws {
        let alone = try ReplicaTesting.trainAlone(batchNorm: false, dropout: false)
        let replicas = try ReplicaTesting.trainReplicas(2, batchNorm: nil, dropout: false)
        XCTAssertEqual(replicas[0], replicas[1], "the replicas must stay identical bit for bit")
        XCTAssertLessThanOrEqual(ReplicaTesting.largestDifference(alone, replicas[0]), tolerance)

        var halfBatch = ReplicaTesting.options
        halfBatch.batchSize = 8
        let wrong = try ReplicaTesting.trainAlone(batchNorm: false, dropout: false, options: halfBatch)
        XCTAssertGreaterThan(ReplicaTesting.largestDifference(wrong, replicas[0]), 100 * tolerance,
                             "the negative control (batches of 8) must fail the tolerance by far")
    }

    func testDropoutSharesEqualOneProcessDroppingTheGlobalBatch() throws {
        let alone = try ReplicaTesting.trainAlone(batchNorm: false, dropout: true)
        let replicas = try ReplicaTesting.trainReplicas(2, batchNorm: nil, dropout: true)
        XCTAssertEqual(replicas[0], replicas[1])
        XCTAssertLessThanOrEqual(ReplicaTesting.largestDifference(alone, replicas[0]), tolerance)
    }

    func testReplicasWithOtherDropoutSeedsAreRefusedOnEveryRank() throws {
        let outcomes = try ThreadGroup(size: 2).run { communicator -> String in
            let context = try Context(backend: .cpu, threads: 1)
            let model = try ReplicaTesting.model(batchNorm: false, dropout: true, dropoutSeed: 4 + UInt64(communicator.rank), on: context)
            do {
                try ReplicaSetup.prepare(model, communicator: communicator, batchNorm: .local)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(outcomes, Array(repeating: "the processes' dropout layers have different seeds: start every process with the same --seed", count: 2))
    }

    func testSynchronizedBatchNormEqualsOneProcessWithTheGlobalBatch() throws {
        let alone = try ReplicaTesting.trainAlone(batchNorm: true, dropout: false)
        let replicas = try ReplicaTesting.trainReplicas(2, batchNorm: .synchronized, dropout: false)
        XCTAssertEqual(replicas[0], replicas[1])
        XCTAssertNotNil(alone["1.running_var"])
        XCTAssertLessThanOrEqual(ReplicaTesting.largestDifference(alone, replicas[0]), tolerance,
                                 "weights and running statistics")
    }

    func testLocalBatchNormKeepsTheReplicasIdentical() throws {
        let replicas = try ReplicaTesting.trainReplicas(2, batchNorm: .local, dropout: false)
        XCTAssertEqual(replicas[0], replicas[1], "weights equal, running statistics averaged before evaluation")
        let alone = try ReplicaTesting.trainAlone(batchNorm: true, dropout: false)
        XCTAssertGreaterThan(ReplicaTesting.largestDifference(alone, replicas[0]), tolerance,
                             "local statistics of 8 images are not those of 16: the runs differ")
    }

    func testThreeReplicasAndOneBucketPerParameter() throws {
        var options = ReplicaTesting.options
        options.batchSize = 24
        let alone = try ReplicaTesting.trainAlone(batchNorm: false, dropout: false, options: options)
        let replicas = try ReplicaTesting.trainReplicas(3, batchNorm: nil, dropout: false, options: options, bucketBytes: 4)
        XCTAssertEqual(replicas[0], replicas[2])
        XCTAssertLessThanOrEqual(ReplicaTesting.largestDifference(alone, replicas[1]), tolerance)
    }

    func testAGlobalBatchThatDoesNotSplitEvenlyIsRefused() throws {
        var options = ReplicaTesting.options
        options.batchSize = 15
        XCTAssertThrowsError(try ReplicaTesting.trainReplicas(2, batchNorm: nil, dropout: false, options: options)) { error in
            XCTAssertTrue("\(error)".contains("must split into 2 equal shares"), "\(error)")
        }
    }

    func testAStopAskedOnOneRankStopsEveryRankAtTheSameStep() throws {
        let steps = try ThreadGroup(size: 2).run { communicator -> Int in
            let context = try Context(backend: .cpu, threads: 1)
            let model = try ReplicaTesting.model(batchNorm: false, on: context)
            let synchronizer = try GradientSynchronizer(model: model, communicator: communicator)
            let trainer = try Trainer(model: model, data: ReplicaTesting.data, options: ReplicaTesting.options, context: context,
                                      dataParallel: synchronizer)
            synchronizer.localStopRequest = { communicator.rank == 1 && trainer.globalStep >= 2 }
            trainer.shouldInterrupt = { synchronizer.stopRequested }
            XCTAssertTrue(try trainer.fit().interrupted)
            return trainer.globalStep
        }
        XCTAssertEqual(steps, [3, 3], "rank 1 asks during step 3; both stop after it")
    }

    func testTimingsCountEveryStep() throws {
        let timings = try ThreadGroup(size: 2).run { communicator -> StepTimings in
            let context = try Context(backend: .cpu, threads: 1)
            let model = try ReplicaTesting.model(batchNorm: false, on: context)
            let synchronizer = try GradientSynchronizer(model: model, communicator: communicator, bucketBytes: 256)
            try Trainer(model: model, data: ReplicaTesting.data, options: ReplicaTesting.options, context: context,
                        dataParallel: synchronizer).fit()
            return synchronizer.timings
        }
        XCTAssertEqual(timings[0].stepSeconds.count, 4, "5 steps, the first without a start mark")
        XCTAssertEqual(timings[0].waitSeconds.count, 5)
        XCTAssertEqual(timings[0].communicationSeconds.count, 5)
        XCTAssertTrue(zip(timings[0].communicationSeconds, timings[0].waitSeconds).allSatisfy { $0 >= $1 }, "the wait is part of it")
        XCTAssertEqual(timings[0].bytesPerStep, (4 * 9 + 4 + 64 * 3 + 3 + 1) * 4, "every gradient float and the stop flag")
        XCTAssertTrue(timings[0].json(warmupSteps: 2).contains("\"measured_steps\": 2"))
    }
}
