import PolicyModel

/// One row of `environments`.
public struct EnvironmentRecord: Equatable, Sendable {
    public var id: Int64
    public var name: String
    public var createdAt: Timestamp
    public var deletedAt: Timestamp?
    /// 0 until the first bundle is published.
    public var currentVersion: Int

    public init(id: Int64, name: String, createdAt: Timestamp, deletedAt: Timestamp?, currentVersion: Int) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.deletedAt = deletedAt
        self.currentVersion = currentVersion
    }
}

/// One row of `bundles`: a published envelope, byte for byte as served.
public struct BundleRecord: Equatable, Sendable {
    public var environmentID: Int64
    public var version: Int
    public var issuedAt: Timestamp
    public var expiresAt: Timestamp
    public var payloadSHA256: String
    public var envelope: [UInt8]

    public init(environmentID: Int64, version: Int, issuedAt: Timestamp, expiresAt: Timestamp, payloadSHA256: String, envelope: [UInt8]) {
        self.environmentID = environmentID
        self.version = version
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.payloadSHA256 = payloadSHA256
        self.envelope = envelope
    }
}

/// One row of `signing_keys`; the private key stays sealed here and is opened by the caller.
public struct SigningKeyRecord: Equatable, Sendable {
    public var keyID: String
    public var algorithm: String
    public var publicKeyDER: [UInt8]
    public var sealedPrivateKey: [UInt8]
    public var state: String
    public var createdAt: Timestamp
    /// When the key entered its current state; rotation steps are timed from it.
    public var stateSince: Timestamp

    public init(keyID: String, algorithm: String, publicKeyDER: [UInt8], sealedPrivateKey: [UInt8], state: String, createdAt: Timestamp,
                stateSince: Timestamp? = nil) {
        self.stateSince = stateSince ?? createdAt
        self.keyID = keyID
        self.algorithm = algorithm
        self.publicKeyDER = publicKeyDER
        self.sealedPrivateKey = sealedPrivateKey
        self.state = state
        self.createdAt = createdAt
    }
}

/// One row to append to `audit_log`.
public struct AuditEntry: Equatable, Sendable {
    public var at: Timestamp
    public var tokenID: String?
    public var actor: String
    public var peer: String?
    /// The client address resolved through Perimeter's own proxy settings.
    public var client: String?
    public var action: String
    public var environment: String?
    public var versionBefore: Int?
    public var versionAfter: Int?
    /// SHA-256 of a description of the change; never the change's secret content.
    public var changeSHA256: String?

    public init(at: Timestamp, tokenID: String?, actor: String, peer: String?, client: String?, action: String,
                environment: String?, versionBefore: Int?, versionAfter: Int?, changeSHA256: String?) {
        self.at = at
        self.tokenID = tokenID
        self.actor = actor
        self.peer = peer
        self.client = client
        self.action = action
        self.environment = environment
        self.versionBefore = versionBefore
        self.versionAfter = versionAfter
        self.changeSHA256 = changeSHA256
    }
}

extension SQLiteRow {
    func timestamp(_ index: Int) throws(StorageError) -> Timestamp {
        let text = try text(index)
        guard let timestamp = Timestamp(rfc3339: text) else {
            throw StorageError.invalidStoredValue(column: columnNames.indices.contains(index) ? columnNames[index] : "\(index)",
                                                  reason: "not an RFC 3339 UTC time")
        }
        return timestamp
    }

    func optionalTimestamp(_ index: Int) throws(StorageError) -> Timestamp? {
        guard case .null = self[index] else { return try timestamp(index) }
        return nil
    }

    func int(_ index: Int) throws(StorageError) -> Int { Int(try integer(index)) }
}
