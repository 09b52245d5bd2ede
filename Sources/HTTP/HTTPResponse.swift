/// A final response as the responder builds it.
///
/// The server adds `Content-Length`, `Date` (unless set here) and `Connection` itself, and drops any
/// `Content-Length`, `Transfer-Encoding`, `Connection` or `Keep-Alive` field set here, because framing and
/// connection management belong to the server.
public struct HTTPResponse: Sendable {
    /// A final status code from 200 to 999; 1xx codes are sent by the server only.
    public var status: Int
    public var headers: HTTPHeaders
    /// The body; the server leaves it out for `HEAD` requests and for 204 and 304 responses.
    public var body: [UInt8]
    /// Fields encoded ahead of time, sent before `headers`.
    public var encodedFields: EncodedFields?

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                encodedFields: EncodedFields? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.encodedFields = encodedFields
    }
}

/// The layer above the server that turns requests into responses.
public protocol HTTPResponder: Sendable {
    /// Handles one request; called on an event-loop thread, so it must not block.
    ///
    /// `respond` may be called from any thread, now or later, and must be called exactly once. The server hops
    /// back to the connection's loop and writes responses in request order. A call after the connection has
    /// closed, or after the server has shut down, is dropped; a second call for the same request is ignored.
    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void)
}
