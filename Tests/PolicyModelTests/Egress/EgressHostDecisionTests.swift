import PolicyModel
import Testing

/// Decisions on a host and the addresses a resolver returned for it.
struct EgressHostDecisionTests {
    @Test func oneDeniedAddressDeniesTheHost() throws {
        let decision = try egressDecider().decide(host: "hooks.example.com", port: 443, addresses: ["8.8.8.8", "10.0.0.5"])
        #expect(!decision.allowed)
        #expect(decision.matched == Matched.privateUse)
        #expect(decision.reason.contains("10.0.0.5 is in 10.0.0.0/8"))
        #expect(decision.reason.contains("1 of 2 addresses denied"))
        #expect(decision.addresses.map(\.allowed) == [true, false])
        #expect(decision.host == "hooks.example.com")
        #expect(decision.port == 443)
    }

    @Test func publicAddressesAllowTheHost() throws {
        let decision = try egressDecider().decide(host: "example.com", port: 443, addresses: ["93.184.215.14"])
        #expect(decision.allowed)
        #expect(!decision.wouldDeny)
        #expect(decision.reason.contains("its address passed"))
        #expect(decision.addresses.first?.address == .v4(0x5DB8_D70E))
    }

    @Test(arguments: [
        EgressCase("169.254.169.254", denied: true, matched: Matched.metadata, reason: "cloud metadata"),
        EgressCase("169.254.170.2", denied: true,
                   matched: "class cloud metadata (Amazon ECS task metadata endpoint version 2)", reason: "169.254.170.2"),
        EgressCase("100.100.100.200", denied: true, matched: "class cloud metadata (cloud-init: AliYun datasource)",
                   reason: "Alibaba"),
        EgressCase("168.63.129.16", denied: true,
                   matched: "class cloud metadata (Azure: What is IP address 168.63.129.16?)", reason: "WireServer"),
        EgressCase("[::1]", denied: true, matched: Matched.ipv6Loopback, reason: "::1"),
        EgressCase("::1", denied: true, matched: Matched.ipv6Loopback, reason: "::1"),
        EgressCase("0:0:0:0:0:0:0:1", denied: true, matched: Matched.ipv6Loopback, reason: "::1"),
        EgressCase("fe80::1%eth0", denied: true, matched: "zone identifier", reason: "zone identifier"),
        EgressCase("2130706433", denied: true, matched: "ambiguous IPv4 address", reason: "ambiguous IPv4"),
        EgressCase("Localhost.", denied: true, matched: Matched.loopbackName, reason: "localhost"),
        EgressCase("[example.com]", denied: true, matched: nil, reason: "only hold an IPv6 address"),
        EgressCase("exa mple.com", denied: true, matched: nil, reason: "contains \" \""),
        EgressCase("", denied: true, matched: nil, reason: "empty host name"),
        EgressCase("8.8.8.8", denied: false, matched: nil, reason: "no denied range"),
        EgressCase("2606:4700:4700::1111", denied: false, matched: nil, reason: "no denied range"),
    ])
    func hostAlone(_ row: EgressCase) throws {
        let decision = try egressDecider().decide(host: row.input, port: nil, addresses: [])
        #expect(decision.wouldDeny == row.denied)
        #expect(decision.allowed == !row.denied)
        #expect(decision.matched == row.matched)
        #expect(decision.reason.contains(row.reasonFragment), "reason: \(decision.reason)")
    }

    @Test(arguments: ["0x7f.1", "127.1", "10.0.0.1%eth0", "example.com", "", "[::1]", "::ffff:10.0.0.1"])
    func looseGivenAddressIsDenied(text: String) throws {
        let decision = try egressDecider().decide(host: "example.com", port: 443, addresses: ["8.8.8.8", text])
        #expect(!decision.allowed)
        #expect(decision.addresses.count == 2)
        #expect(decision.addresses[1].text == text)
        #expect(!decision.addresses[1].allowed)
    }

    @Test func unparsedAddressHasNoValue() throws {
        let decision = try egressDecider().decide(host: "example.com", port: 443, addresses: ["0x7f.1"])
        #expect(decision.addresses.first?.address == nil)
        #expect(decision.addresses.first?.reason.contains("ambiguous IPv4") == true)
    }

