import Foundation
import HTTP
import PolicyModel
import Signing
import Storage

extension ControlPlaneResponder {
    /// The whole policy with an entity tag that changes exactly when the policy does.
    func getPolicy(of environment: String) throws(Problem) -> HTTPResponse {
        guard let bundle = snapshot.current(environment) else { throw Problem.environmentNotFound(environment) }
        var document = PolicyDocument.json(of: bundle.policy)
        document.append(("version", .integer(bundle.version)))
        return .json(.object(document), headers: [("ETag", PolicyDocument.etag(of: bundle.policy))])
    }

    /// Replaces the whole policy in one version; `If-Match` guards against overwriting an unseen
    /// change and `?dry_run=true` shows the difference without writing.
    func putPolicy(of environment: String, request: HTTPRequest, actor: Actor,
                   respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        let json = try request.jsonBody()
        let proposed: Policy
        do {
            proposed = try PolicyDocument.policy(from: json)
        } catch {
            throw Problem.validation(error)
        }
        let ifMatch = request.headers["If-Match"]
        let isDryRun = try QueryParameters(request.query).boolean("dry_run") ?? false

        onWriter(respond) { writer, store in
            if isDryRun {
                guard let record = try store.environment(named: environment), record.deletedAt == nil else {
                    throw Problem.environmentNotFound(environment)
                }
                let current = try store.policy(ofEnvironment: record.id)
                try PolicyDocument.checkPrecondition(ifMatch, current: current)
                let diff = PolicyDocument.diff(from: current, to: proposed)
                return .json(.object([
                    ("dry_run", .bool(true)),
                    ("changed", .bool(current != proposed)),
                    ("diff", diff),
                    ("version", .integer(record.currentVersion)),
                ]), headers: [("ETag", PolicyDocument.etag(of: current))])
            }

            var diff = JSONValue.object([])
            let (policy, outcome) = try writer.change(environment: environment, action: "policy.put", by: actor) { policy in
                try PolicyDocument.checkPrecondition(ifMatch, current: policy)
                diff = PolicyDocument.diff(from: policy, to: proposed)
                policy = proposed
            }
            var document = PolicyDocument.json(of: policy)
            document += [("version", .integer(outcome.version)), ("changed", .bool(outcome.isPublished)), ("diff", diff)]
            return .json(.object(document), headers: [("ETag", PolicyDocument.etag(of: policy))])
        }
    }

    /// Publishes an earlier version's policy as the next version; history is never rewritten.
    func rollback(_ environment: String, request: HTTPRequest, actor: Actor,
                  respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        var reader = ObjectReader(try request.jsonBody())
        var target: Int?
        if let (value, pointer) = reader.optional("to_version") {
            if case let .number(literal) = value, let version = Int(literal), version >= 1 {
                target = version
            } else {
                reader.record(FieldError(pointer: pointer, value: value.encodedString, detail: "expected a version number, 1 or more"))
            }
        } else {
            reader.record(FieldError(pointer: "/to_version", detail: "missing; give the version to restore"))
        }
        reader.rejectUnknownMembers()
        guard reader.errors.isEmpty, let target else { throw Problem.validation(ValidationFailure(reader.errors)) }

        onWriter(respond) { writer, store in
            guard let record = try store.environment(named: environment), record.deletedAt == nil else {
                throw Problem.environmentNotFound(environment)
            }
            guard let bundle = try store.bundle(ofEnvironment: record.id, version: target) else {
                throw Problem.validation(ValidationFailure([FieldError(
                    pointer: "/to_version", value: String(target),
                    detail: "environment \"\(environment)\" has no version \(target); its current version is \(record.currentVersion)")]))
            }
            let restored = try PolicyDocument.policy(fromEnvelope: bundle.envelope)
            let (_, outcome) = try writer.change(environment: environment, action: "policy.rollback", by: actor) { policy in
                policy = restored
            }
            return .json(.object([
                ("version", .integer(outcome.version)),
                ("changed", .bool(outcome.isPublished)),
                ("restored_from", .integer(target)),
            ]))
        }
    }

    /// Published versions, newest first, with their time, author and payload digest.
    func listBundles(of environment: String, request: HTTPRequest,
                     respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        let limit = try QueryParameters(request.query).integer("limit", in: 1...500) ?? 50
        onWriter(respond) { _, store in
            guard let record = try store.environment(named: environment), record.deletedAt == nil else {
                throw Problem.environmentNotFound(environment)
            }
            let newest = record.currentVersion
            let oldest = max(1, newest - limit + 1)
            let authors = try store.audit(environment: environment, versions: oldest...newest)
            var entries: [JSONValue] = []
            for version in stride(from: newest, through: oldest, by: -1) {
                guard let bundle = try store.bundle(ofEnvironment: record.id, version: version) else { continue }
                let author = authors.first { $0.versionAfter == version }
                entries.append(.object([
                    ("version", .integer(version)),
                    ("issued_at", .string(bundle.issuedAt.rfc3339)),
                    ("expires_at", .string(bundle.expiresAt.rfc3339)),
                    ("payload_sha256", .string(bundle.payloadSHA256)),
                    ("author", author.map { .string($0.actor) } ?? .null),
                    ("action", author.map { .string($0.action) } ?? .null),
                ]))
            }
            return .json(.object([("bundles", .array(entries))]))
        }
    }
}

extension PolicyWriter.ChangeOutcome {
    var isPublished: Bool {
        if case .published = self { return true }
        return false
    }
}
