import Foundation

/// The listening address, thread count, limits and timeouts of an `HTTPServer`.
public struct HTTPServerConfiguration: Sendable {
    /// A numeric IPv4 or IPv6 address, without brackets; host names are not resolved.
    public var host: String
    /// The TCP port; 0 picks an ephemeral port, which `HTTPServer.boundPort` reports after `start()`.
    public var port: UInt16
    /// The number of event-loop threads, at least 1.
    public var loopCount: Int
    public var limits: HTTPLimits
    public var timeouts: HTTPTimeouts
    /// Maximum number of open connections; the server accepts and at once closes any connection beyond it.
    public var maxConnections: Int
    /// Receives the server's log records; nil discards them.
    public var logHandler: HTTPLogHandler?

    public init(
        host: String = "127.0.0.1",
        port: UInt16 = 8080,
        loopCount: Int = ProcessInfo.processInfo.activeProcessorCount,
        limits: HTTPLimits = HTTPLimits(),
        timeouts: HTTPTimeouts = HTTPTimeouts(),
        maxConnections: Int = 10_000,
        logHandler: HTTPLogHandler? = nil
    ) {
        self.host = host
        self.port = port
        self.loopCount = loopCount
        self.limits = limits
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.logHandler = logHandler
    }
}

/// Size limits on requests, each enforced before the bytes it guards are stored.
public struct HTTPLimits: Sendable, Equatable {
    /// Maximum request-line length in bytes without its CRLF; default 8 KiB. Longer lines get 414.
    public var maxRequestLineBytes: Int
    /// Maximum number of header field lines; default 100. More get 431.
    public var maxHeaderCount: Int
    /// Maximum size in bytes of the header section, from the first field line through the empty line,
    /// CRLFs included; default 16 KiB. Larger sections get 431.
    public var maxHeaderBytes: Int
    /// Maximum body size in bytes after removing chunked coding; default 1 MiB. Larger bodies get 413, decided from
    /// `Content-Length` before any body byte is read, or from the chunk sizes as they arrive.
    public var maxBodyBytes: Int
    /// Maximum size in bytes of the extensions on one chunk-size line; default 1 KiB. Longer ones get 400.
    public var maxChunkExtensionBytes: Int
    /// Maximum size in bytes of the trailer section of a chunked body, CRLFs included; default 8 KiB. Larger
    /// sections get 431. Trailer fields are checked and then discarded.
    public var maxTrailerBytes: Int
    /// Maximum number of requests on one connection still waiting for their response; default 16. At the limit the
    /// server stops reading from that connection until a response has been sent.
    public var maxPipelinedRequests: Int

    public init(
        maxRequestLineBytes: Int = 8 * 1024,
        maxHeaderCount: Int = 100,
        maxHeaderBytes: Int = 16 * 1024,
        maxBodyBytes: Int = 1 << 20,
        maxChunkExtensionBytes: Int = 1024,
        maxTrailerBytes: Int = 8 * 1024,
        maxPipelinedRequests: Int = 16
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkExtensionBytes = maxChunkExtensionBytes
        self.maxTrailerBytes = maxTrailerBytes
        self.maxPipelinedRequests = maxPipelinedRequests
    }
}

/// Time limits on each phase of a connection.
public struct HTTPTimeouts: Sendable, Equatable {
    /// Time allowed for a whole request head, counted from its first byte; default 10 s. Expiry sends 408 and closes.
    public var head: Duration
    /// Time allowed for a whole body, counted from the end of the head; default 30 s. Expiry sends 408 and closes.
    public var body: Duration
    /// Time a connection may sit with no request in progress, including a new connection before its first byte;
    /// default 60 s. Expiry closes the connection without a response.
    public var idle: Duration
    /// Time allowed without progress while response bytes wait to be sent, for clients that stop reading;
    /// default 30 s. Expiry closes the connection.
    public var write: Duration

    public init(
        head: Duration = .seconds(10),
        body: Duration = .seconds(30),
        idle: Duration = .seconds(60),
        write: Duration = .seconds(30)
    ) {
        self.head = head
        self.body = body
        self.idle = idle
        self.write = write
    }
}
