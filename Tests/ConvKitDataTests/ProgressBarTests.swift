import XCTest

@testable import ConvKitData

final class ProgressBarTests: XCTestCase {
    /// A bar for epoch 2 of 5 with 4 steps, started at time 100 on a fake
    /// clock, recording everything it writes.
    private final class Harness {
        var now = 100.0
        var output: [String] = []
        private(set) var bar: ProgressBar!

        init(mode: ProgressBar.Mode) {
            bar = ProgressBar(epoch: 2, epochs: 5, totalSteps: 4, mode: mode, clock: { [unowned self] in now },
                              write: { [unowned self] in output.append($0) })
        }
    }

    func testRenderWithBar() {
        let state = ProgressState(epoch: 3, epochs: 10, step: 120, totalSteps: 469, loss: 0.41234, accuracy: 0.85214,
                                  imagesPerSecond: 5234.4, seconds: 42.4)
        XCTAssertEqual(ProgressBar.render(state, bar: true),
                       "epoch 3/10 [===>            ] 120/469 loss 0.4123 acc 85.21% 5234 img/s ETA 0:42")
    }

    func testRenderPlainWithoutLossOrAccuracy() {
        let state = ProgressState(epoch: 1, epochs: 1, step: 7, totalSteps: 8, imagesPerSecond: 12.6, seconds: 3725)
        XCTAssertEqual(ProgressBar.render(state, bar: false), "epoch 1/1 step 7/8 13 img/s ETA 1:02:05")
    }

    func testRenderBarEnds() {
        var state = ProgressState(epoch: 1, epochs: 2, step: 0, totalSteps: 10, imagesPerSecond: 0, seconds: 0)
        XCTAssertTrue(ProgressBar.render(state, bar: true).contains("[                ] 0/10"))
        state.step = 10
        XCTAssertTrue(ProgressBar.render(state, bar: true).contains("[================] 10/10"))
        XCTAssertTrue(ProgressBar.render(state, bar: true).hasSuffix("took 0:00"))
    }

    func testDurations() {
        XCTAssertEqual(ProgressBar.formatDuration(0), "0:00")
        XCTAssertEqual(ProgressBar.formatDuration(59.6), "1:00")
        XCTAssertEqual(ProgressBar.formatDuration(754), "12:34")
        XCTAssertEqual(ProgressBar.formatDuration(36000), "10:00:00")
        XCTAssertEqual(ProgressBar.formatDuration(.infinity), "0:00")
    }

    func testRedrawModeRewritesOneLineAndEndsItAtTheLastStep() {
        let harness = Harness(mode: .redraw)
        harness.now = 101
        harness.bar.update(step: 1, batchImages: 100, loss: 2.5, accuracy: 0.1)
        harness.now = 102
        harness.bar.update(step: 2, batchImages: 100, loss: nil, accuracy: nil)
        harness.now = 104
        harness.bar.update(step: 4, batchImages: 200, loss: 0.5, accuracy: 0.75)
        XCTAssertEqual(harness.output[0], "\repoch 2/5 [===>            ] 1/4 loss 2.5000 acc 10.00% 100 img/s ETA 0:03")
        // A shorter line is padded with spaces over the longer one before it.
        let second = "\repoch 2/5 [=======>        ] 2/4 100 img/s ETA 0:02"
        XCTAssertEqual(harness.output[1], second + String(repeating: " ", count: harness.output[0].count - second.count))
        XCTAssertEqual(harness.output[2], "\repoch 2/5 [================] 4/4 loss 0.5000 acc 75.00% 100 img/s took 0:04\n")
    }

    func testLinesModeWritesAtIntervalsAndAtTheEnd() {
        let harness = Harness(mode: .lines(interval: 10))
        for (step, time) in [(1, 101.0), (2, 105.0), (3, 111.0), (4, 113.0)] {
            harness.now = time
            harness.bar.update(step: step, batchImages: 10, loss: 1, accuracy: 0.5)
        }
        XCTAssertEqual(harness.output, [
            "epoch 2/5 step 1/4 loss 1.0000 acc 50.00% 10 img/s ETA 0:03\n",
            "epoch 2/5 step 3/4 loss 1.0000 acc 50.00% 3 img/s ETA 0:04\n",
            "epoch 2/5 step 4/4 loss 1.0000 acc 50.00% 3 img/s took 0:13\n",
        ])
        XCTAssertFalse(harness.output.joined().contains("\r"))
    }
}
