/// What went wrong in ConvKitTrain, in words a user can act on. Nothing in the module traps
/// on bad input or options; it throws one of these (or the ``ConvKit/ConvKitError`` of an op,
/// or the ``ConvKitData/DataError`` of a data set).
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// An option is out of range or does not fit the data ("--epochs 0", a model too deep for
    /// the image size, ...).
    case invalidOption(String)
    /// A file could not be written (the CSV log, the chart).
    case writeFailed(path: String, reason: String)
    /// The loss became NaN or infinite: the learning rate is probably too high.
    case diverged(String)

    public var description: String {
        switch self {
        case .invalidOption(let message): return message
        case .writeFailed(let path, let reason): return "\(path): cannot write: \(reason)"
        case .diverged(let message): return message
        }
    }
}
