import PolicyModel
import Testing

struct BundlePayloadTests {
    private let issuedAt = Timestamp(secondsSinceEpoch: 1_796_413_490)

    private func makePayload(blocks: [String] = ["10.0.0.0/8", "192.0.2.1"],
                             cookies: CookiePolicy = CookiePolicy()) throws -> BundlePayload {
        let policy = Policy(
            ipAllowlist: IPAllowlist(blocks: try blocks.map(block), exemptPaths: ["/capture"]),
            trustedProxies: TrustedProxies(isBehindProxy: true, proxies: [try block("10.0.0.1")]),
            cookies: cookies)
        let key = SigningKeyAnnouncement(keyID: "ab12", algorithm: "ed25519", publicKeyDERBase64: "MCow", state: "active")
        return BundlePayload(environment: "prod", version: 7, issuedAt: issuedAt, expiresAt: issuedAt.adding(seconds: 86_400),
                             policy: policy, signingKeys: [key])
    }

    @Test func encodingIsExact() throws {
        let text = String(decoding: try makePayload().encoded(), as: UTF8.self)
        let expected = #"{"environment":"prod","version":7,"issued_at":"2026-12-04T19:44:50Z","#
            + #""expires_at":"2026-12-05T19:44:50Z","#
            + #""ip_allowlist":{"blocks":["10.0.0.0/8","192.0.2.1/32"],"exempt_paths":["/capture"]},"#
            + #""trusted_proxies":{"behind_proxy":true,"trust_all":false,"proxies":["10.0.0.1/32"]},"#
            + #""cookies":{"secure":true,"setting":"auto","app_mode":"production"},"#
            + #""egress":{"mode":"enforce","allow_hosts":[],"deny_hosts":[],"allow_ranges":[],"deny_ranges":[],"#
            + #""unlisted_hosts":"allow"},"#
            + #""signing_keys":[{"key_id":"ab12","algorithm":"ed25519","public_key":"MCow","state":"active"}]}"#
        #expect(text == expected)
    }

    @Test func equalPayloadsEncodeToEqualBytes() throws {
        let first = try makePayload(blocks: ["10.0.0.0/8", "192.0.2.1", "2001:db8::/32"])
        let second = try makePayload(blocks: ["2001:db8::/32", "192.0.2.1/32", "::ffff:10.0.0.0/104", "10.0.0.0/8"])
        #expect(first == second)
        #expect(first.encoded() == second.encoded())
    }

    @Test func requiredMembersComeInFixedOrder() throws {
        guard case let .object(members) = try JSONParser.parse(makePayload().encoded()) else {
            Issue.record("payload is not a JSON object")
            return
        }
        #expect(members.map(\.key) == [
            "environment", "version", "issued_at", "expires_at", "ip_allowlist", "trusted_proxies", "cookies", "egress",
            "signing_keys",
        ])
    }

    @Test func sectionsMatchTheirDocuments() throws {
        let payload = try makePayload()
        let document = try JSONParser.parse(payload.encoded())
        #expect(document["version"] == .number("7"))
        #expect(document["environment"] == .string("prod"))
        #expect(document["ip_allowlist"] == payload.policy.ipAllowlist.json)
        #expect(document["trusted_proxies"] == payload.policy.trustedProxies.json)
        #expect(document["egress"] == payload.policy.egress.json)
    }

    @Test(arguments: [
        (CookiePolicy(secure: .auto, appMode: .debug), #"{"secure":false,"setting":"auto","app_mode":"debug"}"#),
        (CookiePolicy(secure: .on, appMode: .test), #"{"secure":true,"setting":true,"app_mode":"test"}"#),
        (CookiePolicy(secure: .off, appMode: .production), #"{"secure":false,"setting":false,"app_mode":"production"}"#),
    ])
    func cookiesCarryEffectiveValueAndSetting(cookies: CookiePolicy, expected: String) throws {
        let document = try JSONParser.parse(makePayload(cookies: cookies).encoded())
        #expect(document["cookies"]?.encodedString == expected)
    }

    @Test func payloadTypeIsPerimeterBundle() {
        #expect(BundlePayload.payloadType == "application/vnd.perimeter.bundle+json")
    }
}
