import Foundation
import Testing

@Suite struct PolicyAPITests {
    /// Inputs that must be refused, with the JSON pointer and value the problem names.
    static let refusals: [(section: String, body: String, pointer: String, value: String)] = [
        ("ip-allowlist", #"{"blocks": ["010.0.0.0/8"]}"#, "/blocks/0", "010.0.0.0/8"),
        ("ip-allowlist", #"{"blocks": ["10.0.0.0/8", "127.1"]}"#, "/blocks/1", "127.1"),
        ("ip-allowlist", #"{"blocks": ["0x7f.0.0.1"]}"#, "/blocks/0", "0x7f.0.0.1"),
        ("ip-allowlist", #"{"blocks": ["192.168.0.1/24"]}"#, "/blocks/0", "192.168.0.1/24"),
        ("ip-allowlist", #"{"blocks": ["10.0.0.0/33"]}"#, "/blocks/0", "10.0.0.0/33"),
        ("ip-allowlist", #"{"blocks": ["fe80::1%eth0"]}"#, "/blocks/0", "fe80::1%eth0"),
        ("ip-allowlist", #"{"blocks": [""]}"#, "/blocks/0", ""),
        ("ip-allowlist", #"{"exempt_paths": ["capture"]}"#, "/exempt_paths/0", "capture"),
        ("trusted-proxies", #"{"trust_all": "False"}"#, "/trust_all", "\"False\""),
        ("trusted-proxies", #"{"behind_proxy": 1}"#, "/behind_proxy", "1"),
        ("cookies", #"{"secure": "yes"}"#, "/secure", "\"yes\""),
        ("cookies", #"{"app_mode": "staging"}"#, "/app_mode", "\"staging\""),
    ]

    @Test func invalidValuesAreRefusedWithPointerAndChangeNothing() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let before = try client.request("GET", "/v1/environments/default/bundle")

        for refusal in Self.refusals {
            let response = try client.request("PUT", "/v1/environments/default/\(refusal.section)", json: refusal.body)
            #expect(response.status == 422, "\(refusal.body): \(response.text)")
            #expect(response.header("Content-Type") == "application/problem+json")
            let problem = try response.json()
            #expect(problem["type"] as? String == "urn:perimeter:problem:validation")
            #expect(problem["status"] as? Int == 422)
            let errors = problem["errors"] as? [[String: Any]] ?? []
            #expect(errors.first?["pointer"] as? String == refusal.pointer, "\(refusal.body)")
            #expect(errors.first?["value"] as? String == refusal.value, "\(refusal.body)")
        }

        let after = try client.request("GET", "/v1/environments/default/bundle")
        #expect(after.body == before.body)
    }

    @Test func hostBitsErrorNamesTheCanonicalBlock() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let response = try server.client.request("PUT", "/v1/environments/default/ip-allowlist",
                                                  json: #"{"blocks": ["192.168.0.1/24"]}"#)
        #expect(response.text.contains("192.168.0.0/24"))
    }

    @Test func unknownFieldsAndMalformedJSONAreRefused() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let unknown = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"block": []}"#)
        #expect(unknown.status == 422)
        #expect(((try unknown.json()["errors"] as? [[String: Any]])?.first?["pointer"] as? String) == "/block")

        let malformed = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": [}"#)
        #expect(malformed.status == 400)
        #expect(try malformed.json()["type"] as? String == "urn:perimeter:problem:malformed-json")

        let notJSON = try client.request("PUT", "/v1/environments/default/ip-allowlist",
                                         body: Array("blocks=1".utf8), contentType: "application/x-www-form-urlencoded")
        #expect(notJSON.status == 415)
    }

    @Test func dotenvBooleansAreStrict() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let refused = try client.request("POST", "/v1/environments/default/import",
                                         body: Array("IS_BEHIND_PROXY=on\nTRUST_ALL_PROXIES=maybe\n".utf8),
                                         contentType: "text/plain")
        #expect(refused.status == 422)
        let errors = try refused.json()["errors"] as? [[String: Any]] ?? []
        #expect(errors.first?["key"] as? String == "TRUST_ALL_PROXIES")
        #expect(errors.first?["line"] as? Int == 2)
        #expect(errors.first?["value"] as? String == "maybe")
        // The valid line of the same import was not applied either.
        let proxies = try client.request("GET", "/v1/environments/default/trusted-proxies").json()
        #expect(proxies["behind_proxy"] as? Bool == false)
        #expect(proxies["version"] as? Int == 1)

        for spelling in ["TRUE", "yes", "On", "1"] {
            let accepted = try client.request("POST", "/v1/environments/default/import",
                                              body: Array("TRUST_ALL_PROXIES=\(spelling)\n".utf8), contentType: "text/plain")
            #expect(accepted.status == 200, "\(spelling): \(accepted.text)")
        }
    }

    @Test func repeatedPutMakesNoNewVersion() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let body = #"{"blocks": ["2001:db8::/48", "10.0.0.0/8"], "exempt_paths": ["/capture", "/batch"]}"#
        let first = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: body).json()
        #expect(first["version"] as? Int == 2)
        #expect(first["changed"] as? Bool == true)
        #expect(first["blocks"] as? [String] == ["10.0.0.0/8", "2001:db8::/48"])

        let reordered = #"{"exempt_paths": ["/batch", "/capture"], "blocks": ["10.0.0.0/8", "2001:DB8:0::/48"]}"#
        let second = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: reordered).json()
        #expect(second["version"] as? Int == 2)
        #expect(second["changed"] as? Bool == false)
        #expect(try client.request("GET", "/v1/environments/default").json()["version"] as? Int == 2)
    }

    @Test func versionsIncreaseByOneAcrossSections() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let changes = [
            ("ip-allowlist", #"{"blocks": ["192.0.2.0/24"]}"#),
            ("trusted-proxies", #"{"behind_proxy": true, "proxies": ["203.0.113.7"]}"#),
            ("cookies", #"{"secure": false, "app_mode": "debug"}"#),
        ]
        for (offset, change) in changes.enumerated() {
            let response = try client.request("PUT", "/v1/environments/default/\(change.0)", json: change.1)
            #expect(response.status == 200, "\(response.text)")
            #expect(try response.json()["version"] as? Int == offset + 2)
        }
        for version in 1...4 {
            #expect(try client.request("GET", "/v1/environments/default/bundles/\(version)").status == 200)
        }
    }

    @Test func cookiesReportEffectiveValueAndWarning() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let auto = try client.request("PUT", "/v1/environments/default/cookies",
                                      json: #"{"secure": "auto", "app_mode": "test"}"#).json()
        #expect(auto["effective_secure"] as? Bool == false)
        #expect((auto["warnings"] as? [String])?.isEmpty == true)

        let off = try client.request("PUT", "/v1/environments/default/cookies",
                                     json: #"{"secure": false, "app_mode": "production"}"#).json()
        #expect(off["effective_secure"] as? Bool == false)
        #expect((off["warnings"] as? [String])?.count == 1)
    }
}
