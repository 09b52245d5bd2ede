import PolicyModel
import Testing

/// How explicit rules, built-in classes, unlisted hosts and the mode combine.
struct EgressRuleOrderTests {
    // MARK: - Ranges

    @Test func narrowAllowRangeOpensPartOfClass() throws {
        let decider = try egressDecider(#"{"allow_ranges": ["10.1.2.0/24"]}"#)

        let inside = decider.decide(url: "http://10.1.2.3/")
        #expect(inside.allowed)
        #expect(inside.matched == "allow_ranges 10.1.2.0/24")

        let outside = decider.decide(url: "http://10.1.3.3/")
        #expect(!outside.allowed)
        #expect(outside.matched == Matched.privateUse)
    }

    @Test func allowRangeEqualToClassOpensIt() throws {
        let decider = try egressDecider(#"{"allow_ranges": ["10.0.0.0/8"]}"#)
        #expect(decider.decide(url: "http://10.200.0.1/").allowed)
    }

    @Test func broadAllowRangeKeepsNarrowerClass() throws {
        let decider = try egressDecider(#"{"allow_ranges": ["169.254.0.0/16"]}"#)

        let linkLocal = decider.decide(url: "http://169.254.1.1/")
        #expect(linkLocal.allowed)
        #expect(linkLocal.matched == "allow_ranges 169.254.0.0/16")

        let metadata = decider.decide(url: "http://169.254.169.254/")
        #expect(!metadata.allowed)
        #expect(metadata.matched == Matched.metadata)
        #expect(metadata.reason.contains("allow_ranges 169.254.0.0/16 is broader than 169.254.169.254/32"))
    }

    @Test func exactAllowRangeOpensMetadataAddress() throws {
        let decider = try egressDecider(#"{"allow_ranges": ["169.254.169.254/32"]}"#)
        #expect(decider.decide(url: "http://169.254.169.254/").allowed)
        #expect(!decider.decide(url: "http://169.254.169.253/").allowed)
    }

    @Test func allowingEverythingOpensNoClass() throws {
        let decider = try egressDecider(#"{"allow_ranges": ["0.0.0.0/0", "::/0"]}"#)
        #expect(!decider.decide(url: "http://127.0.0.1/").allowed)
        #expect(!decider.decide(url: "http://[::1]/").allowed)
        #expect(decider.decide(url: "http://8.8.8.8/").matched == "allow_ranges 0.0.0.0/0")
    }

    @Test func narrowerDenyRangeBeatsBroaderAllowRange() throws {
        let decider = try egressDecider(#"{"allow_ranges": ["8.8.8.0/24", "8.8.8.8/32"], "deny_ranges": ["8.8.8.0/28"]}"#)
        #expect(decider.decide(url: "http://8.8.8.100/").matched == "allow_ranges 8.8.8.0/24")
        #expect(decider.decide(url: "http://8.8.8.9/").matched == "deny_ranges 8.8.8.0/28")
        #expect(!decider.decide(url: "http://8.8.8.9/").allowed)
        #expect(decider.decide(url: "http://8.8.8.8/").allowed)
    }

    @Test func denyRangeOverBuiltInBlockIsReported() throws {
        let decider = try egressDecider(#"{"deny_ranges": ["198.51.100.0/24"]}"#)
        let decision = decider.decide(url: "http://198.51.100.7/")
        #expect(!decision.allowed)
        #expect(decision.matched == "deny_ranges 198.51.100.0/24")
    }

    @Test func denyRangeDeniesPublicAddress() throws {
        let decider = try egressDecider(#"{"deny_ranges": ["2001:4860::/32"]}"#)
        let decision = decider.decide(url: "http://[2001:4860:4860::8888]/")
        #expect(!decision.allowed)
        #expect(decision.reason == "2001:4860:4860::8888 is in deny_ranges 2001:4860::/32")
    }

    // MARK: - Host rules

    @Test func exactDenyBeatsWildcardAllow() throws {
        let decider = try egressDecider(#"{"allow_hosts": ["*.example.com"], "deny_hosts": ["bad.example.com"]}"#)
        #expect(decider.decide(url: "https://bad.example.com/").matched == "deny_hosts bad.example.com")
        #expect(!decider.decide(url: "https://bad.example.com/").allowed)
        #expect(decider.decide(url: "https://good.example.com/").matched == "allow_hosts *.example.com")
    }

    @Test func exactAllowBeatsWildcardDeny() throws {
        let decider = try egressDecider(#"{"allow_hosts": ["ok.example.com"], "deny_hosts": ["*.example.com"]}"#)
        #expect(decider.decide(url: "https://ok.example.com/").allowed)
        #expect(!decider.decide(url: "https://other.example.com/").allowed)
    }

    @Test func longerSuffixBeatsShorterSuffix() throws {
        let decider = try egressDecider(#"{"allow_hosts": ["*.api.example.com"], "deny_hosts": ["*.example.com"]}"#)
        #expect(decider.decide(url: "https://v1.api.example.com/").matched == "allow_hosts *.api.example.com")
        #expect(decider.decide(url: "https://www.example.com/").matched == "deny_hosts *.example.com")
        // The wildcard does not cover its own apex, so api.example.com falls to *.example.com.
        #expect(decider.decide(url: "https://api.example.com/").matched == "deny_hosts *.example.com")
    }

    @Test(arguments: [
        ("hooks.zapier.com", true),
        ("a.b.zapier.com", true),
        ("zapier.com", false),
        ("evilzapier.com", false),
        ("zapier.com.evil.example", false),
    ])
    func wildcardMatchesSubdomainsOnly(host: String, allowed: Bool) throws {
        let decider = try egressDecider(#"{"allow_hosts": ["*.zapier.com"], "unlisted_hosts": "deny"}"#)
        #expect(decider.decide(url: "https://\(host)/").allowed == allowed)
    }

    @Test func allowedHostNeedsPassingAddresses() throws {
        let decider = try egressDecider(#"{"allow_hosts": ["hooks.slack.com"], "unlisted_hosts": "deny"}"#)
        let decision = decider.decide(host: "hooks.slack.com", port: 443, addresses: ["10.0.0.1"])
        #expect(!decision.allowed)
        #expect(decision.matched == Matched.privateUse)
    }

    @Test func metadataNameNeedsExactAllowRule() throws {
        let wildcard = try egressDecider(#"{"allow_hosts": ["*.google.internal"]}"#)
        #expect(!wildcard.decide(url: "http://metadata.google.internal/").allowed)
        #expect(wildcard.decide(url: "http://other.google.internal/").allowed)

        let exact = try egressDecider(#"{"allow_hosts": ["metadata.google.internal"]}"#)
        #expect(exact.decide(url: "http://metadata.google.internal/").matched == "allow_hosts metadata.google.internal")
    }

    @Test func openedLocalhostKeepsLoopbackDenied() throws {
        let decider = try egressDecider(#"{"allow_hosts": ["localhost"]}"#)
        #expect(decider.decide(url: "http://localhost/").allowed)
        let decision = decider.decide(host: "localhost", port: 80, addresses: ["127.0.0.1"])
        #expect(!decision.allowed)
        #expect(decision.matched == Matched.loopback)
        #expect(!decider.decide(url: "http://a.localhost/").allowed)
    }

    // MARK: - Unlisted destinations

    @Test func unlistedDenyDeniesUnlistedName() throws {
        let decider = try egressDecider(#"{"allow_hosts": ["hooks.slack.com"], "unlisted_hosts": "deny"}"#)
        let decision = decider.decide(url: "https://example.com/")
        #expect(!decision.allowed)
        #expect(decision.matched == "unlisted_hosts deny")
        #expect(decider.decide(url: "https://hooks.slack.com/").allowed)
    }

    @Test func unlistedDenyNeedsAllowRangeForLiteral() throws {
        let decider = try egressDecider(#"{"allow_ranges": ["8.8.4.0/24"], "unlisted_hosts": "deny"}"#)
        let unlisted = decider.decide(url: "http://8.8.8.8/")
        #expect(!unlisted.allowed)
        #expect(unlisted.matched == "unlisted_hosts deny")
        #expect(decider.decide(url: "http://8.8.4.4/").allowed)
    }

    @Test func deniedAddressIsReportedBeforeUnlistedName() throws {
        let decider = try egressDecider(#"{"unlisted_hosts": "deny"}"#)
        let decision = decider.decide(host: "internal.example", port: 443, addresses: ["192.168.1.10"])
        #expect(decision.matched == "class private (RFC 1918)")
    }

    // MARK: - Report mode

    @Test func reportModeAllowsButWouldDeny() throws {
        let decider = try egressDecider(#"{"mode": "report"}"#)
        let decision = decider.decide(url: "http://169.254.169.254/")
        #expect(decision.allowed)
        #expect(decision.wouldDeny)
        #expect(decision.matched == Matched.metadata)
        #expect(decision.reason.hasPrefix("report mode, would deny: 169.254.169.254"))
        #expect(decision.addresses.first?.allowed == false)
    }

    @Test func reportModeKeepsAllowedDecisions() throws {
        let decision = try egressDecider(#"{"mode": "report"}"#).decide(url: "https://example.com/")
        #expect(decision.allowed)
        #expect(!decision.wouldDeny)
        #expect(!decision.reason.hasPrefix("report mode"))
    }

    @Test func reportModeAppliesToMalformedURLs() throws {
        let decision = try egressDecider(#"{"mode": "report"}"#).decide(url: "gopher://example.com/")
        #expect(decision.allowed)
        #expect(decision.wouldDeny)
    }
}
