/// What went wrong while finding, reading or batching a data set.
///
/// Every case carries words a user can act on: the file and what is wrong with
/// it, or how to install a missing data set. Nothing in ConvKitData traps on
/// bad input; it throws one of these instead.
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// A data set's folder or one of its files is not there; `message` says
    /// which, and how to install it or which flag points at a folder.
    case missingDataset(message: String)
    /// A file exists but its contents are not what its format says (bad magic
    /// number, wrong dimensions, truncated, corrupt gzip stream, ...).
    case invalidFile(path: String, reason: String)
    /// The operating system could not read a file.
    case readFailed(path: String, reason: String)
    /// A parameter is out of range (batch size 0, std of 0, ...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .missingDataset(let message):
            return message
        case .invalidFile(let path, let reason):
            return "\(path): \(reason)"
        case .readFailed(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .invalidArgument(let message):
            return message
        }
    }
}
