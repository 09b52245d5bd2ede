import PolicyModel
import Testing

struct PolicyTests {
    @Test func egressDefaultsFromEmptyObject() throws {
        #expect(try EgressPolicy(json: json("{}")) == EgressPolicy())
        #expect(EgressPolicy().json.encodedString
            == #"{"mode":"enforce","allow_hosts":[],"deny_hosts":[],"allow_ranges":[],"deny_ranges":[],"unlisted_hosts":"allow"}"#)
    }

    @Test(arguments: [(#"{"mode": "Enforce"}"#, "/mode"), ("[]", "")])
    func egressRejectsOtherDocuments(document: String, pointer: String) {
        let failure = #expect(throws: ValidationFailure.self) { try EgressPolicy(json: json(document)) }
        #expect(pointers(failure) == [pointer])
    }

    @Test(arguments: Policy.Section.allCases)
    func sectionJSONReplacesToSamePolicy(section: Policy.Section) throws {
        let source = Policy(
            ipAllowlist: IPAllowlist(blocks: [try block("10.0.0.0/8")], exemptPaths: ["/capture"]),
            trustedProxies: TrustedProxies(isBehindProxy: true, proxies: [try block("10.0.0.1")]),
            cookies: CookiePolicy(secure: .off, appMode: .debug))
        var copy = Policy()
        try copy.replace(section, with: source.json(of: section))
        #expect(copy.json(of: section) == source.json(of: section))
    }

    @Test func sectionNamesMatchPayloadMembers() {
        #expect(Policy.Section.allCases.map(\.rawValue) == ["ip_allowlist", "trusted_proxies", "cookies", "egress"])
    }

    @Test func invalidSectionLeavesPolicyUnchanged() throws {
        var policy = Policy(ipAllowlist: IPAllowlist(blocks: [try block("10.0.0.0/8")]))
        let before = policy
        #expect(throws: ValidationFailure.self) {
            try policy.replace(.ipAllowlist, with: json(#"{"blocks": ["10.0.0.0/8", "bad"]}"#))
        }
        #expect(policy == before)
    }

    @Test(arguments: ["default", "prod", "staging", "a", "0", "eu-west-1", String(repeating: "a", count: 63)])
    func environmentNameIsValid(name: String) {
        #expect(EnvironmentName.isValid(name))
    }

    @Test(arguments: ["", "-prod", "Prod", "staging_2", "a.b", "a/b", "é", " a", String(repeating: "a", count: 64)])
    func environmentNameIsInvalid(name: String) {
        #expect(!EnvironmentName.isValid(name))
    }
}
