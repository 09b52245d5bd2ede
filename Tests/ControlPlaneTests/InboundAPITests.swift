import Foundation
import Testing

@Suite struct InboundAPITests {
    static let proxiesAndAllowlist = [
        ("trusted-proxies", #"{"behind_proxy": true, "proxies": ["10.0.0.0/24"]}"#),
        ("ip-allowlist", #"{"blocks": ["203.0.113.0/24", "2001:db8::/32"], "exempt_paths": ["/capture"]}"#),
    ]

    struct Case: Sendable, CustomStringConvertible {
        var peer: String
        var forwardedFor: [String]
        var path: String
        var client: String?
        var allowed: Bool
        var exempt: Bool = false
        var description: String { "\(peer) \(forwardedFor) \(path)" }
    }

    static let cases: [Case] = [
        Case(peer: "10.0.0.2", forwardedFor: ["198.51.100.66, 203.0.113.5"], path: "/api/projects",
             client: "203.0.113.5", allowed: true),
        Case(peer: "203.0.113.20", forwardedFor: ["10.0.0.1"], path: "/api", client: "203.0.113.20", allowed: true),
        Case(peer: "10.0.0.2", forwardedFor: [" 203.0.113.5 ,  10.0.0.2 "], path: "/", client: "203.0.113.5", allowed: true),
        Case(peer: "10.0.0.2", forwardedFor: ["[2001:db8::240]:38792"], path: "/", client: "2001:db8::240", allowed: true),
        Case(peer: "10.0.0.2", forwardedFor: ["192.0.2.39:38792"], path: "/", client: "192.0.2.39", allowed: false),
        Case(peer: "10.0.0.2", forwardedFor: ["2001:db8::1"], path: "/", client: "2001:db8::1", allowed: true),
        Case(peer: "10.0.0.2", forwardedFor: ["127.1"], path: "/", client: nil, allowed: false),
        Case(peer: "10.0.0.2", forwardedFor: ["127.1"], path: "/capture/x", client: nil, allowed: true, exempt: true),
        Case(peer: "198.51.100.1", forwardedFor: [], path: "/captures", client: "198.51.100.1", allowed: false),
        Case(peer: "::ffff:203.0.113.9", forwardedFor: [], path: "/", client: "203.0.113.9", allowed: true),
    ]

    @Test func decisionsFollowTheCurrentPolicy() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        for (section, body) in Self.proxiesAndAllowlist {
            #expect(try client.request("PUT", "/v1/environments/default/\(section)", json: body).status == 200)
        }
        for testCase in Self.cases {
            let body = try JSONSerialization.data(withJSONObject: [
                "peer": testCase.peer, "x_forwarded_for": testCase.forwardedFor, "path": testCase.path,
            ])
            let response = try client.request("POST", "/v1/environments/default/decisions/client", body: Array(body))
            #expect(response.status == 200, "\(testCase): \(response.text)")
            let decision = try response.json()
            #expect(decision["client"] as? String == testCase.client, "\(testCase)")
            #expect(decision["allowed"] as? Bool == testCase.allowed, "\(testCase)")
            #expect(decision["exempt"] as? Bool == testCase.exempt, "\(testCase)")
            #expect(decision["version"] as? Int == 3)
            #expect((decision["reason"] as? String)?.isEmpty == false)
        }
    }

    @Test func trustAllTakesTheLeftmostEntry() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        _ = try client.request("PUT", "/v1/environments/default/trusted-proxies", json: #"{"behind_proxy": true, "trust_all": true}"#)
        let response = try client.request("POST", "/v1/environments/default/decisions/client",
                                          json: #"{"peer": "10.9.9.9", "x_forwarded_for": ["198.51.100.7, 10.0.0.3"]}"#)
        #expect(try response.json()["client"] as? String == "198.51.100.7")
    }

    @Test func badPeerIsRefusedWith422() throws {
        let server = try RunningServer()
        defer { server.stop() }
        for body in [#"{"peer": "0177.0.0.1"}"#, #"{"peer": 7}"#, #"{}"#, #"{"peer": "10.0.0.1", "path": "x"}"#,
                     #"{"peer": "10.0.0.1", "extra": 1}"#] {
            let response = try server.client.request("POST", "/v1/environments/default/decisions/client", json: body)
            #expect(response.status == 422, "\(body)")
            #expect(response.header("Content-Type") == "application/problem+json")
        }
    }

    @Test func dotenvExportImportsToTheSamePolicy() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        for (section, body) in Self.proxiesAndAllowlist + [("cookies", #"{"secure": false, "app_mode": "debug"}"#)] {
            _ = try client.request("PUT", "/v1/environments/default/\(section)", json: body)
        }
        let exported = try client.request("GET", "/v1/environments/default/exports/dotenv")
        #expect(exported.status == 200)
        #expect(exported.text.contains("ALLOWED_IP_BLOCKS=203.0.113.0/24,2001:db8::/32"))
        #expect(exported.text.contains("IS_BEHIND_PROXY=true"))

        _ = try client.request("PUT", "/v1/environments/copy")
        let imported = try client.request("POST", "/v1/environments/copy/import", body: exported.body, contentType: "text/plain")
        #expect(imported.status == 200, "\(imported.text)")
        for section in ["ip-allowlist", "trusted-proxies", "cookies"] {
            var original = try client.request("GET", "/v1/environments/default/\(section)").json()
            var copy = try client.request("GET", "/v1/environments/copy/\(section)").json()
            original["version"] = nil
            copy["version"] = nil
            #expect(NSDictionary(dictionary: original) == NSDictionary(dictionary: copy), "\(section)")
        }
    }

    @Test func nginxExportDefinesTheDeniedVariable() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        for (section, body) in Self.proxiesAndAllowlist {
            _ = try client.request("PUT", "/v1/environments/default/\(section)", json: body)
        }
        let text = try client.request("GET", "/v1/environments/default/exports/nginx").text
        #expect(text.contains("environment \"default\", version 3"))
        #expect(text.contains("set_real_ip_from 10.0.0.0/24;"))
        #expect(text.contains("real_ip_header X-Forwarded-For;"))
        #expect(text.contains("real_ip_recursive on;"))
        #expect(text.contains("2001:db8::/32 1;"))
        #expect(text.contains(#""~^/capture(/|$)" 1;"#))
        #expect(text.contains("$perimeter_denied"))
    }
}

@Suite struct OwnAllowlistTests {
    @Test func deniedClientsGet403AndChangeNothing() throws {
        let server = try RunningServer(environment: ["PERIMETER_ALLOWED_IP_BLOCKS": "192.0.2.0/24"])
        defer { server.stop() }
        let client = server.client
        let denied = try client.request("PUT", "/v1/environments/prod")
        #expect(denied.status == 403)
        #expect(denied.header("Content-Type") == "application/problem+json")
        #expect(denied.text.contains("127.0.0.1"))
        #expect(denied.text.contains("PERIMETER_ALLOWED_IP_BLOCKS"))
        #expect(try client.request("GET", "/v1/environments").status == 403)

        #expect(try client.request("GET", "/healthz").status == 200)
        #expect(try client.request("GET", "/v1/signing-keys").status == 200)
        #expect(try client.request("GET", "/v1/environments/default/bundle").status == 200)
        #expect(try client.request("GET", "/v1/environments/default/bundles/1").status == 200)
        #expect(try client.request("GET", "/v1/environments/prod/bundle").status == 404)
    }

