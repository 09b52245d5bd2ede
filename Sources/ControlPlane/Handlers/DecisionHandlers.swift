import HTTP
import PolicyModel

extension ControlPlaneResponder {
    /// Decides one request as the environment's current policy would: which client, allowed or not, and why.
    func decideClient(in environment: String, request: HTTPRequest) throws(Problem) -> HTTPResponse {
        let json = try request.jsonBody()
        var reader = ObjectReader(json)
        var peer: IPAddress?
        if let (value, pointer) = reader.optional("peer") {
            if case let .string(text) = value {
                do {
                    peer = try IPAddress(parsing: text)
                } catch {
                    reader.record(FieldError(pointer: pointer, value: text, detail: error.description))
                }
            } else {
                reader.record(FieldError(pointer: pointer, value: value.encodedString, detail: "expected an IP address string"))
            }
        } else {
            reader.record(FieldError(pointer: "/peer", detail: "missing; give the socket peer address, such as \"10.0.0.2\""))
        }
        // Forwarded entries are decision input, not configuration: a malformed one is a finding, not an error.
        let forwardedFor = reader.strings("x_forwarded_for", maxCount: 100) { (line) throws(FieldError) in line }
        var path = "/"
        if let (value, pointer) = reader.optional("path") {
            if case let .string(text) = value, text.hasPrefix("/") {
                path = text
            } else {
                reader.record(FieldError(pointer: pointer, value: value.encodedString,
                                         detail: "expected a request path starting with \"/\""))
            }
        }
        reader.rejectUnknownMembers()
        guard reader.errors.isEmpty, let peer else { throw Problem.validation(ValidationFailure(reader.errors)) }

        guard let bundle = snapshot.current(environment) else { throw Problem.environmentNotFound(environment) }
        let decision = bundle.inbound.decide(peer: peer, forwardedFor: forwardedFor, path: path)
        return .json(.object([
            ("client", decision.client.map { .string($0.description) } ?? .null),
            ("allowed", .bool(decision.allowed)),
            ("exempt", .bool(decision.exempt)),
            ("reason", .string(decision.reason)),
            ("matched_block", decision.matchedBlock.map { .string($0.description) } ?? .null),
            ("header_ignored", .bool(decision.resolution.isHeaderIgnored)),
            ("client_reason", .string(decision.resolution.reason)),
            ("version", .integer(bundle.version)),
        ]))
    }
}
