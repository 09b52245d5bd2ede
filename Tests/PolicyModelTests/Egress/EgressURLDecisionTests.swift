import PolicyModel
import Testing

/// URL decisions under the default policy: enforce, unlisted hosts allowed, no rules.
struct EgressURLDecisionTests {
    @Test(arguments: [
        // Ambiguous IPv4 spellings are addresses to some parser, so they are never names.
        EgressCase("http://2130706433/", denied: true, matched: "ambiguous IPv4 address", reason: "ambiguous IPv4"),
        EgressCase("http://0x7f.1/", denied: true, matched: "ambiguous IPv4 address", reason: "ambiguous IPv4"),
        EgressCase("http://0x7f000001/", denied: true, matched: "ambiguous IPv4 address", reason: "ambiguous IPv4"),
        EgressCase("http://0177.0.0.1/", denied: true, matched: "ambiguous IPv4 address", reason: "ambiguous IPv4"),
        EgressCase("http://127.1/", denied: true, matched: "ambiguous IPv4 address", reason: "ambiguous IPv4"),
        EgressCase("http://0X7F.0.0.1/", denied: true, matched: "ambiguous IPv4 address", reason: "ambiguous IPv4"),
        EgressCase("http://1.2.3.4.5/", denied: true, matched: "invalid IPv4 address", reason: "more than four parts"),
        EgressCase("http://1.2.3.256/", denied: true, matched: "invalid IPv4 address", reason: "greater than 255"),
        EgressCase("http://example.123/", denied: true, matched: "ambiguous IPv4 address", reason: "numeric label"),
        EgressCase("http://example.0x1f/", denied: true, matched: "ambiguous IPv4 address", reason: "numeric label"),
        // IPv4 carried in IPv6 is checked as IPv4.
        EgressCase("http://[::ffff:127.0.0.1]/", denied: true, matched: Matched.loopback, reason: "IPv4-mapped"),
        EgressCase("http://[::ffff:7f00:1]/", denied: true, matched: Matched.loopback, reason: "127.0.0.1"),
        EgressCase("http://[0:0:0:0:0:FFFF:127.0.0.1]/", denied: true, matched: Matched.loopback, reason: "127.0.0.1"),
        EgressCase("http://[::ffff:a9fe:a9fe]/", denied: true, matched: Matched.metadata, reason: "169.254.169.254"),
        EgressCase("http://[2002:a9fe:a9fe::]/", denied: true, matched: Matched.metadata, reason: "6to4"),
        EgressCase("http://[2002:7f00:1::1]/", denied: true, matched: Matched.loopback, reason: "6to4"),
        EgressCase("http://[64:ff9b::a9fe:a9fe]/", denied: true, matched: Matched.metadata, reason: "NAT64"),
        EgressCase("http://[64:ff9b::10.0.0.1]/", denied: true, matched: Matched.privateUse, reason: "NAT64"),
        EgressCase("http://[64:ff9b:1::808:808]/", denied: true, matched: "class special purpose (RFC 8215)",
                   reason: "local use"),
        EgressCase("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", denied: true, matched: Matched.teredo,
                   reason: "Teredo"),
        EgressCase("http://[::127.0.0.1]/", denied: true, matched: "class special purpose (RFC 4291 section 2.5.5.1)",
                   reason: "IPv4-compatible"),
        // Loopback, unspecified and metadata, by address and by name.
        EgressCase("http://localhost./", denied: true, matched: Matched.loopbackName, reason: "built-in denied name"),
        EgressCase("http://LOCALHOST/", denied: true, matched: Matched.loopbackName, reason: "localhost"),
        EgressCase("http://a.localhost/", denied: true, matched: Matched.loopbackName, reason: "a.localhost"),
        EgressCase("http://%6c%6fcalhost/", denied: true, matched: Matched.loopbackName, reason: "localhost"),
        EgressCase("http://%31%32%37.0.0.1/", denied: true, matched: Matched.loopback, reason: "127.0.0.1"),
        EgressCase("http://metadata.google.internal/computeMetadata/v1/", denied: true,
                   matched: Matched.googleMetadataName, reason: "metadata.google.internal"),
        EgressCase("http://[::]/", denied: true, matched: Matched.ipv6Unspecified, reason: "::"),
        EgressCase("http://[::1]:8080/", denied: true, matched: Matched.ipv6Loopback, reason: "::1"),
        EgressCase("http://0.0.0.0:8080/", denied: true, matched: Matched.unspecified, reason: "0.0.0.0"),
        EgressCase("http://127.0.0.1/", denied: true, matched: Matched.loopback, reason: "127.0.0.0/8"),
        EgressCase("http://169.254.169.254/latest/meta-data/", denied: true, matched: Matched.metadata,
                   reason: "cloud metadata"),
        EgressCase("http://[fd00:ec2::254]/", denied: true, matched: Matched.metadata, reason: "cloud metadata"),
        EgressCase("http://10.0.0.1/", denied: true, matched: Matched.privateUse, reason: "10.0.0.0/8"),
        EgressCase("http://[fe80::1]/", denied: true, matched: "class link-local (RFC 4291 section 2.5.6)",
                   reason: "fe80::/10"),
        // Zone identifiers.
        EgressCase("http://[fe80::1%25eth0]/", denied: true, matched: "zone identifier", reason: "zone identifier"),
        // Malformed or rejected URLs fail closed.
        EgressCase("ftp://example.com/", denied: true, matched: nil, reason: "scheme \"ftp\" is not allowed"),
        EgressCase("file:///etc/passwd", denied: true, matched: nil, reason: "scheme \"file\" is not allowed"),
        EgressCase("javascript:alert(1)", denied: true, matched: nil, reason: "scheme \"javascript\""),
        EgressCase("http://user:secret@example.com/", denied: true, matched: nil, reason: "user information"),
        EgressCase("http://example.com@169.254.169.254/", denied: true, matched: nil, reason: "user information"),
        EgressCase("http://example.com\\@169.254.169.254/", denied: true, matched: nil, reason: "backslash"),
        EgressCase("http:\\\\example.com/", denied: true, matched: nil, reason: "no \"//\""),
        EgressCase("http:example.com", denied: true, matched: nil, reason: "no \"//\""),
        EgressCase("http://exa mple.com/", denied: true, matched: nil, reason: "whitespace"),
        EgressCase(" http://example.com/", denied: true, matched: nil, reason: "whitespace"),
        EgressCase("http://example.com\t/", denied: true, matched: nil, reason: "whitespace"),
        EgressCase("", denied: true, matched: nil, reason: "empty URL"),
        EgressCase("example.com", denied: true, matched: nil, reason: "no scheme"),
        EgressCase("http://", denied: true, matched: nil, reason: "empty host"),
        EgressCase("http:///path", denied: true, matched: nil, reason: "empty host"),
        EgressCase("http://[::1/", denied: true, matched: nil, reason: "no closing"),
        EgressCase("http://[::1]x/", denied: true, matched: nil, reason: "only \":port\""),
        EgressCase("http://::1/", denied: true, matched: nil, reason: "brackets"),
        EgressCase("http://[127.0.0.1]/", denied: true, matched: nil, reason: "only hold an IPv6 address"),
        EgressCase("http://[v1.x]/", denied: true, matched: nil, reason: "IPvFuture"),
        EgressCase("http://example.com:0/", denied: true, matched: nil, reason: "port \"0\""),
        EgressCase("http://example.com:65536/", denied: true, matched: nil, reason: "port \"65536\""),
        EgressCase("http://example.com:/", denied: true, matched: nil, reason: "port \"\""),
        EgressCase("http://example.com:+80/", denied: true, matched: nil, reason: "port \"+80\""),
        EgressCase("http://%zz.example.com/", denied: true, matched: nil, reason: "two hex digits"),
        EgressCase("http://%ff/", denied: true, matched: nil, reason: "UTF-8"),
        EgressCase("http://%3a%3a1/", denied: true, matched: nil, reason: "brackets"),
        EgressCase("http://ex%2fample.com/", denied: true, matched: nil, reason: "contains \"/\""),
        EgressCase("http://under_score.example.com/", denied: true, matched: nil, reason: "contains \"_\""),
        EgressCase("http://-lead.example.com/", denied: true, matched: nil, reason: "hyphen"),
        EgressCase("http://a..b.example.com/", denied: true, matched: nil, reason: "empty label"),
        EgressCase("http://bücher.example/", denied: true, matched: nil, reason: "xn--bcher-kva.example"),
        EgressCase("http://b%C3%BCcher.example/", denied: true, matched: nil, reason: "xn--bcher-kva.example"),
    ])
    func deniedURL(_ row: EgressCase) throws {
        let decision = try egressDecider().decide(url: row.input)
        #expect(!decision.allowed)
        #expect(decision.wouldDeny)
        #expect(decision.matched == row.matched)
        #expect(decision.reason.contains(row.reasonFragment), "reason: \(decision.reason)")
    }

