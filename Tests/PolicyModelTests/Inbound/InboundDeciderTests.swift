import PolicyModel
import Testing

struct InboundDeciderTests {
    /// Allowlist `128.0.0.1` with `/capture` exempt, behind proxies in `10.0.0.0/24`.
    static func makeDecider(blocks: [String] = ["128.0.0.1"], exemptPaths: [String] = ["/capture"],
                            proxies: TrustedProxies? = nil) throws -> InboundDecider {
        let allowlist = IPAllowlist(blocks: try Fixture.blocks(blocks), exemptPaths: exemptPaths)
        return InboundDecider(allowlist: allowlist, resolver: ClientAddressResolver(try proxies ?? Fixture.proxies()))
    }

    // MARK: - Exempt paths

    @Test(arguments: [
        ("203.0.113.20", [String]()),
        ("10.0.0.2", ["198.51.100.7"]),
        ("10.0.0.2", ["unknown"]),
        ("10.0.0.2", ["127.1"]),
        ("2001:db8::1", ["10.0.0.1"]),
    ])
    func exemptPathAllowsEveryClient(peer: String, forwardedFor: [String]) throws {
        let decision = try Self.makeDecider().decide(peer: try Fixture.address(peer), forwardedFor: forwardedFor,
                                                     path: "/capture/x")
        #expect(decision.allowed)
        #expect(decision.exempt)
        #expect(decision.exemptPath == "/capture")
        #expect(decision.matchedBlock == nil)
        #expect(decision.reason == "the request path is covered by exempt path /capture, so every client is allowed")
    }

    @Test func exemptPathKeepsUnknownClient() throws {
        let decision = try Self.makeDecider().decide(peer: try Fixture.address("10.0.0.2"), forwardedFor: ["unknown"],
                                                     path: "/capture")
        #expect(decision.allowed)
        #expect(decision.client == nil)
        #expect(decision.resolution.outcome == .malformedEntry("unknown"))
    }

    @Test(arguments: ["/capture", "/capture/", "/capture/x", "/capture/x/y", "//capture", "/./capture", "/a/../capture",
                      "/%63apture", "/%63apture/x", "/capture?x=1", "/capture#top", "/x/%2e%2e/capture/y"])
    func pathUnderExemptPathIsExempt(path: String) throws {
        let decision = try Self.makeDecider().decide(peer: try Fixture.address("203.0.113.20"), forwardedFor: [],
                                                     path: path)
        #expect(decision.exempt)
        #expect(decision.allowed)
    }

    @Test(arguments: ["/captures", "/capturex", "/Capture", "/capture%2Fx", "/capture%2fx", "/capture/../admin",
                      "/x/capture", "/", "/cap", "/capture;x", "/?next=/capture", "/admin#/capture"])
    func pathOutsideExemptPathIsDenied(path: String) throws {
        let decision = try Self.makeDecider().decide(peer: try Fixture.address("203.0.113.20"), forwardedFor: [],
                                                     path: path)
        #expect(!decision.exempt)
        #expect(!decision.allowed)
        #expect(decision.exemptPath == nil)
    }

    @Test func rootExemptPathCoversEveryPath() throws {
        let decider = try Self.makeDecider(exemptPaths: ["/"])
        for path in ["/", "/admin", "/a/b/c", "/capture%2Fx"] {
            let decision = decider.decide(peer: try Fixture.address("203.0.113.20"), forwardedFor: [], path: path)
            #expect(decision.exempt, "\(path)")
        }
    }

    @Test func nestedExemptPathMatchesOnlyBelowIt() throws {
        let decider = try Self.makeDecider(exemptPaths: ["/api/v1/events", "/e"])
        let peer = try Fixture.address("203.0.113.20")
        #expect(decider.decide(peer: peer, forwardedFor: [], path: "/api/v1/events/1").exemptPath == "/api/v1/events")
        #expect(decider.decide(peer: peer, forwardedFor: [], path: "/e").exemptPath == "/e")
        #expect(!decider.decide(peer: peer, forwardedFor: [], path: "/api/v1").exempt)
        #expect(!decider.decide(peer: peer, forwardedFor: [], path: "/api/v1/other").exempt)
        #expect(!decider.decide(peer: peer, forwardedFor: [], path: "/events").exempt)
    }

    // MARK: - Allowlist

    @Test func emptyAllowlistAllowsEveryClient() throws {
        let decider = try Self.makeDecider(blocks: [], exemptPaths: [])
        let decision = decider.decide(peer: try Fixture.address("10.0.0.2"), forwardedFor: ["unknown"], path: "/admin")
        #expect(decision.allowed)
        #expect(!decision.exempt)
        #expect(decision.client == nil)
        #expect(decision.reason == "allowlist is empty, so every client is allowed")
    }