    @Test(arguments: [0, -1, 65_536])
    func portOutsideRangeIsDenied(port: Int) throws {
        let decision = try egressDecider().decide(host: "example.com", port: port, addresses: [])
        #expect(!decision.allowed)
        #expect(decision.reason.contains("port \(port)"))
    }

    @Test func literalAndGivenAddressesAreChecked() throws {
        let decision = try egressDecider().decide(host: "8.8.8.8", port: 80, addresses: ["127.0.0.1"])
        #expect(!decision.allowed)
        #expect(decision.addresses.map(\.text) == ["8.8.8.8", "127.0.0.1"])
        #expect(decision.matched == Matched.loopback)
    }

    // MARK: - Embedded IPv4

    @Test(arguments: [
        // Teredo: server 8.8.8.8 in bits 32–63, client 127.0.0.1 inverted in the last 32 bits.
        EgressCase("2001:0:808:808::80ff:fffe", denied: true, matched: Matched.loopback, reason: "Teredo client"),
        // Teredo: server 169.254.169.254, client 8.8.8.8 (inverted: f7f7:f7f7).
        EgressCase("2001:0:a9fe:a9fe::f7f7:f7f7", denied: true, matched: Matched.metadata, reason: "Teredo server"),
        EgressCase("2001:0:808:808::f7f7:f7f7", denied: false, matched: "allow_ranges 2001::/32", reason: "allow_ranges"),
    ])
    func allowedTeredoChecksCarriedAddresses(_ row: EgressCase) throws {
        let decider = try egressDecider(#"{"allow_ranges": ["2001::/32"]}"#)
        let decision = decider.decide(host: row.input, port: nil, addresses: [])
        #expect(decision.wouldDeny == row.denied)
        #expect(decision.matched == row.matched)
        #expect(decision.reason.contains(row.reasonFragment), "reason: \(decision.reason)")
    }

    @Test func teredoIsDeniedByDefault() throws {
        let decision = try egressDecider().decide(host: "2001:0:808:808::f7f7:f7f7", port: nil, addresses: [])
        #expect(!decision.allowed)
        #expect(decision.matched == Matched.teredo)
    }

    @Test(arguments: [
        EgressCase("64:ff9b::7f00:1", denied: true, matched: Matched.loopback, reason: "NAT64"),
        EgressCase("64:ff9b::a9fe:a9fe", denied: true, matched: Matched.metadata, reason: "NAT64"),
        EgressCase("64:ff9b::c0a8:1", denied: true, matched: "class private (RFC 1918)", reason: "192.168.0.1"),
        EgressCase("64:ff9b::808:808", denied: false, matched: nil, reason: "no denied range"),
        EgressCase("64:ff9b:1::808:808", denied: true, matched: "class special purpose (RFC 8215)", reason: "local use"),
    ])
    func nat64CarriedAddressIsChecked(_ row: EgressCase) throws {
        let decision = try egressDecider().decide(host: row.input, port: nil, addresses: [])
        #expect(decision.wouldDeny == row.denied)
        #expect(decision.matched == row.matched)
        #expect(decision.reason.contains(row.reasonFragment), "reason: \(decision.reason)")
    }

    @Test func allowedIPv6RangeChecksCarriedIPv4() throws {
        let decider = try egressDecider(#"{"allow_ranges": ["2002::/16"]}"#)
        let decision = decider.decide(host: "example.com", port: 443, addresses: ["2002:a9fe:a9fe::1"])
        #expect(!decision.allowed)
        #expect(decision.matched == Matched.metadata)
        #expect(decision.reason.contains("6to4"))
    }

    @Test func mappedAddressIsDecidedByIPv4Rules() throws {
        let decider = try egressDecider(#"{"allow_ranges": ["10.1.2.0/24"]}"#)
        #expect(decider.decide(host: "::ffff:10.1.2.3", port: nil, addresses: []).allowed)
        #expect(!decider.decide(host: "::ffff:10.1.3.3", port: nil, addresses: []).allowed)
    }
}
