import PolicyModel

/// One application secret key; its value stays sealed here and is opened by the caller.
public struct SecretKeyRecord: Equatable, Sendable {
    public enum State: String, Sendable {
        case active
        /// Still accepted for verifying old signatures until `verifyUntil`.
        case verifyOnly = "verify_only"
        case retired
    }

    public var id: String
    public var environmentID: Int64
    public var state: State
    public var sealedValue: [UInt8]
    /// The first 8 hex digits of the value's SHA-256, to tell keys apart without showing them.
    public var fingerprint: String
    public var origin: String
    public var createdAt: Timestamp
    public var verifyUntil: Timestamp?
    public var retiredAt: Timestamp?

    public init(id: String, environmentID: Int64, state: State, sealedValue: [UInt8], fingerprint: String,
                origin: String, createdAt: Timestamp, verifyUntil: Timestamp? = nil, retiredAt: Timestamp? = nil) {
        self.id = id
        self.environmentID = environmentID
        self.state = state
        self.sealedValue = sealedValue
        self.fingerprint = fingerprint
        self.origin = origin
        self.createdAt = createdAt
        self.verifyUntil = verifyUntil
        self.retiredAt = retiredAt
    }
}

extension PolicyStore {
    private static let secretKeyColumns =
        "id, environment_id, state, sealed_value, fingerprint, origin, created_at, verify_until, retired_at"

    public func insertSecretKey(_ key: SecretKeyRecord) throws(StorageError) {
        try connection.run("INSERT INTO secret_keys (\(Self.secretKeyColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            .text(key.id), .integer(key.environmentID), .text(key.state.rawValue), .blob(key.sealedValue),
            .text(key.fingerprint), .text(key.origin), .text(key.createdAt.rfc3339),
            key.verifyUntil.map { .text($0.rfc3339) } ?? .null, key.retiredAt.map { .text($0.rfc3339) } ?? .null,
        ])
    }

    public func updateSecretKeyState(id: String, to state: SecretKeyRecord.State, verifyUntil: Timestamp?,
                                     retiredAt: Timestamp?) throws(StorageError) {
        try connection.run("UPDATE secret_keys SET state = ?, verify_until = ?, retired_at = ? WHERE id = ?", [
            .text(state.rawValue), verifyUntil.map { .text($0.rfc3339) } ?? .null,
            retiredAt.map { .text($0.rfc3339) } ?? .null, .text(id),
        ])
    }

    public func replaceSealedSecretKey(id: String, sealedValue: [UInt8]) throws(StorageError) {
        try connection.run("UPDATE secret_keys SET sealed_value = ? WHERE id = ?", [.blob(sealedValue), .text(id)])
    }

    /// Returns the environment's keys, newest first by insertion; `environmentID` nil lists the keys of every environment.
    public func secretKeys(ofEnvironment environmentID: Int64?) throws(StorageError) -> [SecretKeyRecord] {
        let filter = environmentID == nil ? "" : "WHERE environment_id = ?"
        return try connection.query("""
            SELECT \(Self.secretKeyColumns) FROM secret_keys \(filter) ORDER BY rowid DESC
            """, environmentID.map { [.integer($0)] } ?? []).map { (row) throws(StorageError) in
            guard let state = SecretKeyRecord.State(rawValue: try row.text(2)) else {
                throw StorageError.invalidStoredValue(column: "secret_keys.state", reason: "unknown state")
            }
            return SecretKeyRecord(id: try row.text(0), environmentID: try row.integer(1), state: state,
                                   sealedValue: try row.blob(3), fingerprint: try row.text(4), origin: try row.text(5),
                                   createdAt: try row.timestamp(6), verifyUntil: try row.optionalTimestamp(7),
                                   retiredAt: try row.optionalTimestamp(8))
        }
    }

    // MARK: - Signing key states

    public func updateSigningKeyState(keyID: String, to state: String, since time: Timestamp) throws(StorageError) {
        try connection.run("UPDATE signing_keys SET state = ?, state_since = ? WHERE key_id = ?",
                           [.text(state), .text(time.rfc3339), .text(keyID)])
    }

    public func replaceSealedSigningKey(keyID: String, sealedPrivateKey: [UInt8]) throws(StorageError) {
        try connection.run("UPDATE signing_keys SET sealed_private_key = ? WHERE key_id = ?",
                           [.blob(sealedPrivateKey), .text(keyID)])
    }
}
