import CConvKit
import ConvKit
import Foundation
import Synchronization

/// Turns Ctrl-C (SIGINT) and SIGTERM into a flag that a training loop polls, so it can save a
/// resumable checkpoint and stop cleanly instead of dying mid-step.
///
/// The handler (installed with `sigaction`, `SA_RESTART`) only stores the signal number in a
/// lock-free atomic, which is async-signal-safe; everything else happens in the training loop.
/// A second signal while the flag is still set restores the default action and re-raises the
/// signal, so pressing Ctrl-C twice ends a process that hangs while saving.
///
/// How a trainer uses it:
/// ```swift
/// try InterruptMonitor.install()              // before the first epoch
/// defer { InterruptMonitor.uninstall() }
/// for batch in batches {
///     try trainStep(batch)                    // a step always completes
///     if InterruptMonitor.isInterrupted {
///         try Checkpoint.save(to: path, model: model, optimizer: optimizer, schedules: schedules,
///                             info: CheckpointInfo(…, epoch: epoch, globalStep: step, …))
///         print("interrupted: saved \(path); resume with --resume \(path)")
///         exit(130)                           // 128 + SIGINT, the shell's convention
///     }
/// }
/// ```
/// Poll after the optimizer step (and the scheduler step it belongs to), so the checkpoint
/// holds a consistent state; ``CheckpointInfo/globalStep`` then tells where to resume. The
/// monitor is process-wide: install it once, from one thread.
public enum InterruptMonitor {
    /// The first signal received since install or ``reset()``, 0 for none.
    private static let received = Atomic<Int32>(0)
    /// The actions the handler replaced, restored by ``uninstall()``.
    private static let replaced = Mutex<[Int32: sigaction]>([:])

    /// Installs the handler for `signals` (by default SIGINT and SIGTERM). Installing again is
    /// harmless. A signal the process ignores (SIG_IGN, as a shell script's background job
    /// ignores SIGINT) stays ignored. Throws a `ConvKitError` when `sigaction` refuses a
    /// signal (SIGKILL, an invalid number).
    public static func install(signals: [Int32] = [SIGINT, SIGTERM]) throws {
        _ = received.load(ordering: .relaxed) // initialize the static before any signal can arrive
        try replaced.withLock { replaced in
            for number in signals where replaced[number] == nil {
                var previous = sigaction()
                guard sigaction(number, nil, &previous) == 0 else { throw cannotHandle(number) }
                if let handler = previous.__sigaction_handler.sa_handler,
                   unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
                    continue
                }
                var action = sigaction()
                action.__sigaction_handler.sa_handler = handleSignal
                action.sa_flags = SA_RESTART
                sigemptyset(&action.sa_mask)
                guard sigaction(number, &action, nil) == 0 else { throw cannotHandle(number) }
                replaced[number] = previous
            }
        }
    }

    /// True once a monitored signal arrived (until ``reset()``).
    public static var isInterrupted: Bool { received.load(ordering: .acquiring) != 0 }

    /// The signal that set the flag (SIGINT, SIGTERM), or nil.
    public static var signal: Int32? {
        let number = received.load(ordering: .acquiring)
        return number == 0 ? nil : number
    }

    /// Clears the flag (e.g. after the trainer decided to go on).
    public static func reset() { received.store(0, ordering: .releasing) }

    /// Restores the actions that ``install(signals:)`` replaced and clears the flag.
    public static func uninstall() {
        replaced.withLock { replaced in
            for (number, previous) in replaced {
                var action = previous
                sigaction(number, &action, nil)
            }
            replaced.removeAll()
        }
        reset()
    }

    private static func cannotHandle(_ number: Int32) -> ConvKitError {
        ConvKitError(status: CK_ERR_INVALID_ARGUMENT, message: "InterruptMonitor: cannot handle signal \(number): \(String(cString: strerror(errno)))")
    }

    /// The signal handler: records the first signal; on a second one while the flag is set,
    /// falls back to the default action and re-raises. Uses only async-signal-safe calls.
    private static let handleSignal: @convention(c) (Int32) -> Void = { number in
        guard received.exchange(number, ordering: .acquiringAndReleasing) != 0 else { return }
        var fallback = sigaction()
        fallback.__sigaction_handler.sa_handler = SIG_DFL
        sigemptyset(&fallback.sa_mask)
        sigaction(number, &fallback, nil)
        raise(number)
    }
}

