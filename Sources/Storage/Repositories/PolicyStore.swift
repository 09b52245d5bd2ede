import PolicyModel

/// Reads and writes Perimeter's rows through one connection.
///
/// It runs no transactions of its own: the writer wraps each change, with its version and bundle,
/// in one transaction so that nothing is half-applied.
public struct PolicyStore {
    public let connection: SQLiteConnection

    public init(connection: SQLiteConnection) { self.connection = connection }

    // MARK: - Environments

    private static let environmentColumns = "id, name, created_at, deleted_at, current_version"

    /// Returns the environment of that name, including a deleted one (check `deletedAt`).
    public func environment(named name: String) throws(StorageError) -> EnvironmentRecord? {
        try connection.queryOne("SELECT \(Self.environmentColumns) FROM environments WHERE name = ?", [.text(name)])
            .map(Self.environment(from:))
    }

    /// Environments that are not deleted, by name.
    public func liveEnvironments() throws(StorageError) -> [EnvironmentRecord] {
        try connection.query("SELECT \(Self.environmentColumns) FROM environments WHERE deleted_at IS NULL ORDER BY name")
            .map(Self.environment(from:))
    }

    public func insertEnvironment(named name: String, at time: Timestamp) throws(StorageError) -> EnvironmentRecord {
        try connection.run("INSERT INTO environments (name, created_at) VALUES (?, ?)", [.text(name), .text(time.rfc3339)])
        return EnvironmentRecord(id: connection.lastInsertRowID, name: name, createdAt: time, deletedAt: nil, currentVersion: 0)
    }

    /// Brings a deleted environment back; its version sequence continues where it stopped.
    public func restoreEnvironment(id: Int64) throws(StorageError) {
        try connection.run("UPDATE environments SET deleted_at = NULL WHERE id = ?", [.integer(id)])
    }

    /// Marks an environment deleted and drops its policy and agent reports; its bundles stay for the audit trail.
    public func markEnvironmentDeleted(id: Int64, at time: Timestamp) throws(StorageError) {
        try connection.run("UPDATE environments SET deleted_at = ? WHERE id = ?", [.text(time.rfc3339), .integer(id)])
        try connection.run("DELETE FROM policy_sections WHERE environment_id = ?", [.integer(id)])
        // A re-created environment keeps this id, so reports left behind would come back on the next start.
        try connection.run("DELETE FROM agents WHERE environment_id = ?", [.integer(id)])
    }

    public func setCurrentVersion(_ version: Int, ofEnvironment id: Int64) throws(StorageError) {
        try connection.run("UPDATE environments SET current_version = ? WHERE id = ?", [.integer(Int64(version)), .integer(id)])
    }

    private static func environment(from row: SQLiteRow) throws(StorageError) -> EnvironmentRecord {
        EnvironmentRecord(id: try row.integer(0), name: try row.text(1), createdAt: try row.timestamp(2),
                          deletedAt: try row.optionalTimestamp(3), currentVersion: try row.int(4))
    }

    // MARK: - Policy sections

    /// Returns the stored policy; a section without a row has its default value.
    public func policy(ofEnvironment id: Int64) throws(StorageError) -> Policy {
        var policy = Policy()
        for row in try connection.query("SELECT section, document FROM policy_sections WHERE environment_id = ?",
                                         [.integer(id)]) {
            let name = try row.text(0)
            guard let section = Policy.Section(rawValue: name) else {
                throw StorageError.invalidStoredValue(column: "policy_sections.section", reason: "unknown section \(name)")
            }
            do {
                let json = try JSONParser.parse(Array(try row.text(1).utf8))
                try policy.replace(section, with: json)
            } catch let error as StorageError {
                throw error
            } catch {
                throw StorageError.invalidStoredValue(column: "policy_sections.document",
                                                      reason: "section \(name) does not validate: \(error)")
            }
        }
        return policy
    }

    /// Stores every section of `policy` that differs from `previous`.
    public func saveSections(of policy: Policy, replacing previous: Policy, environmentID id: Int64,
                             version: Int) throws(StorageError) {
        for section in Policy.Section.allCases where policy.json(of: section) != previous.json(of: section) {
            try connection.run("""
                INSERT INTO policy_sections (environment_id, section, document, changed_in) VALUES (?, ?, ?, ?)
                ON CONFLICT (environment_id, section) DO UPDATE SET document = excluded.document, changed_in = excluded.changed_in
                """, [.integer(id), .text(section.rawValue), .text(policy.json(of: section).encodedString),
                      .integer(Int64(version))])
        }
    }

    // MARK: - Bundles

    private static let bundleColumns = "environment_id, version, issued_at, expires_at, payload_sha256, envelope"

    public func insertBundle(_ bundle: BundleRecord) throws(StorageError) {
        try connection.run("INSERT INTO bundles (\(Self.bundleColumns)) VALUES (?, ?, ?, ?, ?, ?)", [
            .integer(bundle.environmentID), .integer(Int64(bundle.version)), .text(bundle.issuedAt.rfc3339),
            .text(bundle.expiresAt.rfc3339), .text(bundle.payloadSHA256), .blob(bundle.envelope),
        ])
    }

    public func bundle(ofEnvironment id: Int64, version: Int) throws(StorageError) -> BundleRecord? {
        try connection.queryOne("SELECT \(Self.bundleColumns) FROM bundles WHERE environment_id = ? AND version = ?",
                                [.integer(id), .integer(Int64(version))]).map(Self.bundle(from:))
    }

    private static func bundle(from row: SQLiteRow) throws(StorageError) -> BundleRecord {
        BundleRecord(environmentID: try row.integer(0), version: try row.int(1), issuedAt: try row.timestamp(2),
                     expiresAt: try row.timestamp(3), payloadSHA256: try row.text(4), envelope: try row.blob(5))
    }

    // MARK: - Signing keys

    public func insertSigningKey(_ key: SigningKeyRecord) throws(StorageError) {
        try connection.run("""
            INSERT INTO signing_keys (key_id, algorithm, public_key_der, sealed_private_key, state, created_at, state_since)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.text(key.keyID), .text(key.algorithm), .blob(key.publicKeyDER), .blob(key.sealedPrivateKey),
                  .text(key.state), .text(key.createdAt.rfc3339), .text(key.stateSince.rfc3339)])
    }

    /// Returns every signing key, oldest first.
    public func signingKeys() throws(StorageError) -> [SigningKeyRecord] {
        try connection.query("""
            SELECT key_id, algorithm, public_key_der, sealed_private_key, state, created_at,
                   COALESCE(state_since, created_at)
            FROM signing_keys ORDER BY created_at, key_id
            """).map { (row) throws(StorageError) in
            SigningKeyRecord(keyID: try row.text(0), algorithm: try row.text(1), publicKeyDER: try row.blob(2),
                             sealedPrivateKey: try row.blob(3), state: try row.text(4), createdAt: try row.timestamp(5),
                             stateSince: try row.timestamp(6))
        }
    }

}
