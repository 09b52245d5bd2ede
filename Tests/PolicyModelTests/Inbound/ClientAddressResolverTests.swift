import PolicyModel
import Testing

/// One request seen by the resolver, with the client it should find (nil for unknown).
struct ForwardedCase: Sendable, CustomTestStringConvertible {
    let peer: String
    let lines: [String]
    let client: String?
    let hopIndex: Int

    init(peer: String = "10.0.0.2", _ lines: [String], client: String?, hop hopIndex: Int) {
        self.peer = peer
        self.lines = lines
        self.client = client
        self.hopIndex = hopIndex
    }

    var testDescription: String { "peer \(peer), X-Forwarded-For \(lines)" }
}

struct ClientAddressResolverTests {
    let resolver: ClientAddressResolver

    init() throws {
        resolver = ClientAddressResolver(try Fixture.proxies())
    }

    func resolve(_ testCase: ForwardedCase) throws -> ClientResolution {
        resolver.resolve(peer: try Fixture.address(testCase.peer), forwardedFor: testCase.lines)
    }

    // MARK: - Walking the chain

    @Test(arguments: [
        ForwardedCase(["198.51.100.66, 203.0.113.5"], client: "203.0.113.5", hop: 1),
        ForwardedCase([" 203.0.113.5 ,  10.0.0.2 "], client: "203.0.113.5", hop: 2),
        ForwardedCase(["\t203.0.113.5\t,\t10.0.0.2"], client: "203.0.113.5", hop: 2),
        ForwardedCase(["[2001:db8::240]:38792"], client: "2001:db8::240", hop: 1),
        ForwardedCase(["192.0.2.39:38792"], client: "192.0.2.39", hop: 1),
        ForwardedCase(["[2001:db8::1]"], client: "2001:db8::1", hop: 1),
        ForwardedCase(["2001:db8::1"], client: "2001:db8::1", hop: 1),
        ForwardedCase(["2001:db8::1:80"], client: "2001:db8::1:80", hop: 1),
        ForwardedCase(["2001:db8:0:0:0:0:0:1"], client: "2001:db8::1", hop: 1),
        ForwardedCase(["::ffff:203.0.113.5"], client: "203.0.113.5", hop: 1),
        ForwardedCase(["[::ffff:203.0.113.5]:443"], client: "203.0.113.5", hop: 1),
        ForwardedCase(["203.0.113.5, 10.0.0.3, 10.0.0.4"], client: "203.0.113.5", hop: 3),
        ForwardedCase(["203.0.113.5, 198.51.100.1, 10.0.0.4"], client: "198.51.100.1", hop: 2),
        ForwardedCase(["192.0.2.1:65535"], client: "192.0.2.1", hop: 1),
        ForwardedCase(["192.0.2.1:1"], client: "192.0.2.1", hop: 1),
    ])
    func walkFindsFirstUntrustedHop(testCase: ForwardedCase) throws {
        let resolution = try resolve(testCase)
        #expect(resolution.client == (try testCase.client.map(Fixture.address)))
        #expect(resolution.outcome == .firstUntrustedHop)
        #expect(resolution.hopIndex == testCase.hopIndex)
        #expect(!resolution.isHeaderIgnored)
    }

