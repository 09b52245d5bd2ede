import Foundation
import Testing

@Suite struct DeclarativeApplyTests {
    static let policyPath = "/v1/environments/default/policy"
    static let bundlePath = "/v1/environments/default/bundle"

    /// A whole policy document that differs from the default one in every section.
    static let document = #"""
        {"ip_allowlist": {"blocks": ["10.0.0.0/8", "192.0.2.0/24"], "exempt_paths": ["/capture"]},
         "trusted_proxies": {"behind_proxy": true, "trust_all": false, "proxies": ["10.0.0.1"]},
         "cookies": {"secure": true, "app_mode": "production"},
         "egress": {"mode": "report", "allow_hosts": ["api.example.com"], "allow_ranges": ["10.0.0.0/8"]}}
        """#

    /// Reads the current policy document without its `version`, for comparing policies across versions.
    static func policy(_ client: TestHTTPClient) throws -> NSDictionary {
        var document = try client.request("GET", policyPath).json()
        document["version"] = nil
        return document as NSDictionary
    }

    static func version(_ client: TestHTTPClient) throws -> Int? {
        try client.request("GET", policyPath).json()["version"] as? Int
    }

    // MARK: - If-Match

    @Test func documentAsReadIsAcceptedBack() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let read = try client.request("GET", Self.policyPath)
        #expect(read.status == 200)
        let etag = try #require(read.header("ETag"))

        let written = try client.request("PUT", Self.policyPath, body: read.body, headers: [("If-Match", etag)])
        #expect(written.status == 200, "\(written.text)")
        #expect(try written.json()["changed"] as? Bool == false)
        #expect(try Self.version(client) == 1)
    }

    @Test func staleIfMatchChangesNothing() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let read = try client.request("GET", Self.policyPath)
        let staleTag = try #require(read.header("ETag"))
        _ = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["10.0.0.0/8"]}"#)
        let bundleBefore = try client.request("GET", Self.bundlePath)

        let response = try client.request("PUT", Self.policyPath, json: Self.document, headers: [("If-Match", staleTag)])
        #expect(response.status == 412)
        #expect(try response.json()["type"] as? String == "urn:perimeter:problem:precondition-failed")
        #expect(try Self.version(client) == 2)
        #expect(try client.request("GET", Self.bundlePath).body == bundleBefore.body)
    }

    @Test func matchingIfMatchApplies() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let etag = try #require(try client.request("GET", Self.policyPath).header("ETag"))

        let response = try client.request("PUT", Self.policyPath, json: Self.document, headers: [("If-Match", etag)])
        #expect(response.status == 200, "\(response.text)")
        #expect(try response.json()["version"] as? Int == 2)
        #expect(try response.json()["changed"] as? Bool == true)
        #expect(response.header("ETag") != etag)
        #expect(try client.request("GET", Self.policyPath).header("ETag") == response.header("ETag"))
    }

    @Test func staleIfMatchFailsDryRunToo() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let response = try client.request("PUT", Self.policyPath + "?dry_run=true", json: Self.document,
                                          headers: [("If-Match", #""0123456789abcdef0123456789abcdef""#)])
        #expect(response.status == 412)
    }

    // MARK: - Dry run

    @Test func dryRunChangesNothingAndReportsDiff() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        _ = try client.request("PUT", "/v1/environments/default/ip-allowlist",
                               json: #"{"blocks": ["10.0.0.0/8", "198.51.100.0/24"]}"#)
        let bundleBefore = try client.request("GET", Self.bundlePath)

        let response = try client.request("PUT", Self.policyPath + "?dry_run=true", json: Self.document)
        #expect(response.status == 200, "\(response.text)")
        let result = try response.json()
        #expect(result["dry_run"] as? Bool == true)
        #expect(result["changed"] as? Bool == true)
        let diff = result["diff"] as? [String: Any] ?? [:]
        let blocks = (diff["ip_allowlist"] as? [String: Any])?["blocks"] as? [String: Any] ?? [:]
        #expect(blocks["added"] as? [String] == ["192.0.2.0/24"])
        #expect(blocks["removed"] as? [String] == ["198.51.100.0/24"])
        #expect(diff["trusted_proxies"] != nil)
        #expect(diff["egress"] != nil)

        #expect(try Self.version(client) == 2)
        #expect(try client.request("GET", Self.bundlePath).body == bundleBefore.body)
        let allowlist = try client.request("GET", "/v1/environments/default/ip-allowlist").json()
        #expect(allowlist["blocks"] as? [String] == ["10.0.0.0/8", "198.51.100.0/24"])
    }

    @Test func dryRunOfCurrentPolicyReportsNoChange() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let response = try client.request("PUT", Self.policyPath + "?dry_run=true", json: #"{}"#)
        #expect(response.status == 200, "\(response.text)")
        #expect(try response.json()["changed"] as? Bool == false)
        #expect((try response.json()["diff"] as? [String: Any])?.isEmpty == true)
    }

    // MARK: - Versions

    @Test func unchangedDocumentCreatesNoVersion() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let first = try client.request("PUT", Self.policyPath, json: Self.document)
        #expect(try first.json()["version"] as? Int == 2)
        let bundleBefore = try client.request("GET", Self.bundlePath)

        let again = try client.request("PUT", Self.policyPath, json: Self.document)
        #expect(again.status == 200)
        #expect(try again.json()["version"] as? Int == 2)
        #expect(try again.json()["changed"] as? Bool == false)
        #expect(try client.request("GET", Self.bundlePath).body == bundleBefore.body)
        let bundles = try client.request("GET", "/v1/environments/default/bundles").json()["bundles"] as? [[String: Any]]
        #expect(bundles?.count == 2)
    }

    @Test func omittedSectionsReturnToDefaults() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let defaults = try Self.policy(client)
        _ = try client.request("PUT", Self.policyPath, json: Self.document)

        let response = try client.request("PUT", Self.policyPath, json: #"{}"#)
        #expect(try response.json()["version"] as? Int == 3)
        #expect(try Self.policy(client) == defaults)
    }

    // MARK: - Rollback

    @Test func rollbackPublishesEarlierPolicyAsNextVersion() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        // Version 1 is the default policy. Versions 2 to 4 each change the policy.
        _ = try client.request("PUT", Self.policyPath, json: Self.document)
        let versionTwo = try Self.policy(client)
        _ = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["203.0.113.0/24"]}"#)
        _ = try client.request("PUT", "/v1/environments/default/cookies", json: #"{"secure": false}"#)
        #expect(try Self.version(client) == 4)

        let response = try client.request("POST", "/v1/environments/default/rollback", json: #"{"to_version": 2}"#)
        #expect(response.status == 200, "\(response.text)")
        let result = try response.json()
        #expect(result["version"] as? Int == 5)
        #expect(result["changed"] as? Bool == true)
        #expect(result["restored_from"] as? Int == 2)
        #expect(try Self.version(client) == 5)
        #expect(try Self.policy(client) == versionTwo)
    }

    @Test func bundleHistoryNamesAuthorAndAction() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let deployer = try server.client.issueToken(named: "ci-deploy", scopes: ["write"])
        let client = server.client.presenting(deployer)
        _ = try client.request("PUT", Self.policyPath, json: Self.document)
        _ = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["203.0.113.0/24"]}"#)
        _ = try client.request("POST", "/v1/environments/default/import",
                               body: Array("ALLOWED_IP_BLOCKS=198.51.100.0/24\n".utf8), contentType: "text/plain")
        _ = try client.request("POST", "/v1/environments/default/rollback", json: #"{"to_version": 2}"#)

        let bundles = try client.request("GET", "/v1/environments/default/bundles").json()["bundles"] as? [[String: Any]] ?? []
        let expected: [(version: Int, author: String, action: String)] = [
            (5, "ci-deploy", "policy.rollback"),
            (4, "ci-deploy", "import.dotenv"),
            (3, "ci-deploy", "ip_allowlist.put"),
            (2, "ci-deploy", "policy.put"),
            (1, "perimeterd", "environment.create"),
        ]
        #expect(bundles.count == expected.count)
        for (entry, want) in zip(bundles, expected) {
            #expect(entry["version"] as? Int == want.version)
            #expect(entry["author"] as? String == want.author, "version \(want.version)")
            #expect(entry["action"] as? String == want.action, "version \(want.version)")
            #expect((entry["payload_sha256"] as? String)?.count == 64, "version \(want.version)")
        }

        let limited = try client.request("GET", "/v1/environments/default/bundles?limit=2").json()["bundles"] as? [[String: Any]]
        #expect(limited?.compactMap { $0["version"] as? Int } == [5, 4])
    }

    @Test func rollbackToMissingVersionIsRejected() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        for body in [#"{"to_version": 2}"#, #"{"to_version": 0}"#, #"{"to_version": "1"}"#, #"{}"#] {
            let response = try client.request("POST", "/v1/environments/default/rollback", json: body)
            #expect(response.status == 422, "\(body): \(response.text)")
            let errors = try response.json()["errors"] as? [[String: Any]] ?? []
            #expect(errors.first?["pointer"] as? String == "/to_version", "\(body)")
        }
        #expect(try Self.version(client) == 1)
    }
}
