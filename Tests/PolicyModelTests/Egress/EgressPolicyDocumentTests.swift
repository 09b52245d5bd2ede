import PolicyModel
import Testing

struct EgressPolicyDocumentTests {
    @Test func emptyDocumentIsDefaultPolicy() throws {
        let policy = try EgressPolicy(json: json("{}"))
        #expect(policy == EgressPolicy())
        #expect(policy.mode == .enforce)
        #expect(policy.unlistedHosts == .allow)
        #expect(policy.json.encodedString == #"{"mode":"enforce","allow_hosts":[],"deny_hosts":[],"#
            + #""allow_ranges":[],"deny_ranges":[],"unlisted_hosts":"allow"}"#)
    }

    @Test func fullDocumentParsesToCanonicalForm() throws {
        let policy = try EgressPolicy(json: json(#"""
            {"mode": "report", "allow_hosts": ["Hooks.Slack.com.", "*.zapier.com", "hooks.slack.com"],
             "deny_hosts": ["*.Internal.example"], "allow_ranges": ["10.1.2.0/24"],
             "deny_ranges": ["198.51.100.0/24", "::ffff:203.0.113.0/120"], "unlisted_hosts": "deny"}
            """#))
        #expect(policy.mode == .report)
        #expect(policy.unlistedHosts == .deny)
        #expect(policy.allowHosts.map(\.description) == ["*.zapier.com", "hooks.slack.com"])
        #expect(policy.denyHosts.map(\.description) == ["*.internal.example"])
        #expect(policy.json.encodedString == #"{"mode":"report","allow_hosts":["*.zapier.com","hooks.slack.com"],"#
            + #""deny_hosts":["*.internal.example"],"allow_ranges":["10.1.2.0/24"],"#
            + #""deny_ranges":["198.51.100.0/24","203.0.113.0/24"],"unlisted_hosts":"deny"}"#)
    }

    @Test func sameRulesInAnyOrderEncodeEqually() throws {
        let first = try EgressPolicy(json: json(#"{"allow_hosts": ["b.example", "a.example"], "deny_ranges": ["10.0.0.0/8", "::1"]}"#))
        let second = try EgressPolicy(json: json(#"""
            {"deny_ranges": ["::1/128", "10.0.0.0/8", "10.0.0.0/8"], "allow_hosts": ["A.example.", "b.example"],
             "mode": "enforce", "unlisted_hosts": "allow"}
            """#))
        #expect(first == second)
        #expect(first.json.encoded() == second.json.encoded())
    }

    @Test func jsonParsesToSamePolicy() throws {
        let policy = EgressPolicy(mode: .report, unlistedHosts: .deny,
                                  allowHosts: [try HostPattern(parsing: "*.zapier.com")],
                                  denyHosts: [try HostPattern(parsing: "evil.example")],
                                  allowRanges: [try block("10.1.2.0/24")], denyRanges: [try block("2001:db8::/32")])
        #expect(try EgressPolicy(json: policy.json) == policy)
    }

    @Test(arguments: [
        ("*", "not a supported pattern"),
        ("a.*.b", "not a supported pattern"),
        ("*foo.com", "not a supported pattern"),
        ("example.*", "not a supported pattern"),
        ("**.a.com", "not a supported pattern"),
        ("*.", "not a supported pattern"),
        ("*.*.a.com", "not a supported pattern"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("*.Bücher.example", "xn--bcher-kva.example"),
        ("-a.example", "starts or ends with a hyphen"),
        ("a-.example", "starts or ends with a hyphen"),
        ("a..example", "empty label"),
        ("a_b.example", "contains \"_\""),
        ("a b.example", "contains \" \""),
        ("10.0.0.1", "is an IP address; put it in allow_ranges"),
        ("::1", "is an IP address; put it in allow_ranges"),
        ("example.123", "numeric label"),
        ("0x7f.1", "is an IP address"),
        ("*.com", "every name under a top-level domain"),
        ("", "empty host name"),
        (String(repeating: "a", count: 64) + ".example", "more than 63 characters"),
        ([String](repeating: String(repeating: "a", count: 63), count: 4).joined(separator: "."), "longer than 253"),
    ])
    func invalidAllowHostIsRejected(text: String, detail: String) {
        let document = JSONValue.object([("allow_hosts", .array([.string("ok.example"), .string(text)]))])
        let failure = #expect(throws: ValidationFailure.self) { try EgressPolicy(json: document) }
        #expect(pointers(failure) == ["/allow_hosts/1"])
        #expect(failure?.errors.first?.value == text)
        #expect(failure?.errors.first?.detail.contains(detail) == true, "detail: \(failure?.description ?? "")")
    }

    @Test func denyHostsAcceptTopLevelWildcard() throws {
        let policy = try EgressPolicy(json: json(#"{"deny_hosts": ["*.internal"]}"#))
        #expect(policy.denyHosts.map(\.description) == ["*.internal"])
    }

    @Test func addressInDenyHostsPointsToDenyRanges() {
        let failure = #expect(throws: ValidationFailure.self) { try EgressPolicy(json: json(#"{"deny_hosts": ["192.0.2.1"]}"#)) }
        #expect(failure?.errors.first?.detail.contains("put it in deny_ranges") == true)
    }

    @Test func longestAllowedNameIsAccepted() throws {
        let name = [String](repeating: String(repeating: "a", count: 63), count: 3).joined(separator: ".")
            + "." + String(repeating: "b", count: 61)
        #expect(name.utf8.count == 253)
        let policy = try EgressPolicy(json: .object([("allow_hosts", .array([.string(name)]))]))
        #expect(policy.allowHosts.first?.name == name)
    }

    @Test func hostBitsErrorNamesCanonicalBlock() {
        let failure = #expect(throws: ValidationFailure.self) {
            try EgressPolicy(json: json(#"{"deny_ranges": ["192.0.2.77/24"], "allow_ranges": ["127.1"]}"#))
        }
        #expect(pointers(failure) == ["/allow_ranges/0", "/deny_ranges/0"])
        #expect(failure?.errors.last?.detail.contains("192.0.2.0/24") == true)
        #expect(failure?.errors.first?.detail.contains("ambiguous") == true)
    }

    @Test(arguments: [
        (#"{"mode": "Enforce"}"#, "/mode", #"expected "enforce" or "report""#),
        (#"{"mode": true}"#, "/mode", #"expected "enforce" or "report""#),
        (#"{"unlisted_hosts": "block"}"#, "/unlisted_hosts", #"expected "allow" or "deny""#),
        (#"{"allow_hosts": "a.example"}"#, "/allow_hosts", "expected an array of strings"),
        (#"{"deny_ranges": [24]}"#, "/deny_ranges/0", "expected a string"),
        (#"{"allowed_domains": []}"#, "/allowed_domains", "unknown field"),
        ("[]", "", "expected a JSON object"),
    ])
    func malformedMemberIsRejected(document: String, pointer: String, detail: String) {
        let failure = #expect(throws: ValidationFailure.self) { try EgressPolicy(json: json(document)) }
        #expect(pointers(failure) == [pointer])
        #expect(failure?.errors.first?.detail.contains(detail) == true, "detail: \(failure?.description ?? "")")
    }

    @Test func hostInBothListsIsRejected() {
        let failure = #expect(throws: ValidationFailure.self) {
            try EgressPolicy(json: json(#"{"allow_hosts": ["a.example", "*.b.example"], "deny_hosts": ["c.example", "*.B.example."]}"#))
        }
        #expect(pointers(failure) == ["/deny_hosts/1"])
        #expect(failure?.errors.first?.detail.contains("also in allow_hosts") == true)
    }

    @Test func rangeInBothListsIsRejected() {
        let failure = #expect(throws: ValidationFailure.self) {
            try EgressPolicy(json: json(#"{"allow_ranges": ["10.0.0.0/8"], "deny_ranges": ["::ffff:10.0.0.0/104"]}"#))
        }
        #expect(pointers(failure) == ["/deny_ranges/0"])
    }

    @Test func errorsCarryTheNestedPointer() {
        let failure = #expect(throws: ValidationFailure.self) {
            try EgressPolicy(json: json(#"{"allow_hosts": ["*"]}"#), at: "/egress")
        }
        #expect(pointers(failure) == ["/egress/allow_hosts/0"])
    }

    @Test func tooManyEntriesAreRejected() {
        let hosts = (0...EgressPolicy.maxEntries).map { JSONValue.string("h\($0).example") }
        let failure = #expect(throws: ValidationFailure.self) {
            try EgressPolicy(json: .object([("allow_hosts", .array(hosts))]))
        }
        #expect(pointers(failure) == ["/allow_hosts"])
    }
}
