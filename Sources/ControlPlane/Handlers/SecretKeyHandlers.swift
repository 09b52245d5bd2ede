import HTTP
import PolicyModel
import Storage

extension ControlPlaneResponder {
    /// `POST …/secret-keys`: generates a key, or imports `{"value": "…"}`, as the first active key.
    func createSecretKey(in environment: String, request: HTTPRequest, actor: Actor,
                         respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        let (value, _) = try readSecretKeyBody(request, allowsGrace: false)
        onWriter(respond) { writer, _ in
            let record = try writer.createSecretKey(environment: environment, importing: value, by: actor)
            return .json(.object(ControlPlaneResponder.metadata(of: record)), status: 201)
        }
    }

    /// `POST …/secret-keys/rotate` `{"grace": "7d"}`: a new active key; the old one verify-only for the grace period.
    func rotateSecretKey(in environment: String, request: HTTPRequest, actor: Actor,
                         respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        let (value, grace) = try readSecretKeyBody(request, allowsGrace: true)
        onWriter(respond) { writer, _ in
            let record = try writer.rotateSecretKey(environment: environment, grace: grace ?? 7 * 86_400,
                                                    importing: value, by: actor)
            return .json(.object(ControlPlaneResponder.metadata(of: record)), status: 201)
        }
    }

    func retireSecretKey(_ id: String, in environment: String, actor: Actor,
                         respond: @escaping @Sendable (HTTPResponse) -> Void) {
        onWriter(respond) { writer, _ in
            try writer.retireSecretKey(environment: environment, id: id, by: actor)
            return HTTPResponse(status: 204)
        }
    }

    /// Metadata only: never a value.
    func listSecretKeys(of environment: String, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        onWriter(respond) { writer, _ in
            let keys = try writer.secretKeyMetadata(of: environment).map { JSONValue.object(ControlPlaneResponder.metadata(of: $0)) }
            return .json(.object([("secret_keys", .array(keys))]))
        }
    }

    /// The active value and the verify-only values, newest first; needs the `secrets` scope.
    func currentSecretKey(of environment: String, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        onWriter(respond) { writer, _ in
            let values = try writer.secretKeyValues(of: environment)
            guard let active = values.active else {
                throw Problem.notFound("environment \"\(environment)\" has no active secret key; create one with "
                    + "POST /v1/environments/\(environment)/secret-keys")
            }
            return .json(.object([
                ("secret_key", .string(active)),
                ("fallbacks", .array(values.verifyOnly.map { .string($0) })),
            ]), headers: [("Cache-Control", "no-store")])
        }
    }

    private func readSecretKeyBody(_ request: HTTPRequest, allowsGrace: Bool) throws -> (String?, Int64?) {
        guard !request.body.isEmpty else { return (nil, nil) }
        var reader = ObjectReader(try request.jsonBody())
        var value: String?
        var grace: Int64?
        if let (json, pointer) = reader.optional("value") {
            if case let .string(text) = json { value = text } else {
                reader.record(FieldError(pointer: pointer, detail: "expected a string"))
            }
        }
        if allowsGrace, let (json, pointer) = reader.optional("grace") {
            if case let .string(text) = json, let seconds = Durations.seconds(text), seconds <= 366 * 86_400 {
                grace = seconds
            } else {
                reader.record(FieldError(pointer: pointer, value: json.encodedString,
                                         detail: "expected a duration such as \"7d\", \"12h\", \"30m\" or \"0s\""))
            }
        }
        reader.rejectUnknownMembers()
        guard reader.errors.isEmpty else { throw Problem.validation(ValidationFailure(reader.errors)) }
        return (value, grace)
    }

    static func metadata(of key: SecretKeyRecord) -> [(key: String, value: JSONValue)] {
        [
            ("id", .string(key.id)),
            ("state", .string(key.state.rawValue)),
            ("origin", .string(key.origin)),
            ("fingerprint", .string(key.fingerprint)),
            ("created_at", .string(key.createdAt.rfc3339)),
            ("verify_until", key.verifyUntil.map { .string($0.rfc3339) } ?? .null),
            ("retired_at", key.retiredAt.map { .string($0.rfc3339) } ?? .null),
        ]
    }
}

/// Durations such as `7d`, `12h`, `30m`, `90s`, or a bare number of seconds.
public enum Durations {
    public static func seconds(_ text: String) -> Int64? {
        guard let last = text.last else { return nil }
        let multiplier: Int64
        switch last {
        case "d": multiplier = 86_400
        case "h": multiplier = 3_600
        case "m": multiplier = 60
        case "s": multiplier = 1
        case "0"..."9": multiplier = 1
        default: return nil
        }
        let digits = last.isNumber ? Substring(text) : text.dropLast()
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let value = Int64(digits) else { return nil }
        return value * multiplier
    }
}
