import PolicyModel

/// One row of `api_tokens`, without the token itself, which is never stored.
public struct TokenRecord: Equatable, Sendable {
    public var id: String
    public var name: String
    public var tokenSHA256: String
    public var scopes: [String]
    /// The environments the token may reach; nil reaches every environment.
    public var environments: [String]?
    public var createdAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var revokedAt: Timestamp?

    public init(id: String, name: String, tokenSHA256: String, scopes: [String], environments: [String]?,
                createdAt: Timestamp, lastUsedAt: Timestamp? = nil, revokedAt: Timestamp? = nil) {
        self.id = id
        self.name = name
        self.tokenSHA256 = tokenSHA256
        self.scopes = scopes
        self.environments = environments
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

extension PolicyStore {
    private static let tokenColumns = "id, name, token_sha256, scopes, environments, created_at, last_used_at, revoked_at"

    /// Inserts a token, or replaces the digest of the token with the same id and makes it active again.
    public func insertToken(_ token: TokenRecord) throws(StorageError) {
        try connection.run("""
            INSERT INTO api_tokens (id, name, token_sha256, scopes, environments, created_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET token_sha256 = excluded.token_sha256, revoked_at = NULL
            """, [.text(token.id), .text(token.name), .text(token.tokenSHA256), .text(token.scopes.joined(separator: " ")),
                  token.environments.map { .text($0.joined(separator: " ")) } ?? .null, .text(token.createdAt.rfc3339)])
    }

    public func deleteToken(id: String) throws(StorageError) {
        try connection.run("DELETE FROM api_tokens WHERE id = ?", [.text(id)])
    }

    /// Revokes a token; returns false when no active token has that id.
    public func revokeToken(id: String, at time: Timestamp) throws(StorageError) -> Bool {
        try connection.run("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                           [.text(time.rfc3339), .text(id)])
        return connection.changes == 1
    }

    public func recordTokenUse(id: String, at time: Timestamp) throws(StorageError) {
        try connection.run("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [.text(time.rfc3339), .text(id)])
    }

    /// Tokens that are not revoked, oldest first.
    public func activeTokens() throws(StorageError) -> [TokenRecord] {
        try connection.query("""
            SELECT \(Self.tokenColumns) FROM api_tokens WHERE revoked_at IS NULL ORDER BY created_at, id
            """).map(Self.token(from:))
    }

    private static func token(from row: SQLiteRow) throws(StorageError) -> TokenRecord {
        TokenRecord(id: try row.text(0), name: try row.text(1), tokenSHA256: try row.text(2),
                    scopes: try row.text(3).split(separator: " ").map(String.init),
                    environments: try row.optionalText(4).map { $0.split(separator: " ").map(String.init) },
                    createdAt: try row.timestamp(5), lastUsedAt: try row.optionalTimestamp(6),
                    revokedAt: try row.optionalTimestamp(7))
    }
}
