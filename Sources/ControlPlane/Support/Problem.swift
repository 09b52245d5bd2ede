import HTTP
import PolicyModel

/// An error that a client receives, rendered as RFC 9457 `application/problem+json`.
///
/// This is the one place where errors become responses: handlers throw `Problem`, anything else
/// that escapes becomes a 500 that reveals nothing of the internals.
public struct Problem: Error, Sendable, CustomStringConvertible {
    public var status: Int
    /// The last part of the type URI, `urn:perimeter:problem:<slug>`.
    public var slug: String
    public var title: String
    public var detail: String
    public var errors: [FieldError]
    public var extraHeaders: [(String, String)]

    public init(status: Int, slug: String, title: String, detail: String, errors: [FieldError] = [],
                extraHeaders: [(String, String)] = []) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors
        self.extraHeaders = extraHeaders
    }

    public var description: String { "\(status) \(slug): \(detail)" }

    public var response: HTTPResponse {
        var members: [(key: String, value: JSONValue)] = [
            ("type", .string("urn:perimeter:problem:\(slug)")),
            ("title", .string(title)),
            ("status", .integer(status)),
            ("detail", .string(detail)),
        ]
        if !errors.isEmpty {
            members.append(("errors", .array(errors.map(Problem.json(of:)))))
        }
        var headers = HTTPHeaders([("Content-Type", "application/problem+json")])
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        return HTTPResponse(status: status, headers: headers, body: JSONValue.object(members).encoded())
    }

    private static func json(of error: FieldError) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        if let pointer = error.pointer { members.append(("pointer", .string(pointer))) }
        if let line = error.line { members.append(("line", .integer(line))) }
        if let key = error.key { members.append(("key", .string(key))) }
        if let value = error.value { members.append(("value", .string(value))) }
        members.append(("detail", .string(error.detail)))
        return .object(members)
    }
}

extension Problem {
    static func validation(_ failure: ValidationFailure) -> Problem {
        let count = failure.errors.count
        return Problem(status: 422, slug: "validation", title: "Validation failed",
                       detail: count == 1 ? failure.errors[0].description : "\(count) values are invalid; see errors",
                       errors: failure.errors)
    }

    static func malformedJSON(_ error: JSONParser.Error) -> Problem {
        Problem(status: 400, slug: "malformed-json", title: "Malformed JSON", detail: error.description)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(status: 404, slug: "not-found", title: "Not found", detail: detail)
    }

    static func environmentNotFound(_ name: String) -> Problem {
        guard EnvironmentName.isValid(name) else {
            return notFound("\"\(name)\" is not a valid environment name, so no such environment exists")
        }
        return notFound("environment \"\(name)\" does not exist; create it with PUT /v1/environments/\(name)")
    }

    static func methodNotAllowed(_ method: String, allowed: [String]) -> Problem {
        let allow = allowed.joined(separator: ", ")
        return Problem(status: 405, slug: "method-not-allowed", title: "Method not allowed",
                       detail: "\(method) is not allowed here; allowed: \(allow)", extraHeaders: [("Allow", allow)])
    }

    static let unauthorized = Problem(
        status: 401, slug: "unauthorized", title: "Unauthorized",
        detail: "missing or invalid bearer token; send Authorization: Bearer <token>",
        extraHeaders: [("WWW-Authenticate", "Bearer realm=\"perimeter\"")])

    static func unsupportedMediaType(_ contentType: String?, expected: String) -> Problem {
        Problem(status: 415, slug: "unsupported-media-type", title: "Unsupported media type",
                detail: "expected Content-Type \(expected), got \(contentType ?? "none")")
    }

    static let internalError = Problem(status: 500, slug: "internal", title: "Internal server error",
                                       detail: "the request failed inside Perimeter; the server log has the cause")
}
