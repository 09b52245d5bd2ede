import HTTP
import PolicyModel

extension ControlPlaneResponder {
    /// Decides whether the app may fetch a destination, without resolving or connecting to anything.
    ///
    /// The body is `{"url": "https://…"}`, or `{"host": "…", "port": 443, "addresses": ["…"]}` with the
    /// addresses a resolver returned for the host.
    func decideEgress(in environment: String, request: HTTPRequest) throws(Problem) -> HTTPResponse {
        var reader = ObjectReader(try request.jsonBody())
        var url: String?
        var host: String?
        var port: Int?
        if let (value, pointer) = reader.optional("url") {
            if case let .string(text) = value { url = text } else {
                reader.record(FieldError(pointer: pointer, value: value.encodedString, detail: "expected a URL string"))
            }
        }
        if let (value, pointer) = reader.optional("host") {
            if case let .string(text) = value { host = text } else {
                reader.record(FieldError(pointer: pointer, value: value.encodedString, detail: "expected a host name or address"))
            }
        }
        if let (value, pointer) = reader.optional("port") {
            if case let .number(literal) = value, let number = Int(literal), (1...65_535).contains(number) {
                port = number
            } else {
                reader.record(FieldError(pointer: pointer, value: value.encodedString, detail: "expected a port from 1 to 65535"))
            }
        }
        let hasAddresses = reader.optional("addresses") != nil
        // Addresses are decision input: a malformed one is denied with a reason, not refused as an error.
        let addresses = reader.strings("addresses", maxCount: 64) { (text) throws(FieldError) in text }
        reader.rejectUnknownMembers()
        if reader.errors.isEmpty {
            switch (url, host) {
            case (.some, .some):
                reader.record(FieldError(pointer: "/url", detail: "give either url or host, not both"))
            case (nil, nil):
                reader.record(FieldError(pointer: "/url", detail: "missing; give url, or host with its resolved addresses"))
            case (.some, nil) where hasAddresses || port != nil:
                reader.record(FieldError(pointer: "/url", detail: "port and addresses go with host, not with url"))
            default:
                break
            }
        }
        guard reader.errors.isEmpty else { throw Problem.validation(ValidationFailure(reader.errors)) }
        guard let bundle = snapshot.current(environment) else { throw Problem.environmentNotFound(environment) }

        let decision = if let url {
            bundle.egress.decide(url: url)
        } else {
            bundle.egress.decide(host: host ?? "", port: port, addresses: addresses)
        }
        return .json(.object([
            ("allowed", .bool(decision.allowed)),
            ("would_deny", .bool(decision.wouldDeny)),
            ("mode", .string(bundle.policy.egress.mode.rawValue)),
            ("reason", .string(decision.reason)),
            ("matched", decision.matched.map { .string($0) } ?? .null),
            ("host", decision.host.map { .string($0) } ?? .null),
            ("port", decision.port.map { .integer($0) } ?? .null),
            ("addresses", .array(decision.addresses.map { verdict in
                .object([
                    ("address", .string(verdict.text)),
                    ("canonical", verdict.address.map { .string($0.description) } ?? .null),
                    ("allowed", .bool(verdict.allowed)),
                    ("reason", .string(verdict.reason)),
                    ("matched", verdict.matched.map { .string($0) } ?? .null),
                ])
            })),
            ("version", .integer(bundle.version)),
        ]))
    }
}
