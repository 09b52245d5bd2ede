import PolicyModel

/// Everything `perimeterd` needs to start; the executable fills it from flags and environment variables.
public struct ServiceConfiguration: Sendable {
    public enum MasterKeySource: Sendable, Equatable {
        /// 64 hex digits given directly.
        case hex(String)
        /// A file holding 64 hex digits, which must exist.
        case file(String)
        /// `perimeter.master-key` beside the database, generated with mode 0600 on first start.
        case besideDatabase
    }

    public var listenHost = "127.0.0.1"
    public var listenPort: UInt16 = 8080
    public var databasePath = "perimeter.db"
    public var masterKey = MasterKeySource.besideDatabase
    /// Used as an admin token instead of generating one.
    public var adminToken: String?
    /// Lifetime of each bundle in seconds; bundles are re-issued when half of it has passed.
    public var bundleTTL: Int64 = 7 * 86_400
    public var loopCount = 1
    /// The maximum time a long poll may park, in seconds.
    public var maxWait = 60
    public var maxConnections = 10_000
    public var maxBodyBytes = 1 << 20
    /// Seconds allowed for a whole request head, counted from its first byte.
    public var headTimeout = 10
    /// Seconds allowed for a whole request body.
    public var bodyTimeout = 30
    /// Seconds a keep-alive connection may wait for its next request.
    public var idleTimeout = 60
    /// Seconds a response may wait for a client that stopped reading.
    public var writeTimeout = 30
    public var logLevel = Logger.Level.info
    /// Clients allowed to reach Perimeter's own API; empty allows every client.
    public var ownAllowlist: [CIDRBlock] = []
    /// The proxy settings that find the client address of a request to Perimeter's own API.
    public var ownTrustedProxies = TrustedProxies()
    /// Seconds after its last report when an agent counts as stale.
    public var agentStaleAfter: Int64 = 300
    /// Seconds each step of a signing-key rotation lasts: announced, then signing beside the old key.
    public var signingKeyOverlap: Int64 = 86_400

    public init() {}
}

/// An error that stops the service from starting; each message names the setting to fix.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