    @Test(arguments: [
        EgressCase("http://[2001:4860:4860::8888]/", denied: false, matched: nil, reason: "no denied range"),
        EgressCase("https://example.com/", denied: false, matched: "unlisted_hosts allow", reason: "no host rule"),
        EgressCase("HTTPS://Example.COM./path?q=1#top", denied: false, matched: "unlisted_hosts allow",
                   reason: "example.com"),
        EgressCase("http://8.8.8.8/", denied: false, matched: nil, reason: "8.8.8.8 is in no denied range"),
        EgressCase("http://[::ffff:8.8.8.8]/", denied: false, matched: nil, reason: "8.8.8.8"),
        EgressCase("http://[2002:808:808::1]/", denied: false, matched: nil, reason: "2002:808:808::1"),
        EgressCase("http://[64:ff9b::8.8.8.8]/", denied: false, matched: nil, reason: "64:ff9b::808:808"),
        EgressCase("http://example.com:8080/", denied: false, matched: "unlisted_hosts allow", reason: "example.com"),
        EgressCase("http://xn--bcher-kva.example/", denied: false, matched: "unlisted_hosts allow",
                   reason: "xn--bcher-kva.example"),
        EgressCase("http://%65xample.com/", denied: false, matched: "unlisted_hosts allow", reason: "example.com"),
    ])
    func allowedURL(_ row: EgressCase) throws {
        let decision = try egressDecider().decide(url: row.input)
        #expect(decision.allowed)
        #expect(!decision.wouldDeny)
        #expect(decision.matched == row.matched)
        #expect(decision.reason.contains(row.reasonFragment), "reason: \(decision.reason)")
    }

