/// An error from `HTTPServer.start()`.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configured host is not a numeric IPv4 or IPv6 address, such as `localhost` or `[::1]`.
    case invalidHost(String)
    /// A configuration value is out of range; the text names the field and its allowed range.
    case invalidConfiguration(String)
    /// `start()` was called on a server that has already been started.
    case alreadyStarted
    /// A system call failed, such as `bind` with EADDRINUSE when the port is taken.
    case systemCallFailed(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidHost(let host):
            "invalid listen host \"\(host)\": expected a numeric IPv4 or IPv6 address without brackets"
        case .invalidConfiguration(let detail):
            "invalid HTTP server configuration: \(detail)"
        case .alreadyStarted:
            "the HTTP server has already been started; create a new one to start again"
        case .systemCallFailed(let call, let errno):
            SystemCallError(call: call, errno: errno).description
        }
    }
}
