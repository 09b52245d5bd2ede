import HTTP
import PolicyModel
import Storage

extension ControlPlaneResponder {
    /// Pages through the audit log newest first; `cursor` is the `next_cursor` of the previous page.
    func listAudit(request: HTTPRequest, actor: Actor, respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        let query = try QueryParameters(request.query)
        var environments: [String]?
        if let environment = query.string("environment") {
            guard EnvironmentName.isValid(environment) else {
                throw Problem(status: 400, slug: "malformed-query", title: "Malformed query",
                              detail: "query parameter environment=\(environment): not a valid environment name")
            }
            guard actor.reaches(environment) else {
                throw Problem(status: 403, slug: "environment-not-permitted", title: "Environment not permitted",
                              detail: "this token cannot reach environment \"\(environment)\"; it is limited to "
                                  + (actor.environments ?? []).sorted().joined(separator: ", "))
            }
            environments = [environment]
        } else if let reachable = actor.environments {
            environments = reachable.sorted()
        }
        var before: Int64?
        if let cursor = query.string("cursor") {
            guard cursor.hasPrefix("a"), let id = Int64(cursor.dropFirst()), id > 0 else {
                throw Problem(status: 400, slug: "malformed-query", title: "Malformed query",
                              detail: "query parameter cursor=\(cursor): use the next_cursor of a previous page")
            }
            before = id
        }
        let limit = try query.integer("limit", in: 1...500) ?? 50
        // One row more than the page shows whether another page follows, so a full last page ends the listing.
        let auditQuery = AuditQuery(environments: environments, since: try query.timestamp("since"),
                                    until: try query.timestamp("until"), limit: limit + 1, before: before)
        onWriter(respond) { _, store in
            let found = try store.audit(auditQuery)
            let records = found.prefix(limit)
            let entries = records.map { record -> JSONValue in
                let entry = record.entry
                return .object([
                    ("id", .integer(Int(record.id))),
                    ("at", .string(entry.at.rfc3339)),
                    ("token_id", entry.tokenID.map { .string($0) } ?? .null),
                    ("actor", .string(entry.actor)),
                    ("peer", entry.peer.map { .string($0) } ?? .null),
                    ("client", entry.client.map { .string($0) } ?? .null),
                    ("action", .string(entry.action)),
                    ("environment", entry.environment.map { .string($0) } ?? .null),
                    ("version_before", entry.versionBefore.map { .integer($0) } ?? .null),
                    ("version_after", entry.versionAfter.map { .integer($0) } ?? .null),
                    ("change_sha256", entry.changeSHA256.map { .string($0) } ?? .null),
                ])
            }
            let next: JSONValue = found.count > limit ? .string("a\(records.last!.id)") : .null
            return .json(.object([("entries", .array(entries)), ("next_cursor", next)]))
        }
    }
}
