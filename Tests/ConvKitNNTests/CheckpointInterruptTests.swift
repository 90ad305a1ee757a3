import ConvKit
import ConvKitNN
import Foundation
import XCTest

/// InterruptMonitor: a signal sent to the process sets the flag; a second one falls back to the
/// default action; uninstall restores what was there before.
final class CheckpointInterruptTests: XCTestCase {
    override func tearDown() { InterruptMonitor.uninstall() }

    /// The current `sa_handler` of `number`, as an address (0 for SIG_DFL, 1 for SIG_IGN).
    private func handlerAddress(_ number: Int32) -> Int {
        var current = sigaction()
        sigaction(number, nil, &current)
        return current.__sigaction_handler.sa_handler.map { unsafeBitCast($0, to: Int.self) } ?? 0
    }

    /// Runs `body` with `number` at `handler`, then puts the previous action back.
    private func withAction(_ number: Int32, _ handler: sighandler_t?, _ body: () throws -> Void) rethrows {
        var action = sigaction(), previous = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigaction(number, &action, &previous)
        defer { sigaction(number, &previous, nil) }
        try body()
    }

    func testSIGINTToTheOwnProcessSetsTheFlag() throws {
        // A test runner started in the background may inherit SIGINT ignored; the monitor
        // respects that, so this test starts from the default action.
        try withAction(SIGINT, SIG_DFL) { try checkSIGINT() }
    }

    private func checkSIGINT() throws {
        let before = handlerAddress(SIGINT)
        try InterruptMonitor.install()
        XCTAssertFalse(InterruptMonitor.isInterrupted)
        XCTAssertNil(InterruptMonitor.signal)
        XCTAssertNotEqual(handlerAddress(SIGINT), before, "the handler is installed")

        XCTAssertEqual(kill(getpid(), SIGINT), 0)
        let deadline = Date().addingTimeInterval(5)
        while !InterruptMonitor.isInterrupted, Date() < deadline { usleep(1000) }
        XCTAssertTrue(InterruptMonitor.isInterrupted, "the process survived SIGINT and the flag is set")
        XCTAssertEqual(InterruptMonitor.signal, SIGINT)

        InterruptMonitor.reset()
        XCTAssertFalse(InterruptMonitor.isInterrupted)
        InterruptMonitor.uninstall()
        XCTAssertEqual(handlerAddress(SIGINT), before, "uninstall restores the previous action")
    }

    /// SIGWINCH's default action is to ignore it, so the fallback can run in this process.
    func testSecondSignalFallsBackToTheDefaultAction() throws {
        try InterruptMonitor.install(signals: [SIGWINCH])
        try InterruptMonitor.install(signals: [SIGWINCH]) // installing again changes nothing
        let installed = handlerAddress(SIGWINCH)
        XCTAssertNotEqual(installed, 0)
        raise(SIGWINCH)
        XCTAssertEqual(InterruptMonitor.signal, SIGWINCH)
        XCTAssertEqual(handlerAddress(SIGWINCH), installed, "the first signal only sets the flag")
        raise(SIGWINCH)
        XCTAssertEqual(handlerAddress(SIGWINCH), 0, "the second one restored SIG_DFL and re-raised")
    }

    func testIgnoredSignalsStayIgnored() throws {
        try withAction(SIGUSR1, SIG_IGN) {
            try InterruptMonitor.install(signals: [SIGUSR1])
            XCTAssertEqual(handlerAddress(SIGUSR1), 1, "still SIG_IGN")
            raise(SIGUSR1)
            XCTAssertFalse(InterruptMonitor.isInterrupted)
            InterruptMonitor.uninstall()
            XCTAssertEqual(handlerAddress(SIGUSR1), 1)
        }
    }

    func testSignalsThatCannotBeHandledAreRefused() {
        XCTAssertThrowsError(try InterruptMonitor.install(signals: [SIGKILL])) { error in
            XCTAssertTrue("\(error)".contains("cannot handle signal \(SIGKILL)"), "\(error)")
        }
    }
}