    @Test(arguments: [["127.1"], ["0177.0.0.1"], ["unknown"], ["203.0.113.5,,10.0.0.3"], ["198.51.100.7, "],
                      ["proxy.internal"], ["192.0.2.1:99999"]])
    func unknownClientIsDenied(forwardedFor: [String]) throws {
        let decider = try Self.makeDecider(blocks: ["0.0.0.0/0", "::/0"])
        let decision = decider.decide(peer: try Fixture.address("10.0.0.2"), forwardedFor: forwardedFor,
                                      path: "/admin")
        #expect(decision.client == nil)
        #expect(!decision.allowed)
        #expect(decision.matchedBlock == nil)
        #expect(decision.reason.hasPrefix("the client is unknown because X-Forwarded-For entry"))
        #expect(decision.reason.hasSuffix(". An unknown client is denied while the allowlist has blocks"))
    }

    @Test func clientInBlockIsAllowedNamingBlock() throws {
        let decider = try Self.makeDecider(blocks: ["203.0.113.0/24", "128.0.0.1"])
        let decision = decider.decide(peer: try Fixture.address("10.0.0.2"),
                                      forwardedFor: ["198.51.100.66, 203.0.113.5"], path: "/admin")
        #expect(decision.allowed)
        #expect(decision.client == (try Fixture.address("203.0.113.5")))
        #expect(decision.matchedBlock == (try Fixture.block("203.0.113.0/24")))
        #expect(decision.reason == "client 203.0.113.5 is allowed by allowlist block 203.0.113.0/24")
    }

    @Test func clientOutsideBlocksIsDeniedNamingClient() throws {
        let decision = try Self.makeDecider().decide(peer: try Fixture.address("203.0.113.20"),
                                                     forwardedFor: ["128.0.0.1"], path: "/admin")
        #expect(!decision.allowed)
        #expect(decision.client == (try Fixture.address("203.0.113.20")))
        #expect(decision.resolution.isHeaderIgnored)
        #expect(decision.reason == "client 203.0.113.20 is denied because no allowlist block contains it")
    }

    @Test func mappedPeerMatchesIPv4Block() throws {
        let decider = InboundDecider(allowlist: IPAllowlist(blocks: try Fixture.blocks(["10.0.0.0/8"])),
                                     resolver: ClientAddressResolver(TrustedProxies()))
        let decision = decider.decide(peer: try Fixture.address("::ffff:10.1.2.3"), forwardedFor: [], path: "/")
        #expect(decision.allowed)
        #expect(decision.client == (try Fixture.address("10.1.2.3")))
        #expect(decision.matchedBlock == (try Fixture.block("10.0.0.0/8")))
    }

    @Test func mostSpecificBlockIsNamed() throws {
        let decider = try Self.makeDecider(blocks: ["10.0.0.0/8", "10.1.0.0/16", "2001:db8::/32"])
        let decision = decider.decide(peer: try Fixture.address("10.0.0.2"), forwardedFor: ["10.1.2.3"], path: "/")
        #expect(decision.matchedBlock == (try Fixture.block("10.1.0.0/16")))
    }

    @Test func ipv6ClientMatchesIPv6Block() throws {
        let decider = try Self.makeDecider(blocks: ["10.0.0.0/8", "2001:db8::/32"])
        let decision = decider.decide(peer: try Fixture.address("10.0.0.2"),
                                      forwardedFor: ["[2001:db8::240]:38792"], path: "/")
        #expect(decision.allowed)
        #expect(decision.matchedBlock == (try Fixture.block("2001:db8::/32")))
    }

    @Test func trustedPeerIsAllowedOnlyWhenListed() throws {
        let decider = try Self.makeDecider(blocks: ["198.51.100.0/24"])
        let decision = decider.decide(peer: try Fixture.address("10.0.0.2"), forwardedFor: [], path: "/")
        #expect(decision.client == (try Fixture.address("10.0.0.2")))
        #expect(!decision.allowed)
    }

    @Test func policyInitializerUsesBothSections() throws {
        let policy = Policy(ipAllowlist: IPAllowlist(blocks: try Fixture.blocks(["198.51.100.0/24"])),
                            trustedProxies: try Fixture.proxies(["10.0.0.0/24"]))
        let decision = InboundDecider(policy: policy).decide(peer: try Fixture.address("10.0.0.2"),
                                                             forwardedFor: ["198.51.100.7"], path: "/")
        #expect(decision.allowed)
        #expect(decision.client == (try Fixture.address("198.51.100.7")))
    }
}
