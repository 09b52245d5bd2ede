import Foundation
import Testing

/// nginx, configured with Perimeter's export, must allow and deny exactly as Perimeter decides.
///
/// Chains with malformed entries or ports are left out: there nginx 1.22 differs on purpose
/// (it keeps the last trusted hop, where Perimeter sees an unknown client).
@Suite(.serialized) struct NginxDifferentialTests {
    struct Scenario: Sendable {
        var name: String
        var trustedProxies: String
        var allowlist: String
    }

    static let scenarios = [
        Scenario(name: "trusted proxies",
                 trustedProxies: #"{"behind_proxy": true, "proxies": ["127.0.0.2/31", "10.0.0.0/24"]}"#,
                 allowlist: #"{"blocks": ["203.0.113.0/24", "127.0.0.9", "2001:db8::/32"], "exempt_paths": ["/capture", "/e"]}"#),
        Scenario(name: "trust all",
                 trustedProxies: #"{"behind_proxy": true, "trust_all": true}"#,
                 allowlist: #"{"blocks": ["203.0.113.0/24", "2001:db8::/32"], "exempt_paths": ["/capture"]}"#),
        Scenario(name: "empty allowlist",
                 trustedProxies: #"{"behind_proxy": true, "proxies": ["127.0.0.2/31"]}"#,
                 allowlist: #"{"blocks": [], "exempt_paths": ["/capture"]}"#),
        Scenario(name: "not behind a proxy",
                 trustedProxies: #"{"behind_proxy": false, "proxies": ["127.0.0.2/31"]}"#,
                 allowlist: #"{"blocks": ["127.0.0.9", "203.0.113.0/24"], "exempt_paths": ["/batch"]}"#),
    ]

    static let peers = ["127.0.0.2", "127.0.0.3", "127.0.0.9", "127.0.0.5"]
    static let chains: [[String]] = [
        [],
        ["203.0.113.5"],
        ["198.51.100.1"],
        ["198.51.100.1, 203.0.113.5"],
        ["203.0.113.5, 10.0.0.7"],
        ["198.51.100.1, 10.0.0.7"],
        ["203.0.113.5, 127.0.0.3"],
        ["2001:db8::5"],
        ["2001:db8::5, 10.0.0.3"],
        ["2001:db9::5"],
        ["203.0.113.9, 198.51.100.1"],
        ["10.0.0.8, 10.0.0.7"],
        ["198.51.100.1", "203.0.113.5"],
    ]
    static let paths = ["/api/projects", "/capture/x", "/batch", "/captures"]

    @Test func nginxDecidesLikePerimeter() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        var compared = 0
        var mismatches: [String] = []

        for scenario in Self.scenarios {
            #expect(try client.request("PUT", "/v1/environments/default/trusted-proxies", json: scenario.trustedProxies).status == 200)
            #expect(try client.request("PUT", "/v1/environments/default/ip-allowlist", json: scenario.allowlist).status == 200)
            let snippet = try client.request("GET", "/v1/environments/default/exports/nginx").text
            let nginx = try RunningNginx(httpSnippet: snippet)
            defer { nginx.stop() }

            for peer in Self.peers {
                for chain in Self.chains {
                    for path in Self.paths {
                        let body = try JSONSerialization.data(withJSONObject: [
                            "peer": peer, "x_forwarded_for": chain, "path": path,
                        ])
                        let decision = try client.request("POST", "/v1/environments/default/decisions/client", body: Array(body)).json()
                        let perimeterAllows = try #require(decision["allowed"] as? Bool)

                        let nginxClient = TestHTTPClient(port: nginx.port, sourceAddress: peer)
                        let response = try nginxClient.request("GET", path, headers: chain.map { ("X-Forwarded-For", $0) },
                                                               authorized: false)
                        let nginxAllows = response.status == 200
                        #expect(response.status == 200 || response.status == 403)
                        compared += 1
                        if nginxAllows != perimeterAllows {
                            mismatches.append("\(scenario.name): peer \(peer), X-Forwarded-For \(chain), path \(path): "
                                + "nginx \(response.status), Perimeter \(perimeterAllows) (\(decision["reason"] ?? ""))")
                        }
                    }
                }
            }
        }
        #expect(compared >= 30)
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(compared) cases differ:\n\(mismatches.joined(separator: "\n"))")
    }
}