    @Test func trustedProxyForwardsAllowedClient() throws {
        let server = try RunningServer(environment: [
            "PERIMETER_ALLOWED_IP_BLOCKS": "192.0.2.0/24", "PERIMETER_BEHIND_PROXY": "yes",
            "PERIMETER_TRUSTED_PROXIES": "127.0.0.1",
        ])
        defer { server.stop() }
        let allowed = try server.client.request("GET", "/v1/environments", headers: [("X-Forwarded-For", "192.0.2.44")])
        #expect(allowed.status == 200)
        let denied = try server.client.request("GET", "/v1/environments", headers: [("X-Forwarded-For", "198.51.100.4")])
        #expect(denied.status == 403)
    }

    @Test func invalidOwnSettingStopsStartNamingVariableAndEntry() throws {
        let directory = try RunningServer.makeDirectory()
        let cases = [("PERIMETER_ALLOWED_IP_BLOCKS", "10.0.0.0/8,192.168.0.1/24", "192.168.0.1/24"),
                     ("PERIMETER_TRUSTED_PROXIES", "127.1", "127.1"),
                     ("PERIMETER_BEHIND_PROXY", "maybe", "maybe")]
        for (variable, value, entry) in cases {
            let result = try RunningServer.runToExit(arguments: ["--listen", "127.0.0.1:0"],
                                                     environment: [variable: value], directory: directory)
            #expect(result.status == 1)
            #expect(result.output.contains(variable), "\(result.output)")
            #expect(result.output.contains(entry), "\(result.output)")
        }
    }
}
