import Dispatch
import Glibc
import HTTP
import PolicyModel
import Signing

extension ControlPlaneResponder {
    /// Responds with the current bundle from the snapshot, or 304 when the client's `If-None-Match` names it.
    ///
    /// With `Prefer: wait=N` or `?wait=N` an unchanged request parks until the next publish (200 at
    /// once) or N seconds (304), N capped by the configured maximum. Nothing here touches SQLite.
    func currentBundle(of environment: String, request: HTTPRequest,
                       respond: @escaping @Sendable (HTTPResponse) -> Void) throws(Problem) {
        guard let bundle = snapshot.current(environment, loop: request.loopIndex) else {
            throw Problem.environmentNotFound(environment)
        }
        guard EntityTag.anyMatches(request.headers.values(named: "If-None-Match"), bundle.etag) else {
            respond(ControlPlaneResponder.bundleResponse(bundle, status: 200, waitApplied: nil))
            return
        }
        guard let requested = LongPoll.requestedWait(request), requested > 0 else {
            respond(ControlPlaneResponder.bundleResponse(bundle, status: 304, waitApplied: nil))
            return
        }

        let wait = min(requested, maxWait)
        let result = snapshot.park(environment, heldETag: bundle.etag) { end in
            switch end {
            case let .published(bundle):
                respond(ControlPlaneResponder.bundleResponse(bundle, status: 200, waitApplied: wait))
            case let .unchanged(bundle):
                respond(ControlPlaneResponder.bundleResponse(bundle, status: 304, waitApplied: wait))
            case .environmentDeleted:
                respond(Problem.environmentNotFound(environment).response)
            }
        }
        switch result {
        case let .answerNow(.some(current)):
            let status = current.etag == bundle.etag ? 304 : 200
            respond(ControlPlaneResponder.bundleResponse(current, status: status, waitApplied: wait))
        case .answerNow(.none):
            respond(Problem.environmentNotFound(environment).response)
        case let .parked(pollID):
            LongPoll.deadlineQueue.asyncAfter(deadline: .now() + .seconds(wait)) { [snapshot] in
                snapshot.expire(environment, pollID: pollID)
            }
        }
    }

    /// 200 and 304 carry the same `ETag` and `Content-Type`, so a poller can treat them alike.
    static func bundleResponse(_ bundle: PublishedBundle, status: Int, waitApplied: Int?) -> HTTPResponse {
        var response = HTTPResponse(status: status, body: status == 200 ? bundle.envelope : [],
                                    encodedFields: bundle.responseFields)
        if let waitApplied { response.headers.add(name: "Preference-Applied", value: "wait=\(waitApplied)") }
        return response
    }

    /// Responds with a published version. Its bytes never change, so clients may cache it for good.
    func bundle(of environment: String, version: Int, request: HTTPRequest,
                respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let ifNoneMatch = request.headers["If-None-Match"]
        onWriter(respond) { _, store in
            guard let record = try store.environment(named: environment), record.deletedAt == nil else {
                throw Problem.environmentNotFound(environment)
            }
            guard let bundle = try store.bundle(ofEnvironment: record.id, version: version) else {
                throw Problem.notFound("environment \"\(environment)\" has no version \(version); "
                    + "its current version is \(record.currentVersion)")
            }
            let etag = PublishedBundle.etag(of: bundle.envelope)
            let headers = HTTPHeaders([
                ("Content-Type", PublishedBundle.contentType),
                ("ETag", etag),
                ("Cache-Control", "private, max-age=31536000, immutable"),
                ("Perimeter-Bundle-Version", String(bundle.version)),
            ])
            if EntityTag.anyMatches(ifNoneMatch, etag) {
                return HTTPResponse(status: 304, headers: headers)
            }
            return HTTPResponse(status: 200, headers: headers, body: bundle.envelope)
        }
    }

    func listSigningKeys(respond: @escaping @Sendable (HTTPResponse) -> Void) {
        onWriter(respond) { _, store in
            let keys = try store.signingKeys().map { (record) throws -> JSONValue in
                let publicKey = try Ed25519PublicKey(derRepresentation: record.publicKeyDER)
                return .object([
                    ("key_id", .string(record.keyID)),
                    ("algorithm", .string(record.algorithm)),
                    ("public_key_pem", .string(publicKey.pemRepresentation)),
                    ("state", .string(record.state)),
                    ("created_at", .string(record.createdAt.rfc3339)),
                ])
            }
            return .json(.object([("keys", .array(keys))]))
        }
    }
}

/// Entity-tag comparison for `If-None-Match` (RFC 9110 section 13.1.2), which uses the weak comparison.
enum EntityTag {
    private static func hasSameBytes(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        return lhs.withUTF8Bytes { lhsBytes in
            rhs.withUTF8Bytes { rhsBytes in
                lhsBytes.isEmpty || memcmp(lhsBytes.baseAddress!, rhsBytes.baseAddress!, lhsBytes.count) == 0
            }
        }
    }

    static func anyMatches(_ fieldValues: some Sequence<String>, _ etag: String) -> Bool {
        for value in fieldValues {
            // Pollers send back exactly the tag they got. Comparing the whole value first keeps that case,
            // the hot path of every poll, free of splitting and trimming.
            if hasSameBytes(value, etag) || anyMember(of: value, matches: etag) { return true }
        }
        return false
    }

    /// Compares each member of one comma-separated field value, `*` included.
    private static func anyMember(of value: String, matches etag: String) -> Bool {
        let opaque = etag.hasPrefix("W/") ? etag.dropFirst(2) : etag[...]
        for member in value.split(separator: ",") {
            let candidate = member.trimmingCharacters(in: " \t")
            if candidate == "*" { return true }
            let candidateOpaque = candidate.hasPrefix("W/") ? candidate.dropFirst(2) : candidate[...]
            if candidateOpaque == opaque { return true }
        }
        return false
    }
}
