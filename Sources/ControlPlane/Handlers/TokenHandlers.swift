import HTTP
import PolicyModel
import Signing
import Storage

extension ControlPlaneResponder {
    /// Creates a token and returns it once; only its SHA-256 is stored.
    func createToken(request: HTTPRequest, actor: Actor, respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        var reader = ObjectReader(try request.jsonBody())
        var name = ""
        if let (value, pointer) = reader.optional("name") {
            if case let .string(text) = value, (1...64).contains(text.count), text.allSatisfy({ $0.isASCII && !$0.isNewline }),
               text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
                name = text
            } else {
                reader.record(FieldError(pointer: pointer, value: value.encodedString,
                                         detail: "expected 1 to 64 printable ASCII characters"))
            }
        } else {
            reader.record(FieldError(pointer: "/name", detail: "missing; name the token after its user, such as \"ci-deploy\""))
        }
        let scopes = reader.strings("scopes", maxCount: Scope.allCases.count) { (text) throws(FieldError) in
            guard let scope = Scope(rawValue: text) else {
                throw FieldError(value: text, detail: "unknown scope; use admin, write, read, poll or secrets")
            }
            return scope
        }
        if reader.optional("scopes") != nil, scopes.isEmpty, reader.errors.isEmpty {
            reader.record(FieldError(pointer: "/scopes", detail: "give at least one scope"))
        } else if reader.optional("scopes") == nil {
            reader.record(FieldError(pointer: "/scopes", detail: "missing; give the scopes, such as [\"write\"]"))
        }
        let hasEnvironments = reader.optional("environments") != nil
        let environments = reader.strings("environments", maxCount: 1_000) { (text) throws(FieldError) in
            guard EnvironmentName.isValid(text) else {
                throw FieldError(value: text, detail: "not a valid environment name")
            }
            return text
        }
        reader.rejectUnknownMembers()
        guard reader.errors.isEmpty else { throw Problem.validation(ValidationFailure(reader.errors)) }
        if hasEnvironments, environments.isEmpty {
            throw Problem.validation(ValidationFailure([FieldError(
                pointer: "/environments", detail: "an empty list would reach nothing; leave the field out to reach every environment")]))
        }

        let token = TokenFactory.makeToken()
        let record = TokenRecord(id: TokenFactory.makeID(), name: name, tokenSHA256: SHA256.hex(Array(token.utf8)),
                                 scopes: Array(Set(scopes)).sorted().map(\.rawValue),
                                 environments: hasEnvironments ? Array(Set(environments)).sorted() : nil,
                                 createdAt: writer.clock.now())
        onWriter(respond) { [authenticator] writer, store in
            try store.connection.transaction {
                try store.insertToken(record)
                try store.appendAudit(writer.auditEntry(action: "token.create", actor: actor, environment: nil,
                                                        change: "token \(record.id) \(record.scopes)"))
            }
            authenticator.replaceCredentials(try Bootstrap.credentials(store: store))
            var document = ControlPlaneResponder.json(of: record, lastUsed: nil)
            document.append(("token", .string(token)))
            return .json(.object(document), status: 201, headers: [("Location", "/v1/tokens/\(record.id)")])
        }
    }

    func listTokens(respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let pending = authenticator.pendingLastUsed()
        onWriter(respond) { _, store in
            let tokens = try store.activeTokens().map { record in
                JSONValue.object(ControlPlaneResponder.json(of: record, lastUsed: pending[record.id]))
            }
            return .json(.object([("tokens", .array(tokens))]))
        }
    }

    /// Revokes a token at once. The last admin token without environment limits cannot be revoked, because only
    /// such a token can manage tokens, so revoking it would lock everyone out.
    func revokeToken(_ id: String, actor: Actor, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        onWriter(respond) { [authenticator] writer, store in
            try store.connection.transaction {
                let tokens = try store.activeTokens()
                guard let token = tokens.first(where: { $0.id == id }) else {
                    throw Problem.notFound("no active token has the id \(id)")
                }
                let isUnlimitedAdmin = { (record: TokenRecord) in
                    record.scopes.contains(Scope.admin.rawValue) && record.environments == nil
                }
                if isUnlimitedAdmin(token), tokens.filter(isUnlimitedAdmin).count == 1 {
                    throw Problem(status: 409, slug: "last-admin-token", title: "Cannot revoke the last admin token",
                                  detail: "token \(id) is the only admin token without environment limits; "
                                      + "create another such admin token first")
                }
                _ = try store.revokeToken(id: id, at: writer.clock.now())
                try store.appendAudit(writer.auditEntry(action: "token.revoke", actor: actor, environment: nil,
                                                        change: "token \(id)"))
            }
            authenticator.replaceCredentials(try Bootstrap.credentials(store: store))
            return HTTPResponse(status: 204)
        }
    }

    static func json(of record: TokenRecord, lastUsed: Timestamp?) -> [(key: String, value: JSONValue)] {
        let used = [lastUsed, record.lastUsedAt].compactMap { $0 }.max()
        return [
            ("id", .string(record.id)),
            ("name", .string(record.name)),
            ("scopes", .array(record.scopes.map { .string($0) })),
            ("environments", record.environments.map { .array($0.map { .string($0) }) } ?? .null),
            ("created_at", .string(record.createdAt.rfc3339)),
            ("last_used_at", used.map { .string($0.rfc3339) } ?? .null),
        ]
    }
}
