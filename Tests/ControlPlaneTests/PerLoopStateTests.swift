@testable import ControlPlane
import HTTP
import PolicyModel
import Signing
import Testing

/// State kept per event loop must read as one: counters merge, credentials change everywhere at once, and a
/// published bundle is current on every loop.
@Suite struct PerLoopStateTests {
    private static let peer = SocketAddress(host: "127.0.0.1", port: 40000)

    private static func request(token: String, loop: Int) -> HTTPRequest {
        HTTPRequest(method: "GET", target: "/v1/environments", headers: ["Authorization": "Bearer \(token)"],
                    peer: peer, loopIndex: loop)
    }

    private static func credential(id: String, token: String) -> TokenAuthenticator.Credential {
        TokenAuthenticator.Credential(id: id, name: id, digest: SHA256.hash(Array(token.utf8)), scopes: [.read],
                                      environments: nil)
    }

    @Test func credentialsReachEveryLoop() {
        let authenticator = TokenAuthenticator(loopCount: 3)
        authenticator.replaceCredentials([Self.credential(id: "a", token: "first")])

        for loop in 0..<3 {
            #expect(authenticator.authenticate(Self.request(token: "first", loop: loop), client: nil,
                                               now: Timestamp(secondsSinceEpoch: 10))?.tokenID == "a")
        }

        authenticator.replaceCredentials([Self.credential(id: "b", token: "second")])

        for loop in 0..<3 {
            #expect(authenticator.authenticate(Self.request(token: "first", loop: loop), client: nil,
                                               now: Timestamp(secondsSinceEpoch: 11)) == nil)
        }
    }

    @Test func lastUseMergesLoopsAndSurvivesReplacement() {
        let authenticator = TokenAuthenticator(loopCount: 2)
        authenticator.replaceCredentials([Self.credential(id: "a", token: "first")])
        _ = authenticator.authenticate(Self.request(token: "first", loop: 0), client: nil,
                                       now: Timestamp(secondsSinceEpoch: 30))
        _ = authenticator.authenticate(Self.request(token: "first", loop: 1), client: nil,
                                       now: Timestamp(secondsSinceEpoch: 20))

        authenticator.replaceCredentials([Self.credential(id: "a", token: "first"),
                                          Self.credential(id: "b", token: "second")])
        _ = authenticator.authenticate(Self.request(token: "second", loop: 1), client: nil,
                                       now: Timestamp(secondsSinceEpoch: 40))

        #expect(authenticator.pendingLastUsed() == ["a": Timestamp(secondsSinceEpoch: 30),
                                                    "b": Timestamp(secondsSinceEpoch: 40)])
        #expect(authenticator.takeLastUsed().count == 2)
        #expect(authenticator.pendingLastUsed().isEmpty)
    }

    @Test func rememberedTokenDoesNotAcceptNeighbours() {
        let authenticator = TokenAuthenticator(loopCount: 1)
        authenticator.replaceCredentials([Self.credential(id: "a", token: "first-token")])
        let now = Timestamp(secondsSinceEpoch: 1)
        _ = authenticator.authenticate(Self.request(token: "first-token", loop: 0), client: nil, now: now)

        #expect(authenticator.authenticate(Self.request(token: "first-tokem", loop: 0), client: nil, now: now) == nil)
        #expect(authenticator.authenticate(Self.request(token: "first-toke", loop: 0), client: nil, now: now) == nil)
        #expect(authenticator.authenticate(Self.request(token: "first-token", loop: 0), client: nil, now: now)?.tokenID == "a")
    }

    @Test func moreTokensThanRememberedStillAuthenticate() {
        let authenticator = TokenAuthenticator(loopCount: 1)
        let ids = (0..<(TokenAuthenticator.recentTokenCount + 3)).map { "token-\($0)" }
        authenticator.replaceCredentials(ids.map { Self.credential(id: $0, token: "secret-\($0)") })

        for round in 0..<3 {
            for id in ids {
                let actor = authenticator.authenticate(Self.request(token: "secret-\(id)", loop: 0), client: nil,
                                                       now: Timestamp(secondsSinceEpoch: Int64(round)))
                #expect(actor?.tokenID == id)
            }
        }
    }

    @Test func loopIndexBeyondCountWraps() {
        let authenticator = TokenAuthenticator(loopCount: 2)
        authenticator.replaceCredentials([Self.credential(id: "a", token: "first")])

        for loop in [7, -1, Int.min, Int.max] {
            let actor = authenticator.authenticate(Self.request(token: "first", loop: loop), client: nil,
                                                   now: Timestamp(secondsSinceEpoch: 1))

            #expect(actor?.tokenID == "a", "loop index \(loop)")
        }
    }

    @Test func metricsMergeLoops() {
        let metrics = Metrics(loopCount: 2)
        metrics.record(route: "/healthz", method: "GET", status: 200, seconds: 0.0001, loop: 0)
        metrics.record(route: "/healthz", method: "GET", status: 200, seconds: 0.002, loop: 1)
        metrics.record(route: "/healthz", method: "GET", status: 503, seconds: 0.002, loop: 1)

        let text = metrics.render(openConnections: 0, parkedPolls: 0, bundles: [], agents: [:])

        #expect(text.contains(#"perimeter_http_requests_total{route="/healthz",method="GET",status="200"} 2"#))
        #expect(text.contains(#"perimeter_http_requests_total{route="/healthz",method="GET",status="503"} 1"#))
        #expect(text.contains(#"perimeter_http_request_duration_seconds_bucket{route="/healthz",le="0.0005"} 1"#))
        #expect(text.contains(#"perimeter_http_request_duration_seconds_count{route="/healthz"} 3"#))
    }

    private static func bundle(version: Int) -> PublishedBundle {
        PublishedBundle(environment: "default", version: version, issuedAt: Timestamp(secondsSinceEpoch: 0),
                        expiresAt: Timestamp(secondsSinceEpoch: 100), envelope: Array("v\(version)".utf8),
                        policy: Policy())
    }

    @Test func publishedBundleIsCurrentOnEveryLoop() {
        let snapshot = BundleSnapshot(loopCount: 2)
        snapshot.publish(Self.bundle(version: 2))
        snapshot.publish(Self.bundle(version: 1))

        for loop in 0..<2 {
            #expect(snapshot.current("default", loop: loop)?.version == 2)
        }

        snapshot.remove("default")

        for loop in 0..<2 {
            #expect(snapshot.current("default", loop: loop) == nil)
        }
    }
}

