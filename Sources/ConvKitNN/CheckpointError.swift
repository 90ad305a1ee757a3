/// Why a safetensors file or a checkpoint could not be written, read or restored.
///
/// Every error names the file and says what is wrong with it in words a user can act on
/// ("run/epoch3.safetensors: tensor fc.weight is [10, 8] in the file but [10, 16] in the
/// model"). Reading never traps on malformed input: each problem of the file is one of these.
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The broad class of a failure, for callers that react differently to each.
    public enum Kind: Sendable, Equatable {
        /// The file system refused (a missing file or folder, no space, no permission).
        case io
        /// The bytes are not a valid safetensors file, or fail the checkpoint's checksum.
        case corrupt
        /// The file is valid but does not fit what it is loaded into (another model, a missing
        /// or extra tensor, another shape or dtype, another optimizer or schedule).
        case mismatch
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// The path of the file concerned (as given by the caller).
    public let file: String
    /// What is wrong, without the file name.
    public let problem: String

    /// An error of `kind` about `file`, with `problem` in words.
    public init(_ kind: Kind, file: String, _ problem: String) {
        (self.kind, self.file, self.problem) = (kind, file, problem)
    }

    /// "<file>: <problem>".
    public var description: String { "\(file): \(problem)" }
}
