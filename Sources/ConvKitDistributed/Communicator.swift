import Foundation

/// A started collective operation; poll ``test()`` until it returns true.
public protocol PendingCollective: AnyObject {
    /// True once the operation has completed on this process (its buffer holds the result and
    /// may be reused). Each call also lets the communication make progress.
    func test() throws -> Bool
}

/// The group of processes (ranks) that train together, and the collectives data-parallel
/// training needs. Every rank must start the same collectives in the same order; each works in
/// place on a host buffer that must stay valid and untouched until the operation completes.
/// ``MPICommunicator`` is the implementation over MPI.
public protocol Communicator: AnyObject {
    /// This process, in 0..<size.
    var rank: Int { get }
    /// Processes in the group.
    var size: Int { get }
    /// Seconds a collective may take before ``wait(_:for:)`` gives up on the other ranks.
    var timeout: Double { get }
    /// Starts replacing `data` on every rank by its element-wise sum over the ranks.
    func startSum(_ data: UnsafeMutableBufferPointer<Float>) throws -> any PendingCollective
    /// Starts replacing `data` on every rank by its element-wise sum over the ranks.
    func startSum(_ data: UnsafeMutableBufferPointer<Double>) throws -> any PendingCollective
    /// Starts copying `data` of rank `root` into `data` of every other rank.
    func startBroadcast(_ data: UnsafeMutableRawBufferPointer, root: Int) throws -> any PendingCollective
}

extension Communicator {
    /// Polls `operations` until all have completed, first in a tight loop (a collective of a few
    /// bytes finishes within microseconds) and then sleeping up to a millisecond between polls.
    /// Throws ``DistributedError/timedOut(_:)`` naming `what` when ``timeout`` passes first: a
    /// rank that died or hangs cannot make the others wait forever.
    public func wait(_ operations: [any PendingCollective], for what: @autoclosure () -> String) throws {
        let deadline = monotonicSeconds() + timeout
        var polls = 0
        var pause: UInt32 = 20
        for operation in operations {
            while try !operation.test() {
                polls += 1
                if polls > 2000 {
                    usleep(pause)
                    pause = min(pause * 2, 1000)
                }
                if monotonicSeconds() > deadline {
                    throw DistributedError.timedOut("rank \(rank) of \(size): \(what()) did not complete within "
                        + "\(Int(timeout)) s (--sync-timeout): another process has probably died or hangs")
                }
            }
        }
    }

    /// `values` summed element-wise over the ranks (blocking, with the ``timeout``).
    public func sum(_ values: [Double], for what: @autoclosure () -> String) throws -> [Double] {
        guard size > 1 else { return values }
        var result = values
        try result.withUnsafeMutableBufferPointer { buffer in
            try wait([startSum(buffer)], for: what())
        }
        return result
    }

    /// Rank `root`'s `data` on every rank (blocking, with the ``timeout``).
    public func broadcast(_ data: UnsafeMutableBufferPointer<Float>, root: Int = 0, for what: @autoclosure () -> String) throws {
        guard size > 1 else { return }
        try wait([startBroadcast(UnsafeMutableRawBufferPointer(data), root: root)], for: what())
    }
}

/// Seconds on a monotonic clock.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}