@Suite struct BearerTokenTests {
    @Test func token68BytesMatchGrammar() {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/=".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(TokenAuthenticator.isToken68Byte(byte) == allowed.contains(byte), "byte \(byte)")
        }
    }

    /// Returns the id of the token the Authorization fields name, with one token, "abc", on record.
    private func tokenID(authorization fields: [String]) -> String? {
        let authenticator = TokenAuthenticator(loopCount: 1)
        authenticator.replaceCredentials([
            TokenAuthenticator.Credential(id: "abc-id", name: "abc", digest: SHA256.hash(Array("abc".utf8)),
                                          scopes: [.read], environments: nil),
        ])
        let request = HTTPRequest(method: "GET", target: "/v1/environments",
                                  headers: HTTPHeaders(fields.map { ("Authorization", $0) }),
                                  peer: SocketAddress(host: "127.0.0.1", port: 40000))
        return authenticator.authenticate(request, client: nil, now: Timestamp(secondsSinceEpoch: 1))?.tokenID
    }

    @Test func schemeIsCaseInsensitiveAndNeedsOneField() {
        #expect(tokenID(authorization: ["Bearer abc"]) == "abc-id")
        #expect(tokenID(authorization: ["bEaReR abc"]) == "abc-id")
        #expect(tokenID(authorization: ["Bearer   abc"]) == "abc-id")
        #expect(tokenID(authorization: ["Bearer"]) == nil)
        #expect(tokenID(authorization: ["Bearer "]) == nil)
        #expect(tokenID(authorization: ["Basic abc"]) == nil)
        #expect(tokenID(authorization: ["Bearer a b"]) == nil)
        #expect(tokenID(authorization: ["Bearer abc", "Bearer abc"]) == nil)
        #expect(tokenID(authorization: []) == nil)
    }
}
