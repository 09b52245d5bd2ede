import PolicyModel
import Synchronization

/// One environment's current bundle as served: immutable bytes and the headers that describe them.
public struct PublishedBundle: Sendable, Equatable {
    public var environment: String
    public var version: Int
    public var issuedAt: Timestamp
    public var expiresAt: Timestamp
    /// The DSSE envelope, byte for byte as stored.
    public var envelope: [UInt8]
    /// A strong entity tag, quoted: the SHA-256 of the envelope.
    public var etag: String

    public static let contentType = "application/vnd.dsse.envelope.v1+json"
}

/// The current bundle of every live environment, in memory, so the read path never touches SQLite.
public final class BundleSnapshot: Sendable {
    private let bundles = Mutex<[String: PublishedBundle]>([:])

    public init() {}

    public func current(_ environment: String) -> PublishedBundle? {
        bundles.withLock { $0[environment] }
    }

    /// Every current bundle, ordered by environment name.
    public func all() -> [PublishedBundle] {
        bundles.withLock { Array($0.values) }.sorted { $0.environment < $1.environment }
    }

    /// Replaces an environment's bundle; an older version never replaces a newer one.
    func publish(_ bundle: PublishedBundle) {
        bundles.withLock { current in
            if let held = current[bundle.environment], held.version >= bundle.version { return }
            current[bundle.environment] = bundle
        }
    }

    func remove(_ environment: String) {
        _ = bundles.withLock { $0.removeValue(forKey: environment) }
    }
}