    @Test func reasonNamesClientAndHop() throws {
        let resolution = try resolve(ForwardedCase(["198.51.100.66, 203.0.113.5"], client: "203.0.113.5", hop: 1))
        #expect(resolution.reason == "X-Forwarded-For entry 203.0.113.5 at hop 1 is the first address from the "
            + "right that is not a trusted proxy, so it is the client")
        #expect(resolution.trustedProxyBlock == (try Fixture.block("10.0.0.0/24")))
    }

    @Test func linesAreJoinedInWireOrder() throws {
        let lines = ["198.51.100.1, 10.0.0.5", "203.0.113.9, 10.0.0.7"]
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"), forwardedFor: lines)
        #expect(resolution.client == (try Fixture.address("203.0.113.9")))
        #expect(resolution.hopIndex == 2)
    }

    @Test func laterLineIsNearerThePeer() throws {
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"),
                                          forwardedFor: ["10.0.0.7", "203.0.113.9"])
        #expect(resolution.client == (try Fixture.address("203.0.113.9")))
        #expect(resolution.hopIndex == 1)
    }

    @Test func walkContinuesAcrossLines() throws {
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"),
                                          forwardedFor: ["198.51.100.1", "10.0.0.5", "10.0.0.6, 10.0.0.7"])
        #expect(resolution.client == (try Fixture.address("198.51.100.1")))
        #expect(resolution.hopIndex == 4)
    }

    @Test func allTrustedChainGivesLeftmostEntry() throws {
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"),
                                          forwardedFor: ["10.0.0.9, 10.0.0.8"])
        #expect(resolution.client == (try Fixture.address("10.0.0.9")))
        #expect(resolution.outcome == .allHopsTrusted)
        #expect(resolution.hopIndex == 2)
        #expect(resolution.trustedProxyBlock == (try Fixture.block("10.0.0.0/24")))
        #expect(resolution.reason
            == "every hop is a trusted proxy, so the leftmost X-Forwarded-For entry 10.0.0.9 is the client")
    }

    @Test func trustedPeerWithoutHeaderIsClient() throws {
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"), forwardedFor: [])
        #expect(resolution.client == (try Fixture.address("10.0.0.2")))
        #expect(resolution.outcome == .allHopsTrusted)
        #expect(resolution.hopIndex == 0)
        #expect(resolution.trustedProxyBlock == nil)
        #expect(resolution.reason
            == "peer 10.0.0.2 is a trusted proxy and sent no X-Forwarded-For, so the peer is the client")
    }

    @Test func mappedPeerIsTrustedAsIPv4() throws {
        let resolution = resolver.resolve(peer: try Fixture.address("::ffff:10.0.0.2"),
                                          forwardedFor: ["203.0.113.5"])
        #expect(resolution.client == (try Fixture.address("203.0.113.5")))
        #expect(resolution.outcome == .firstUntrustedHop)
    }

    @Test func longestTrustedBlockIsReported() throws {
        let resolver = ClientAddressResolver(try Fixture.proxies(["10.0.0.0/8", "10.0.0.0/24"]))
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"),
                                          forwardedFor: ["203.0.113.5, 10.9.0.1"])
        #expect(resolution.client == (try Fixture.address("203.0.113.5")))
        #expect(resolution.trustedProxyBlock == (try Fixture.block("10.0.0.0/8")))
    }

    @Test func ipv6ProxiesAreTrusted() throws {
        let resolver = ClientAddressResolver(try Fixture.proxies(["2001:db8:ff::/48"]))
        let resolution = resolver.resolve(peer: try Fixture.address("2001:db8:ff::2"),
                                          forwardedFor: ["192.0.2.7, [2001:db8:ff::3]:8080"])
        #expect(resolution.client == (try Fixture.address("192.0.2.7")))
        #expect(resolution.hopIndex == 2)
    }

    // MARK: - Headers that are ignored

    @Test func untrustedPeerIgnoresHeader() throws {
        let resolution = resolver.resolve(peer: try Fixture.address("203.0.113.20"), forwardedFor: ["10.0.0.1"])
        #expect(resolution.client == (try Fixture.address("203.0.113.20")))
        #expect(resolution.outcome == .untrustedPeer)
        #expect(resolution.isHeaderIgnored)
        #expect(resolution.hopIndex == 0)
        #expect(resolution.reason.hasPrefix("peer 203.0.113.20 is not a trusted proxy, so X-Forwarded-For was ignored"))
    }

    @Test func untrustedPeerIgnoresMalformedHeader() throws {
        let resolution = resolver.resolve(peer: try Fixture.address("203.0.113.20"), forwardedFor: ["unknown"])
        #expect(resolution.client == (try Fixture.address("203.0.113.20")))
        #expect(resolution.isHeaderIgnored)
    }

    @Test func untrustedPeerWithoutHeaderIsClient() throws {
        let resolution = resolver.resolve(peer: try Fixture.address("203.0.113.20"), forwardedFor: [])
        #expect(resolution.client == (try Fixture.address("203.0.113.20")))
        #expect(resolution.outcome == .untrustedPeer)
        #expect(!resolution.isHeaderIgnored)
    }

    @Test func appNotBehindProxyIgnoresHeader() throws {
        let proxies = TrustedProxies(isBehindProxy: false, trustsAll: true,
                                     proxies: try Fixture.blocks(["10.0.0.0/24"]))
        let resolution = ClientAddressResolver(proxies).resolve(peer: try Fixture.address("10.0.0.2"),
                                                               forwardedFor: ["198.51.100.7"])
        #expect(resolution.client == (try Fixture.address("10.0.0.2")))
        #expect(resolution.outcome == .notBehindProxy)
        #expect(resolution.isHeaderIgnored)
        #expect(resolution.reason
            == "the app is not behind a proxy, so the client is the peer 10.0.0.2 and X-Forwarded-For was ignored")
    }

    @Test func mappedPeerIsReportedAsIPv4() throws {
        let resolution = ClientAddressResolver(TrustedProxies()).resolve(peer: try Fixture.address("::ffff:10.1.2.3"),
                                                                        forwardedFor: [])
        #expect(resolution.client == (try Fixture.address("10.1.2.3")))
        #expect(resolution.client?.description == "10.1.2.3")
    }

    // MARK: - trust_all

    @Test func trustAllGivesLeftmostEntry() throws {
        let resolver = ClientAddressResolver(try Fixture.proxies([], trustsAll: true))
        let resolution = resolver.resolve(peer: try Fixture.address("203.0.113.20"),
                                          forwardedFor: ["198.51.100.7, 10.0.0.3"])
        #expect(resolution.client == (try Fixture.address("198.51.100.7")))
        #expect(resolution.outcome == .trustsAllHops)
        #expect(resolution.hopIndex == 2)
        #expect(resolution.trustedProxyBlock == nil)
        #expect(resolution.reason.contains("spoof"))
    }

    @Test func trustAllStillEndsAtMalformedEntry() throws {
        let resolver = ClientAddressResolver(try Fixture.proxies([], trustsAll: true))
        let resolution = resolver.resolve(peer: try Fixture.address("203.0.113.20"),
                                          forwardedFor: ["198.51.100.7, unknown, 10.0.0.3"])
        #expect(resolution.client == nil)
        #expect(resolution.outcome == .malformedEntry("unknown"))
        #expect(resolution.hopIndex == 2)
    }

    @Test func trustAllWithoutHeaderGivesPeer() throws {
        let resolver = ClientAddressResolver(try Fixture.proxies([], trustsAll: true))
        let resolution = resolver.resolve(peer: try Fixture.address("203.0.113.20"), forwardedFor: [])
        #expect(resolution.client == (try Fixture.address("203.0.113.20")))
        #expect(resolution.hopIndex == 0)
    }

    // MARK: - Malformed entries

    @Test(arguments: [
        ForwardedCase(["127.1"], client: nil, hop: 1),
        ForwardedCase(["0177.0.0.1"], client: nil, hop: 1),
        ForwardedCase(["unknown"], client: nil, hop: 1),
        ForwardedCase(["203.0.113.5,,10.0.0.3"], client: nil, hop: 2),
        ForwardedCase(["203.0.113.5, ,10.0.0.3"], client: nil, hop: 2),
        ForwardedCase(["203.0.113.5,"], client: nil, hop: 1),
        ForwardedCase([""], client: nil, hop: 1),
        ForwardedCase([" \t "], client: nil, hop: 1),
        ForwardedCase(["203.0.113.5", ""], client: nil, hop: 1),
        ForwardedCase(["proxy.internal"], client: nil, hop: 1),
        ForwardedCase(["2130706433"], client: nil, hop: 1),
        ForwardedCase(["0x7f.0.0.1"], client: nil, hop: 1),
        ForwardedCase(["192.0.2.1:"], client: nil, hop: 1),
        ForwardedCase(["192.0.2.1:0"], client: nil, hop: 1),
        ForwardedCase(["192.0.2.1:65536"], client: nil, hop: 1),
        ForwardedCase(["192.0.2.1:123456"], client: nil, hop: 1),
        ForwardedCase(["192.0.2.1:http"], client: nil, hop: 1),
        ForwardedCase(["192.0.2.1 :80"], client: nil, hop: 1),
        ForwardedCase(["[2001:db8::1"], client: nil, hop: 1),
        ForwardedCase(["[2001:db8::1]80"], client: nil, hop: 1),
        ForwardedCase(["[2001:db8::1]:"], client: nil, hop: 1),
        ForwardedCase(["[192.0.2.1]"], client: nil, hop: 1),
        ForwardedCase(["[192.0.2.1]:80"], client: nil, hop: 1),
        ForwardedCase(["fe80::1%eth0"], client: nil, hop: 1),
        ForwardedCase(["2001:db8::1::2"], client: nil, hop: 1),
        ForwardedCase(["\"192.0.2.1\""], client: nil, hop: 1),
        ForwardedCase(["for=192.0.2.1"], client: nil, hop: 1),
        ForwardedCase(["10.0.0.9, 127.1, 10.0.0.8"], client: nil, hop: 2),
    ])
    func malformedEntryMakesClientUnknown(testCase: ForwardedCase) throws {
        let resolution = try resolve(testCase)
        #expect(resolution.client == nil)
        #expect(resolution.hopIndex == testCase.hopIndex)
        guard case .malformedEntry = resolution.outcome else {
            Issue.record("outcome is \(resolution.outcome), expected malformedEntry")
            return
        }
        #expect(resolution.reason.hasPrefix("the client is unknown because X-Forwarded-For entry"))
    }

    @Test(arguments: [
        ("127.1", #"X-Forwarded-For entry "127.1" at hop 1 is invalid: it is an ambiguous IPv4 form"#),
        ("0177.0.0.1", #"X-Forwarded-For entry "0177.0.0.1" at hop 1 is invalid: it is an ambiguous IPv4 form"#),
        ("unknown", #"X-Forwarded-For entry "unknown" at hop 1 is invalid: it is not an IP address"#),
        ("192.0.2.1:99999", #"X-Forwarded-For entry "192.0.2.1:99999" at hop 1 is invalid: the port "99999""#),
        (" ", #"X-Forwarded-For entry "" at hop 1 is invalid: the entry is empty"#),
    ])
    func malformedReasonNamesEntry(entry: String, expected: String) throws {
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"), forwardedFor: [entry])
        #expect(resolution.reason.contains(expected), "\(resolution.reason)")
    }

    @Test func malformedEntryIsRecordedTrimmed() throws {
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"), forwardedFor: ["  127.1 "])
        #expect(resolution.outcome == .malformedEntry("127.1"))
    }

    @Test func longEntryIsCutInReason() throws {
        let entry = String(repeating: "a", count: 5_000)
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"), forwardedFor: [entry])
        #expect(resolution.client == nil)
        #expect(resolution.outcome == .malformedEntry(String(repeating: "a", count: 64) + "…"))
        #expect(resolution.reason.count < 250)
    }

    @Test func malformedEntryLeftOfClientIsNotRead() throws {
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"),
                                          forwardedFor: ["unknown, 127.1,, 203.0.113.5, 10.0.0.3"])
        #expect(resolution.client == (try Fixture.address("203.0.113.5")))
        #expect(resolution.hopIndex == 2)
    }

    @Test func malformedLineLeftOfClientIsNotRead() throws {
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"),
                                          forwardedFor: ["", "garbage", "203.0.113.5"])
        #expect(resolution.client == (try Fixture.address("203.0.113.5")))
    }

    // MARK: - Entry limit

    @Test func walkReadsUpToMaximumEntries() throws {
        let trusted = Array(repeating: "10.0.0.9", count: ClientAddressResolver.maxForwardedEntries - 1)
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"),
                                          forwardedFor: [(["198.51.100.1"] + trusted).joined(separator: ", ")])
        #expect(resolution.client == (try Fixture.address("198.51.100.1")))
        #expect(resolution.hopIndex == ClientAddressResolver.maxForwardedEntries)
    }

    @Test func walkPastMaximumEntriesIsUnknown() throws {
        let trusted = Array(repeating: "10.0.0.9", count: ClientAddressResolver.maxForwardedEntries)
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"),
                                          forwardedFor: [(["198.51.100.1"] + trusted).joined(separator: ", ")])
        #expect(resolution.client == nil)
        #expect(resolution.outcome == .tooManyEntries)
        #expect(resolution.hopIndex == ClientAddressResolver.maxForwardedEntries + 1)
        #expect(resolution.reason.contains("more than 64 entries"))
    }

    @Test func untrustedEntryBeforeLimitEndsWalk() throws {
        // Only the entries right of the client count, so a long header with a near client is fine.
        let padding = Array(repeating: "unknown", count: 10_000).joined(separator: ",")
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"),
                                          forwardedFor: [padding + ", 203.0.113.5, 10.0.0.3"])
        #expect(resolution.client == (try Fixture.address("203.0.113.5")))
    }

    @Test func trustAllChainPastLimitIsUnknown() throws {
        let resolver = ClientAddressResolver(try Fixture.proxies([], trustsAll: true))
        let lines = Array(repeating: "198.51.100.1", count: ClientAddressResolver.maxForwardedEntries + 1)
        let resolution = resolver.resolve(peer: try Fixture.address("10.0.0.2"), forwardedFor: lines)
        #expect(resolution.client == nil)
        #expect(resolution.outcome == .tooManyEntries)
    }
}
