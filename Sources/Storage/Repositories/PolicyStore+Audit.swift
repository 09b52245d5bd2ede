import PolicyModel

/// One row of `audit_log` as read back, with its id for paging.
public struct AuditRecord: Equatable, Sendable {
    public var id: Int64
    public var entry: AuditEntry
}

/// Filters and a page position for reading the audit log newest first.
public struct AuditQuery: Equatable, Sendable {
    /// Only rows of these environments; nil means every row.
    public var environments: [String]?
    public var since: Timestamp?
    public var until: Timestamp?
    public var limit: Int
    /// Only rows older than this id, which is the last id of the previous page.
    public var before: Int64?

    public init(environments: [String]?, since: Timestamp?, until: Timestamp?, limit: Int, before: Int64?) {
        self.environments = environments
        self.since = since
        self.until = until
        self.limit = limit
        self.before = before
    }
}

extension PolicyStore {
    public func appendAudit(_ entry: AuditEntry) throws(StorageError) {
        func optional(_ value: Int?) -> SQLiteValue { value.map { .integer(Int64($0)) } ?? .null }
        func optional(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
        try connection.run("""
            INSERT INTO audit_log (at, token_id, actor, peer, client, action, environment, version_before, version_after,
                                   change_sha256)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(entry.at.rfc3339), optional(entry.tokenID), .text(entry.actor), optional(entry.peer),
                  optional(entry.client), .text(entry.action), optional(entry.environment),
                  optional(entry.versionBefore), optional(entry.versionAfter), optional(entry.changeSHA256)])
    }

    /// Rows matching `query`, newest first.
    public func audit(_ query: AuditQuery) throws(StorageError) -> [AuditRecord] {
        var conditions: [String] = []
        var arguments: [SQLiteValue] = []
        if let environments = query.environments {
            // Environment-limited tokens see rows of their environments only, never global rows.
            conditions.append("environment IN (SELECT value FROM json_each(?))")
            arguments.append(.text("[" + environments.map { "\"\($0)\"" }.joined(separator: ",") + "]"))
        }
        if let since = query.since {
            conditions.append("at >= ?")
            arguments.append(.text(since.rfc3339))
        }
        if let until = query.until {
            conditions.append("at < ?")
            arguments.append(.text(until.rfc3339))
        }
        if let before = query.before {
            conditions.append("id < ?")
            arguments.append(.integer(before))
        }
        arguments.append(.integer(Int64(query.limit)))
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try connection.query("""
            SELECT id, at, token_id, actor, peer, client, action, environment, version_before, version_after, change_sha256
            FROM audit_log \(filter) ORDER BY id DESC LIMIT ?
            """, arguments).map { (row) throws(StorageError) in
            AuditRecord(id: try row.integer(0), entry: AuditEntry(
                at: try row.timestamp(1), tokenID: try row.optionalText(2), actor: try row.text(3),
                peer: try row.optionalText(4), client: try row.optionalText(5), action: try row.text(6),
                environment: try row.optionalText(7), versionBefore: try row.optionalInteger(8).map(Int.init),
                versionAfter: try row.optionalInteger(9).map(Int.init), changeSHA256: try row.optionalText(10)))
        }
    }

    /// Audit rows that published versions in `versions` of an environment, newest first.
    public func audit(environment: String, versions: ClosedRange<Int>) throws(StorageError) -> [AuditEntry] {
        try connection.query("""
            SELECT at, token_id, actor, peer, client, action, environment, version_before, version_after, change_sha256
            FROM audit_log WHERE environment = ? AND version_after BETWEEN ? AND ? ORDER BY version_after DESC
            """, [.text(environment), .integer(Int64(versions.lowerBound)), .integer(Int64(versions.upperBound))])
            .map { (row) throws(StorageError) in
                AuditEntry(at: try row.timestamp(0), tokenID: try row.optionalText(1), actor: try row.text(2),
                           peer: try row.optionalText(3), client: try row.optionalText(4), action: try row.text(5),
                           environment: try row.optionalText(6), versionBefore: try row.optionalInteger(7).map(Int.init),
                           versionAfter: try row.optionalInteger(8).map(Int.init), changeSHA256: try row.optionalText(9))
            }
    }
}
