import CConvKit

/// An error from libconvkit: the C status and the message the C core recorded.
public struct ConvKitError: Error, CustomStringConvertible, Equatable {
    /// The C status (`ck_status`).
    public let status: ck_status
    /// What was wrong, in the C core's words ("conv2d_forward: input has 3 channels but weight expects 4 ...").
    public let message: String

    /// An error raised above the C ABI (a layer's own validation, say), in the C core's style.
    public init(status: ck_status, message: String) {
        self.status = status
        self.message = message
    }

    /// "<status name>: <message>".
    public var description: String {
        "\(String(cString: ck_status_string(status))): \(message)"
    }

    /// Throws when `status` is not `CK_OK`, taking the message from `context` (or this thread's last error).
    static func check(_ status: ck_status, _ context: OpaquePointer?) throws {
        guard status != CK_OK else { return }
        throw ConvKitError(status: status, message: String(cString: ck_last_error(context)))
    }
}
