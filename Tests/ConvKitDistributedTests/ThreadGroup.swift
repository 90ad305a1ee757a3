import ConvKitDistributed
import Foundation

/// An in-process ``Communicator`` group: `size` threads of one test play the ranks, so the
/// data-parallel logic (buckets, synchronized batch norm, the trainer's collectives) is tested
/// without MPI. Each collective is a round numbered by call order on each rank; the last rank
/// to join a round computes the result (sums in rank order, so every rank gets the same bits)
/// and writes it into every rank's buffer.
final class ThreadGroup: @unchecked Sendable {
    let size: Int
    let timeout: Double
    private let condition = NSCondition()
    private var rounds: [Int: Round] = [:]

    private final class Round {
        var buffers: [Int: UnsafeMutableRawBufferPointer] = [:]
        var complete = false
    }

    fileprivate enum Operation {
        case sumFloat, sumDouble, broadcast(root: Int)
    }

    init(size: Int, timeout: Double = 20) {
        (self.size, self.timeout) = (size, timeout)
    }

    /// Runs `body(rank's communicator)` on `size` threads at once and returns each rank's result
    /// (rank order); rethrows the first rank's error.
    func run<R>(_ body: @escaping (ThreadCommunicator) throws -> R) throws -> [R] {
        let results = Results<R>(count: size)
        let threads = (0..<size).map { rank in
            Thread { results.set(rank, Result { try body(ThreadCommunicator(group: self, rank: rank)) }) }
        }
        for thread in threads { thread.stackSize = 8 << 20; thread.start() }
        return try results.waitAll()
    }

    fileprivate func join(_ round: Int, rank: Int, buffer: UnsafeMutableRawBufferPointer, operation: Operation) -> Int {
        condition.lock()
        defer { condition.unlock() }
        let state = rounds[round] ?? Round()
        rounds[round] = state
        state.buffers[rank] = buffer
        if state.buffers.count == size {
            combine(state, operation)
            state.complete = true
            condition.broadcast()
        }
        return round
    }

    fileprivate func isComplete(_ round: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return rounds[round]?.complete ?? false
    }

    private func combine(_ round: Round, _ operation: Operation) {
        let ranks = (0..<size).map { round.buffers[$0]! }
        switch operation {
        case .sumFloat: sum(ranks, Float.self)
        case .sumDouble: sum(ranks, Double.self)
        case .broadcast(let root):
            for (rank, buffer) in ranks.enumerated() where rank != root { buffer.copyMemory(from: UnsafeRawBufferPointer(ranks[root])) }
        }
    }

    private func sum<T: FloatingPoint>(_ ranks: [UnsafeMutableRawBufferPointer], _: T.Type) {
        let typed = ranks.map { $0.bindMemory(to: T.self) }
        for i in typed[0].indices {
            var total = T.zero
            for buffer in typed { total += buffer[i] }
            for buffer in typed { buffer[i] = total }
        }
    }
}

/// One rank of a ``ThreadGroup``.
final class ThreadCommunicator: Communicator {
    let group: ThreadGroup
    let rank: Int
    var size: Int { group.size }
    var timeout: Double { group.timeout }
    private var nextRound = 0

    init(group: ThreadGroup, rank: Int) { (self.group, self.rank) = (group, rank) }

    func startSum(_ data: UnsafeMutableBufferPointer<Float>) throws -> any PendingCollective {
        start(UnsafeMutableRawBufferPointer(data), .sumFloat)
    }

    func startSum(_ data: UnsafeMutableBufferPointer<Double>) throws -> any PendingCollective {
        start(UnsafeMutableRawBufferPointer(data), .sumDouble)
    }

    func startBroadcast(_ data: UnsafeMutableRawBufferPointer, root: Int) throws -> any PendingCollective {
        start(data, .broadcast(root: root))
    }

    private func start(_ buffer: UnsafeMutableRawBufferPointer, _ operation: ThreadGroup.Operation) -> any PendingCollective {
        defer { nextRound += 1 }
        return ThreadRound(group: group, round: group.join(nextRound, rank: rank, buffer: buffer, operation: operation))
    }
}

private final class ThreadRound: PendingCollective {
    let group: ThreadGroup
    let round: Int
    init(group: ThreadGroup, round: Int) { (self.group, self.round) = (group, round) }
    func test() throws -> Bool { group.isComplete(round) }
}

/// Each thread's result, collected under a lock.
private final class Results<R>: @unchecked Sendable {
    private let condition = NSCondition()
    private var values: [Result<R, Error>?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<R, Error>) {
        condition.lock()
        values[index] = result
        condition.broadcast()
        condition.unlock()
    }

    func waitAll() throws -> [R] {
        condition.lock()
        while values.contains(where: { $0 == nil }) { condition.wait() }
        condition.unlock()
        return try values.map { try $0!.get() }
    }
}
