/// One log record from the server: a constant message with its data in dotted metadata keys.
///
/// Records never contain header values or bodies.
public struct HTTPLogRecord: Sendable {
    public enum Level: Int, Sendable, Comparable {
        case debug
        case info
        case warning
        case error

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public let level: Level
    public let message: String
    /// Keys such as `connection.peer`, `error` and `http.status`.
    public let metadata: [String: String]
}

/// Receives log records; called on the server's threads, so it must be quick and thread-safe.
public typealias HTTPLogHandler = @Sendable (HTTPLogRecord) -> Void

/// The server's logger: builds a record only when a handler is set.
struct ServerLogger: Sendable {
    let handler: HTTPLogHandler?

    func callAsFunction(
        _ level: HTTPLogRecord.Level,
        _ message: @autoclosure () -> String,
        _ metadata: @autoclosure () -> [String: String] = [:]
    ) {
        guard let handler else { return }
        handler(HTTPLogRecord(level: level, message: message(), metadata: metadata()))
    }
}
