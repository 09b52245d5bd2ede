import PolicyModel
import Testing

/// Builds a decider from a policy document written as JSON text.
func egressDecider(_ document: String = "{}") throws -> EgressDecider {
    EgressDecider(policy: try EgressPolicy(json: json(document)))
}

/// One expected decision: the input, whether the rules deny it, the matched rule or class, and a
/// fragment that the reason must contain.
struct EgressCase: CustomTestStringConvertible, Sendable {
    let input: String
    let denied: Bool
    let matched: String?
    let reasonFragment: String

    init(_ input: String, denied: Bool, matched: String?, reason reasonFragment: String) {
        self.input = input
        self.denied = denied
        self.matched = matched
        self.reasonFragment = reasonFragment
    }

    var testDescription: String { input.isEmpty ? "(empty)" : input }
}

/// Matched-rule texts that several tables share.
enum Matched {
    static let loopback = "class loopback (RFC 1122 section 3.2.1.3)"
    static let ipv6Loopback = "class loopback (RFC 4291 section 2.5.3)"
    static let loopbackName = "class loopback (RFC 6761 section 6.3)"
    static let unspecified = "class unspecified (RFC 1122 section 3.2.1.3)"
    static let ipv6Unspecified = "class unspecified (RFC 4291 section 2.5.2)"
    static let privateUse = "class private (RFC 1918)"
    static let metadata = "class cloud metadata (AWS EC2 user guide: retrieve instance metadata)"
    static let googleMetadataName = "class cloud metadata (Google Compute Engine: VM metadata)"
    static let teredo = "class special purpose (RFC 4380)"
}
