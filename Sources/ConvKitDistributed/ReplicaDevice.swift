import CConvKit
import Foundation

/// Which device each rank of a machine computes on: one GPU per rank, by local rank.
public struct ReplicaDevice: Equatable, Sendable {
    /// The device spec for ``ConvKit/Context`` (nil: the user's choice or CONVKIT_DEVICE).
    public var spec: String?
    /// CPU worker threads (0: one per core).
    public var threads: Int32
    /// What was chosen and why, for the log.
    public var note: String

    /// The choice for rank `localRank` of the `localSize` ranks on this machine.
    /// - `requested` (a `--device` or CONVKIT_DEVICE spec other than auto) is taken as given.
    /// - Otherwise the rank takes OpenCL GPU number `localRank` mod the GPU count (`gpus` are the
    ///   GPUs' `opencl:N` indices); more ranks than GPUs share them, and the note says so.
    /// - Without a GPU it takes the CPU backend.
    /// On the CPU, `threads` 0 becomes an equal share of `cores` per rank, so the ranks of a
    /// machine do not oversubscribe it.
    public static func choose(localRank: Int, localSize: Int, requested: String?, threads: Int32, gpus: [Int],
                              cores: Int) -> ReplicaDevice {
        let share = Int32(max(1, cores / max(localSize, 1)))
        if let requested, !requested.isEmpty, requested != "auto" {
            let onCPU = requested == "cpu" || requested == "reference"
            return ReplicaDevice(spec: requested, threads: threads == 0 && onCPU ? share : threads,
                                 note: "device \(requested) as requested")
        }
        guard !gpus.isEmpty else {
            return ReplicaDevice(spec: "cpu", threads: threads == 0 ? share : threads,
                                 note: "no OpenCL GPU: the CPU backend, \(threads == 0 ? share : threads) threads per rank")
        }
        let gpu = gpus[localRank % gpus.count]
        let shared = localSize > gpus.count ? " (\(localSize) ranks share \(gpus.count) GPUs on this machine)" : ""
        return ReplicaDevice(spec: "opencl:\(gpu)", threads: threads, note: "local rank \(localRank) → GPU opencl:\(gpu)\(shared)")
    }

    /// The `opencl:N` indices of this machine's OpenCL GPUs (`ck_opencl_device_info`).
    public static func openCLGPUs() -> [Int] {
        (0..<Int(ck_opencl_device_count())).filter { index in
            var info = ck_device_info()
            guard ck_opencl_device_info(Int32(index), &info) == CK_OK else { return false }
            return withUnsafeBytes(of: info.type) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } == "GPU"
        }
    }
}
