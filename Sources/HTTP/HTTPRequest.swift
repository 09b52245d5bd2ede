/// The protocol versions this server accepts.
public enum HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    case http10
    case http11

    public var description: String {
        switch self {
        case .http10: "HTTP/1.0"
        case .http11: "HTTP/1.1"
        }
    }
}

/// A complete request as read from a connection, body included.
public struct HTTPRequest: Sendable {
    /// The method exactly as sent; methods are case-sensitive tokens (RFC 9110 section 9.1).
    public let method: String
    /// The raw request-target: an origin-form path with optional query, or `*` for `OPTIONS`.
    public let target: String
    /// The target before the first `?`, not percent-decoded.
    public let path: String
    /// The target after the first `?`, not percent-decoded; nil when the target has no `?`.
    public let query: String?
    public let version: HTTPVersion
    public let headers: HTTPHeaders
    /// The body with any chunked transfer coding removed.
    public let body: [UInt8]
    /// The remote address of the connection, never a forwarded one.
    public let peer: SocketAddress

    /// Creates a request, splitting `target` into `path` and `query` at its first `?`.
    public init(
        method: String,
        target: String,
        version: HTTPVersion = .http11,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        peer: SocketAddress
    ) {
        self.method = method
        self.target = target
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            self.path = String(target[..<mark])
            self.query = String(target[target.index(after: mark)...])
        } else {
            self.path = target
            self.query = nil
        }
        self.version = version
        self.headers = headers
        self.body = body
        self.peer = peer
    }
}
