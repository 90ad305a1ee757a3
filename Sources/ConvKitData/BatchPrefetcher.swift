import Foundation

/// Prepares batches on a background thread, a few ahead of the consumer,
/// so a training loop finds the next batch ready in steady state.
///
/// The producer walks the given epochs' batches in order (epoch by epoch,
/// step by step) into a bounded queue of `depth` batches and blocks while it
/// is full; `next()` takes the oldest, waiting only when the queue is empty.
/// Because each batch is a pure function of (dataset, options, epoch, step),
/// the sequence equals the synchronous `EpochBatches` iteration exactly.
/// Dropping the prefetcher stops its thread.
public final class BatchPrefetcher: Sequence, IteratorProtocol {
    private let queue: PrefetchQueue

    /// Starts producing the batches of `epochs`, in order, at most `depth`
    /// (≥ 1) ahead.
    public init(epochs: [EpochBatches], depth: Int = 3) {
        queue = PrefetchQueue(capacity: Swift.max(depth, 1))
        let queue = self.queue
        let thread = Thread {
            for batches in epochs {
                for step in 0..<batches.count {
                    guard queue.push(batches.batch(at: step)) else { return }
                }
            }
            queue.finish()
        }
        thread.name = "convkit-prefetch"
        thread.start()
    }

    /// Prefetches the batches of one epoch.
    public convenience init(_ batches: EpochBatches, depth: Int = 3) {
        self.init(epochs: [batches], depth: depth)
    }

    deinit {
        queue.cancel()
    }

    /// The next batch, waiting for the producer if none is ready; nil after the last.
    public func next() -> Batch? {
        queue.pop()
    }

    /// Seconds `next()` has spent waiting for the producer so far.
    public var waitSeconds: Double { queue.waitSeconds }
}

/// A bounded FIFO between one producer thread and one consumer, guarded by
/// one condition variable.
final class PrefetchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var items: [Batch] = []
    private var head = 0
    private var finished = false
    private var cancelled = false
    private var waited = 0.0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Appends `batch`, blocking while the queue is full; false once cancelled.
    func push(_ batch: Batch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !cancelled {
            condition.wait()
        }
        guard !cancelled else { return false }
        if head > capacity {
            items.removeFirst(head)
            head = 0
        }
        items.append(batch)
        condition.broadcast()
        return true
    }

    /// Marks the end of the stream.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the producer at its next push.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// The oldest batch, blocking while the queue is empty and not finished.
    func pop() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        if head == items.count && !finished {
            let start = Date()
            while head == items.count && !finished {
                condition.wait()
            }
            waited += Date().timeIntervalSince(start)
        }
        guard head < items.count else { return nil }
        let batch = items[head]
        head += 1
        condition.broadcast()
        return batch
    }

    var waitSeconds: Double {
        condition.lock()
        defer { condition.unlock() }
        return waited
    }
}
