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
///
/// The fields live in one shared, immutable storage object, so copying a request costs one reference count rather
/// than one per string. The loop copies each request several times on its way to the responder.
public struct HTTPRequest: Sendable {
    private final class Storage: Sendable {
        let method: String
        let target: String
        let path: String
        let query: String?
        let version: HTTPVersion
        let headers: HTTPHeaders
        let body: [UInt8]
        let peer: SocketAddress
        let loopIndex: Int

        init(method: String, target: String, path: String, query: String?, version: HTTPVersion,
             headers: HTTPHeaders, body: [UInt8], peer: SocketAddress, loopIndex: Int) {
            self.method = method
            self.target = target
            self.path = path
            self.query = query
            self.version = version
            self.headers = headers
            self.body = body
            self.peer = peer
            self.loopIndex = loopIndex
        }
    }

    private let storage: Storage

    /// The method exactly as sent; methods are case-sensitive tokens (RFC 9110 section 9.1).
    public var method: String { storage.method }
    /// The raw request-target: an origin-form path with optional query, or `*` for `OPTIONS`.
    public var target: String { storage.target }
    /// The target before the first `?`, not percent-decoded.
    public var path: String { storage.path }
    /// The target after the first `?`, not percent-decoded; nil when the target has no `?`.
    public var query: String? { storage.query }
    public var version: HTTPVersion { storage.version }
    public var headers: HTTPHeaders { storage.headers }
    /// The body with any chunked transfer coding removed.
    public var body: [UInt8] { storage.body }
    /// The remote address of the connection, never a forwarded one.
    public var peer: SocketAddress { storage.peer }
    /// The index of the event loop that serves the connection, from 0 up to the loop count. Responders use it to keep
    /// state per loop, so that requests on different loops do not contend for one lock.
    public var loopIndex: Int { storage.loopIndex }

    /// Creates a request, splitting `target` into `path` and `query` at its first `?`.
    public init(
        method: String,
        target: String,
        version: HTTPVersion = .http11,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        peer: SocketAddress,
        loopIndex: Int = 0
    ) {
        let (path, query): (String, String?) = target.withUTF8Bytes { bytes in
            guard let mark = bytes.firstIndex(of: .questionMark) else { return (target, nil) }
            return (
                String(decoding: UnsafeBufferPointer(rebasing: bytes[..<mark]), as: UTF8.self),
                String(decoding: UnsafeBufferPointer(rebasing: bytes[(mark + 1)...]), as: UTF8.self)
            )
        }
        storage = Storage(
            method: method, target: target, path: path, query: query, version: version,
            headers: headers, body: body, peer: peer, loopIndex: loopIndex
        )
    }
}