    @Test(arguments: [
        ("http://example.com/", "example.com", 80),
        ("https://example.com/", "example.com", 443),
        ("HTTP://EXAMPLE.com.:8443/x", "example.com", 8443),
        ("https://[2001:4860:4860:0:0:0:0:8888]/", "2001:4860:4860::8888", 443),
        ("http://example.com:00080/", "example.com", 80),
    ])
    func urlHostAndPortAreCanonical(url: String, host: String, port: Int) throws {
        let decision = try egressDecider().decide(url: url)
        #expect(decision.host == host)
        #expect(decision.port == port)
    }

    @Test func malformedURLHasNoHost() throws {
        let decision = try egressDecider().decide(url: "http://user@example.com/")
        #expect(decision.host == nil)
        #expect(decision.port == nil)
        #expect(decision.addresses.isEmpty)
    }

    @Test func literalHostIsReportedAsAddressVerdict() throws {
        let decision = try egressDecider().decide(url: "http://[::ffff:169.254.169.254]/")
        #expect(decision.addresses.count == 1)
        #expect(decision.addresses.first?.address == .v6(0xFFFF_A9FE_A9FE))
        #expect(decision.addresses.first?.allowed == false)
        #expect(decision.host == "::ffff:169.254.169.254")
    }

    @Test func nameWithoutAddressesNeedsSecondCheck() throws {
        let decision = try egressDecider().decide(url: "https://api.example.com/v1")
        #expect(decision.allowed)
        #expect(decision.addresses.isEmpty)
        #expect(decision.reason.contains("decide again with the resolved addresses"))
    }
}
