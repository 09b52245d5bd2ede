import Foundation
import Testing

/// The egress API of a running `perimeterd`: policy writes, decisions, the signed bundle and the Smokescreen
/// exports. A decision only reads the addresses it is given, so nothing connects to them.
@Suite struct EgressAPITests {
    /// One decision request and what the response must hold. A nil `matched` means JSON null, and a
    /// non-nil one is a prefix, because class names are followed by their source in brackets.
    struct DecisionCase: Sendable, CustomStringConvertible {
        var body: String
        var allowed: Bool
        var matched: String?
        var host: String
        var port: Int?
        var description: String { body }
    }

    /// Destinations decided under the default policy (enforce, `unlisted_hosts: allow`, no rules).
    static let defaultPolicyCases: [DecisionCase] = [
        DecisionCase(body: #"{"url": "http://2130706433/"}"#, allowed: false, matched: "ambiguous IPv4 address",
                     host: "2130706433", port: 80),
        DecisionCase(body: #"{"url": "http://0x7f.1/"}"#, allowed: false, matched: "ambiguous IPv4 address",
                     host: "0x7f.1", port: 80),
        DecisionCase(body: #"{"url": "http://[::ffff:127.0.0.1]/"}"#, allowed: false, matched: "class loopback",
                     host: "::ffff:127.0.0.1", port: 80),
        DecisionCase(body: #"{"url": "http://[::ffff:a9fe:a9fe]/"}"#, allowed: false, matched: "class cloud metadata",
                     host: "::ffff:169.254.169.254", port: 80),
        DecisionCase(body: #"{"url": "http://[2002:a9fe:a9fe::]/"}"#, allowed: false, matched: "class cloud metadata",
                     host: "2002:a9fe:a9fe::", port: 80),
        DecisionCase(body: #"{"url": "http://localhost./"}"#, allowed: false, matched: "class loopback",
                     host: "localhost", port: 80),
        DecisionCase(body: #"{"url": "http://LOCALHOST/"}"#, allowed: false, matched: "class loopback",
                     host: "localhost", port: 80),
        DecisionCase(body: #"{"url": "http://[::]/"}"#, allowed: false, matched: "class unspecified",
                     host: "::", port: 80),
        DecisionCase(body: #"{"url": "http://0.0.0.0:8080/"}"#, allowed: false, matched: "class unspecified",
                     host: "0.0.0.0", port: 8080),
        DecisionCase(body: #"{"host": "169.254.169.254"}"#, allowed: false, matched: "class cloud metadata",
                     host: "169.254.169.254", port: nil),
        DecisionCase(body: #"{"host": "hooks.example.com", "addresses": ["8.8.8.8", "10.0.0.5"]}"#, allowed: false,
                     matched: "class private", host: "hooks.example.com", port: nil),
        DecisionCase(body: #"{"url": "http://[2001:4860:4860::8888]/"}"#, allowed: true, matched: nil,
                     host: "2001:4860:4860::8888", port: 80),
        DecisionCase(body: #"{"host": "example.com", "port": 443, "addresses": ["93.184.215.14"]}"#, allowed: true,
                     matched: "unlisted_hosts allow", host: "example.com", port: 443),
    ]

    // MARK: - Decisions

    @Test func defaultPolicyDecidesDestinationTable() throws {
        let server = try RunningServer()
        defer { server.stop() }

        for testCase in Self.defaultPolicyCases {
            let decision = try Self.decide(testCase.body, with: server.client)
            #expect(decision["allowed"] as? Bool == testCase.allowed, "\(testCase): \(decision)")
            #expect(decision["would_deny"] as? Bool == !testCase.allowed, "\(testCase)")
            #expect(decision["mode"] as? String == "enforce", "\(testCase)")
            #expect((decision["reason"] as? String)?.isEmpty == false, "\(testCase)")
            Self.expectMatched(decision, testCase.matched, "\(testCase)")
            #expect(decision["host"] as? String == testCase.host, "\(testCase)")
            #expect(decision["port"] as? Int == testCase.port, "\(testCase)")
            #expect(decision["version"] as? Int == 1, "\(testCase)")
        }
    }

    @Test func everyResolvedAddressMustPass() throws {
        let server = try RunningServer()
        defer { server.stop() }

        let decision = try Self.decide(#"{"host": "hooks.example.com", "addresses": ["8.8.8.8", "10.0.0.5"]}"#,
                                       with: server.client)
        #expect(decision["allowed"] as? Bool == false)
        #expect((decision["reason"] as? String)?.contains("10.0.0.5") == true, "\(decision)")
        let verdicts = decision["addresses"] as? [[String: Any]] ?? []
        #expect(verdicts.map { $0["address"] as? String } == ["8.8.8.8", "10.0.0.5"])
        #expect(verdicts.map { $0["allowed"] as? Bool } == [true, false])
        #expect(verdicts.allSatisfy { ($0["reason"] as? String)?.isEmpty == false })
        #expect(verdicts.first?["matched"] is NSNull)
        #expect((verdicts.last?["matched"] as? String)?.hasPrefix("class private") == true)
    }

    @Test func allowRangeOpensOnlyItsBlock() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let put = try client.request("PUT", "/v1/environments/default/egress",
                                     json: #"{"allow_ranges": ["10.1.2.0/24"]}"#)
        #expect(put.status == 200, "\(put.text)")

        let inside = try Self.decide(#"{"url": "http://10.1.2.3/"}"#, with: client)
        #expect(inside["allowed"] as? Bool == true, "\(inside)")
        #expect(inside["matched"] as? String == "allow_ranges 10.1.2.0/24")
        #expect((inside["reason"] as? String)?.isEmpty == false)
        #expect(inside["version"] as? Int == 2)

        let outside = try Self.decide(#"{"url": "http://10.1.3.3/"}"#, with: client)
        #expect(outside["allowed"] as? Bool == false, "\(outside)")
        #expect((outside["matched"] as? String)?.hasPrefix("class private") == true, "\(outside)")
        #expect((outside["reason"] as? String)?.isEmpty == false)
    }

    @Test func reportModeAllowsWhatEnforceDenies() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let put = try client.request("PUT", "/v1/environments/default/egress", json: #"{"mode": "report"}"#)
        #expect(put.status == 200, "\(put.text)")

        for testCase in Self.defaultPolicyCases {
            let decision = try Self.decide(testCase.body, with: client)
            #expect(decision["allowed"] as? Bool == true, "\(testCase): \(decision)")
            #expect(decision["would_deny"] as? Bool == !testCase.allowed, "\(testCase)")
            #expect(decision["mode"] as? String == "report", "\(testCase)")
            Self.expectMatched(decision, testCase.matched, "\(testCase)")
            let reason = decision["reason"] as? String ?? ""
            #expect(reason.hasPrefix("report mode, would deny: ") == !testCase.allowed, "\(testCase): \(reason)")
        }
    }

    @Test func malformedURLIsDeniedNotRejected() throws {
        let server = try RunningServer()
        defer { server.stop() }

        // A URL is decision input, so one that cannot be read safely is a denial with a reason, not a 422.
        for url in ["ftp://example.com/", "http://user@127.0.0.1/", "http://example.com\\\\@127.0.0.1/",
                    "http://example.com:0/", "http:///x"] {
            let decision = try Self.decide(#"{"url": "\#(url)"}"#, with: server.client)
            #expect(decision["allowed"] as? Bool == false, "\(url): \(decision)")
            #expect((decision["reason"] as? String)?.hasPrefix("invalid URL: ") == true, "\(url): \(decision)")
        }
    }

    /// Bodies the decision endpoint must reject, with the JSON pointer the problem names first.
    static let invalidDecisionBodies: [(body: String, pointer: String)] = [
        (#"{"url": "http://example.com/", "host": "example.com"}"#, "/url"),
        (#"{}"#, "/url"),
        (#"{"host": "example.com", "port": 0}"#, "/port"),
        (#"{"host": "example.com", "port": 65536}"#, "/port"),
        (#"{"host": "example.com", "port": "443"}"#, "/port"),
        (#"{"host": "example.com", "port": 443.5}"#, "/port"),
        (#"{"host": "example.com", "addresses": "8.8.8.8"}"#, "/addresses"),
        (#"{"host": "example.com", "addresses": [8]}"#, "/addresses/0"),
        (#"{"url": 5}"#, "/url"),
        (#"{"url": "http://example.com/", "port": 80}"#, "/url"),
        (#"{"host": "example.com", "resolve": true}"#, "/resolve"),
        (#"[]"#, ""),
    ]

    @Test func invalidDecisionBodiesAreRejected() throws {
        let server = try RunningServer()
        defer { server.stop() }

        for (body, pointer) in Self.invalidDecisionBodies {
            let response = try server.client.request("POST", "/v1/environments/default/decisions/egress", json: body)
            #expect(response.status == 422, "\(body): \(response.text)")
            #expect(response.header("Content-Type") == "application/problem+json", "\(body)")
            let errors = try response.json()["errors"] as? [[String: Any]] ?? []
            #expect(errors.first?["pointer"] as? String == pointer, "\(body): \(response.text)")
        }
    }

    // MARK: - Policy writes

    /// Policies the egress PUT must reject: the JSON pointer and value the problem names, and a text its
    /// detail contains.
    static let invalidPolicies: [(body: String, pointer: String, value: String, detail: String)] = [
        (#"{"allow_hosts": ["*"]}"#, "/allow_hosts/0", "*", "not a supported pattern"),
        (#"{"allow_hosts": ["hooks.slack.com", "a.*.b"]}"#, "/allow_hosts/1", "a.*.b", "not a supported pattern"),
        (#"{"deny_hosts": ["*foo.com"]}"#, "/deny_hosts/0", "*foo.com", "not a supported pattern"),
        (#"{"allow_hosts": ["example.*"]}"#, "/allow_hosts/0", "example.*", "not a supported pattern"),
        (#"{"allow_hosts": ["bücher.example"]}"#, "/allow_hosts/0", "bücher.example", "xn--bcher-kva.example"),
        (#"{"allow_hosts": ["*.com"]}"#, "/allow_hosts/0", "*.com", "top-level domain"),
        (#"{"allow_hosts": ["10.0.0.1"]}"#, "/allow_hosts/0", "10.0.0.1", "allow_ranges"),
        (#"{"allow_hosts": ["a.example"], "deny_hosts": ["A.example."]}"#, "/deny_hosts/0", "A.example.",
         "also in allow_hosts"),
        (#"{"mode": "block"}"#, "/mode", #""block""#, #""enforce" or "report""#),
        (#"{"unlisted_hosts": "maybe"}"#, "/unlisted_hosts", #""maybe""#, #""allow" or "deny""#),
        (#"{"deny_ranges": ["198.51.100.7/24"]}"#, "/deny_ranges/0", "198.51.100.7/24", "198.51.100.0/24"),
        (#"{"allow_ranges": ["10.1.2.3/24"]}"#, "/allow_ranges/0", "10.1.2.3/24", "10.1.2.0/24"),
    ]

    @Test func invalidPolicyIsRejectedAndChangesNothing() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let put = try client.request("PUT", "/v1/environments/default/egress",
                                     json: #"{"allow_hosts": ["hooks.slack.com"]}"#)
        #expect(put.status == 200, "\(put.text)")
        let policyBefore = try client.request("GET", "/v1/environments/default/egress")
        let bundleBefore = try client.request("GET", "/v1/environments/default/bundle")

        for invalid in Self.invalidPolicies {
            let response = try client.request("PUT", "/v1/environments/default/egress", json: invalid.body)
            #expect(response.status == 422, "\(invalid.body): \(response.text)")
            #expect(response.header("Content-Type") == "application/problem+json", "\(invalid.body)")
            let problem = try response.json()
            #expect(problem["type"] as? String == "urn:perimeter:problem:validation", "\(invalid.body)")
            let errors = problem["errors"] as? [[String: Any]] ?? []
            #expect(errors.count == 1, "\(invalid.body): \(response.text)")
            #expect(errors.first?["pointer"] as? String == invalid.pointer, "\(invalid.body)")
            #expect(errors.first?["value"] as? String == invalid.value, "\(invalid.body)")
            let detail = errors.first?["detail"] as? String ?? ""
            #expect(detail.contains(invalid.detail), "\(invalid.body): \(detail)")
        }

        #expect(try Self.version(of: "default", with: client) == 2)
        #expect(try client.request("GET", "/v1/environments/default/egress").body == policyBefore.body)
        #expect(try client.request("GET", "/v1/environments/default/bundle").body == bundleBefore.body)
    }

    @Test func egressChangeReachesSignedBundle() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let before = try Self.version(of: "default", with: client)

        let body = #"""
            {"allow_hosts": ["Hooks.Slack.com.", "*.zapier.com", "hooks.slack.com"],
             "deny_ranges": ["203.0.113.0/24", "::ffff:198.51.100.0/120"], "unlisted_hosts": "deny"}
            """#
        let put = try client.request("PUT", "/v1/environments/default/egress", json: body)
        #expect(put.status == 200, "\(put.text)")
        #expect(try put.json()["version"] as? Int == before + 1)
        #expect(try put.json()["changed"] as? Bool == true)

        let canonical = #"{"mode":"enforce","allow_hosts":["*.zapier.com","hooks.slack.com"],"deny_hosts":[],"#
            + #""allow_ranges":[],"deny_ranges":["198.51.100.0/24","203.0.113.0/24"],"unlisted_hosts":"deny"}"#
        let payload = try Self.bundlePayload(of: "default", with: client)
        let payloadText = String(decoding: payload, as: UTF8.self)
        #expect(payloadText.contains(#""egress":"# + canonical), "\(payloadText)")
        let payloadObject = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        #expect(payloadObject["version"] as? Int == before + 1)
        #expect(payloadObject["environment"] as? String == "default")

        // The section as read back is the published one, plus its version.
        var section = try client.request("GET", "/v1/environments/default/egress").json()
        #expect(section["version"] as? Int == before + 1)
        section["version"] = nil
        let published = try #require(payloadObject["egress"] as? [String: Any])
        #expect(NSDictionary(dictionary: section) == NSDictionary(dictionary: published))
    }

    @Test func identicalPutMakesNoVersion() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let body = #"{"allow_hosts": ["hooks.slack.com", "*.zapier.com"], "deny_ranges": ["198.51.100.0/24"]}"#
        let first = try client.request("PUT", "/v1/environments/default/egress", json: body).json()
        #expect(first["version"] as? Int == 2)
        #expect(first["changed"] as? Bool == true)
        let bundle = try client.request("GET", "/v1/environments/default/bundle")

        // The same policy again, first as sent and then in another order and spelling.
        let respelled = #"{"deny_ranges": ["::ffff:198.51.100.0/120"], "#
            + #""allow_hosts": ["*.Zapier.com.", "hooks.slack.com"], "mode": "enforce"}"#
        for repeated in [body, respelled] {
            let response = try client.request("PUT", "/v1/environments/default/egress", json: repeated).json()
            #expect(response["version"] as? Int == 2, "\(repeated)")
            #expect(response["changed"] as? Bool == false, "\(repeated)")
        }
        #expect(try Self.version(of: "default", with: client) == 2)
        #expect(try client.request("GET", "/v1/environments/default/bundle").body == bundle.body)
        #expect(try client.request("GET", "/v1/environments/default/bundles/3").status == 404)
    }

    // MARK: - Smokescreen exports

    /// Smokescreen's `default` action for each mode and `unlisted_hosts` pair, as the exporter maps them.
    static let aclActions: [(mode: String, unlisted: String, action: String)] = [
        ("enforce", "deny", "enforce"),
        ("enforce", "allow", "open"),
        ("report", "allow", "report"),
        ("report", "deny", "report"),
    ]

    @Test func smokescreenACLFollowsPolicy() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        #expect(try client.request("PUT", "/v1/environments/staging").status == 201)

        for (offset, row) in Self.aclActions.enumerated() {
            let body = #"{"mode": "\#(row.mode)", "unlisted_hosts": "\#(row.unlisted)", "#
                + #""allow_hosts": ["hooks.slack.com", "*.zapier.com"], "deny_hosts": ["evil.example"]}"#
            let put = try client.request("PUT", "/v1/environments/staging/egress", json: body)
            #expect(put.status == 200, "\(row): \(put.text)")

            let export = try client.request("GET", "/v1/environments/staging/exports/smokescreen")
            #expect(export.status == 200, "\(row)")
            #expect(export.header("Content-Type") == "application/yaml", "\(row)")
            #expect(export.header("Perimeter-Bundle-Version") == String(offset + 2), "\(row)")
            let acl = try #require(try YAMLLoader.load(export.text) as? [String: Any], "\(row)")
            #expect(acl["version"] as? String == "v1", "\(row)")
            #expect((acl["services"] as? [Any])?.isEmpty == true, "\(row)")
            let rule = acl["default"] as? [String: Any]
            #expect(rule?["project"] as? String == "staging", "\(row)")
            #expect(rule?["action"] as? String == row.action, "\(row)")
            #expect(rule?["allowed_domains"] as? [String] == ["*.zapier.com", "hooks.slack.com"], "\(row)")
            // Smokescreen denies global_deny_list even when reporting, so report mode leaves it out.
            let denyList = acl["global_deny_list"] as? [String]
            if row.mode == "enforce" {
                #expect(denyList == ["*.localhost", "evil.example", "localhost", "metadata.google.internal"], "\(row)")
            } else {
                #expect(denyList == nil, "\(row): \(export.text)")
            }
        }
    }

    @Test func smokescreenConfigListsRanges() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client

        // Under the default policy the configuration lists exactly the built-in blocks.
        let defaultExport = try client.request("GET", "/v1/environments/default/exports/smokescreen-config")
        #expect(defaultExport.status == 200)
        #expect(defaultExport.header("Content-Type") == "application/yaml")
        let defaultConfig = try #require(try YAMLLoader.load(defaultExport.text) as? [String: Any])
        #expect((defaultConfig["allow_ranges"] as? [String])?.isEmpty == true)
        let builtIns = Set(defaultConfig["deny_ranges"] as? [String] ?? [])
        for block in ["0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "169.254.169.254/32", "::1/128",
                      "fc00::/7", "fd00:ec2::254/128"] {
            #expect(builtIns.contains(block), "\(block) missing from \(builtIns.sorted())")
        }

        // An allow range that names a built-in block exactly takes that block off deny_ranges, and is split
        // around the narrower built-in blocks inside it.
        let body = #"{"allow_ranges": ["10.1.2.0/24", "169.254.0.0/16"], "#
            + #""deny_ranges": ["8.8.8.0/24", "2001:4860::/32"]}"#
        #expect(try client.request("PUT", "/v1/environments/default/egress", json: body).status == 200)
        let export = try client.request("GET", "/v1/environments/default/exports/smokescreen-config")
        let config = try #require(try YAMLLoader.load(export.text) as? [String: Any])
        let denied = Set(config["deny_ranges"] as? [String] ?? [])
        #expect(denied == builtIns.union(["8.8.8.0/24", "2001:4860::/32"]).subtracting(["169.254.0.0/16"]))
        let allowed = config["allow_ranges"] as? [String] ?? []
        #expect(allowed.contains("10.1.2.0/24"), "\(allowed)")
        #expect(!allowed.contains("169.254.0.0/16"), "\(allowed)")
        let opened = allowed.compactMap(IPv4Block.init)
        for metadata in ["169.254.169.254", "169.254.170.2"] {
            let address = try #require(IPv4Block.address(metadata))
            #expect(!opened.contains { $0.contains(address) }, "\(metadata) is opened by \(allowed)")
        }
        for neighbour in ["169.254.0.1", "169.254.169.253", "169.254.169.255", "169.254.170.3", "169.254.255.255"] {
            let address = try #require(IPv4Block.address(neighbour))
            #expect(opened.contains { $0.contains(address) }, "\(neighbour) is not opened by \(allowed)")
        }
    }

    /// Smokescreen, as the exporter documents it, lets any allow range win over every deny range and allows
    /// addresses in neither list. So the exported configuration must decide each IPv4 address as the
    /// decision endpoint does. The addresses are the first and last of each block and their outside
    /// neighbours. Smokescreen's own refusals (addresses that are not global unicast) are not modelled.
    @Test func smokescreenConfigDecidesLikePerimeter() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let body = #"""
            {"allow_ranges": ["8.8.0.0/16", "10.0.0.0/8", "10.1.2.0/24", "169.254.0.0/16", "172.0.0.0/8"],
             "deny_ranges": ["8.8.8.0/24", "10.1.0.0/16", "10.1.2.128/25"]}
            """#
        #expect(try client.request("PUT", "/v1/environments/default/egress", json: body).status == 200)
        let export = try client.request("GET", "/v1/environments/default/exports/smokescreen-config")
        let config = try #require(try YAMLLoader.load(export.text) as? [String: Any])
        let allowBlocks = (config["allow_ranges"] as? [String] ?? []).compactMap(IPv4Block.init)
        let denyBlocks = (config["deny_ranges"] as? [String] ?? []).compactMap(IPv4Block.init)
        #expect(allowBlocks.count > 5)
        #expect(denyBlocks.count > 20)

        var addresses = Set<UInt32>()
        for block in allowBlocks + denyBlocks {
            addresses.formUnion([block.first, block.last])
            if block.first > 0 { addresses.insert(block.first - 1) }
            if block.last < UInt32.max { addresses.insert(block.last + 1) }
        }
        var mismatches: [String] = []
        for address in addresses.sorted() {
            let text = IPv4Block.text(of: address)
            let isAllowed = allowBlocks.contains { $0.contains(address) }
            let isDenied = denyBlocks.contains { $0.contains(address) }
            let smokescreenAllows = isAllowed || !isDenied
            let decision = try Self.decide(#"{"url": "http://\#(text)/"}"#, with: client)
            if decision["allowed"] as? Bool != smokescreenAllows {
                mismatches.append("\(text): Smokescreen \(smokescreenAllows), Perimeter \(decision["reason"] ?? "")")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }

    /// Smokescreen decides a name by `allowed_domains`, then `global_deny_list`, then the action. So the
    /// exported ACL must decide names as the decision endpoint does. The policy has no deny rule under an
    /// allow rule, because the export can only list such a rule in a comment.
    @Test func smokescreenACLDecidesNamesLikePerimeter() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let names = ["hooks.slack.com", "x.hooks.slack.com", "zapier.com", "a.zapier.com", "a.b.zapier.com",
                     "localhost", "a.localhost", "x.a.localhost", "b.localhost", "metadata.google.internal",
                     "b.example", "x.b.example", "c.example", "evil.test", "good.test", "example.org"]

        for unlisted in ["allow", "deny"] {
            let body = #"{"unlisted_hosts": "\#(unlisted)", "#
                + #""allow_hosts": ["hooks.slack.com", "*.zapier.com", "a.localhost", "*.b.example"], "#
                + #""deny_hosts": ["*.example", "evil.test"]}"#
            let put = try client.request("PUT", "/v1/environments/default/egress", json: body)
            #expect(put.status == 200, "\(put.text)")
            let export = try client.request("GET", "/v1/environments/default/exports/smokescreen")
            #expect(export.status == 200, "\(export.text)")
            #expect(!export.text.contains("NOTE"), "\(export.text)")
            let acl = try #require(try YAMLLoader.load(export.text) as? [String: Any])
            let rule = try #require(acl["default"] as? [String: Any])
            let allowedDomains = rule["allowed_domains"] as? [String] ?? []
            let denyList = acl["global_deny_list"] as? [String] ?? []
            let action = rule["action"] as? String

            for name in names {
                let smokescreenAllows: Bool
                if allowedDomains.contains(where: { Self.glob($0, matches: name) }) {
                    smokescreenAllows = true
                } else if denyList.contains(where: { Self.glob($0, matches: name) }) {
                    smokescreenAllows = false
                } else {
                    smokescreenAllows = action == "open"
                }
                let decision = try Self.decide(#"{"url": "https://\#(name)/"}"#, with: client)
                #expect(decision["allowed"] as? Bool == smokescreenAllows,
                        "\(name) with unlisted_hosts \(unlisted): Smokescreen \(smokescreenAllows), \(decision)")
            }
        }
    }

    // MARK: - Helpers

    /// Posts a decision request and returns the decision, or throws when the status is not 200.
    static func decide(_ body: String, with client: TestHTTPClient,
                       environment: String = "default") throws -> [String: Any] {
        let response = try client.request("POST", "/v1/environments/\(environment)/decisions/egress", json: body)
        guard response.status == 200 else {
            throw TestFailure("decision on \(body) failed with \(response.status): \(response.text)")
        }
        return try response.json()
    }

    static func expectMatched(_ decision: [String: Any], _ expected: String?, _ comment: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        if let expected {
            let matched = decision["matched"] as? String ?? ""
            #expect(matched.hasPrefix(expected), "\(comment): matched \(matched)", sourceLocation: sourceLocation)
        } else {
            #expect(decision["matched"] is NSNull, "\(comment): matched \(decision["matched"] ?? "")",
                    sourceLocation: sourceLocation)
        }
    }

    static func version(of environment: String, with client: TestHTTPClient) throws -> Int {
        let response = try client.request("GET", "/v1/environments/\(environment)").json()
        guard let version = response["version"] as? Int else { throw TestFailure("no version in \(response)") }
        return version
    }

    /// Fetches the current bundle and returns its payload, decoded from the envelope's base64. The signature
    /// is not checked.
    static func bundlePayload(of environment: String, with client: TestHTTPClient) throws -> Data {
        let envelope = try client.request("GET", "/v1/environments/\(environment)/bundle").json()
        guard let text = envelope["payload"] as? String, let payload = Data(base64Encoded: text) else {
            throw TestFailure("the envelope has no base64 payload: \(envelope)")
        }
        return payload
    }

    /// Matches a host against a Smokescreen domain glob: an exact name, or `*.suffix` for subdomains only.
    static func glob(_ glob: String, matches host: String) -> Bool {
        if glob.hasPrefix("*.") { return host.hasSuffix(glob.dropFirst()) }
        return host == glob
    }
}

// MARK: - YAML and IPv4 helpers

/// Parses YAML with PyYAML's `safe_load` in a `python3` child process, so the exports are read by an
/// independent YAML parser. A missing python3 or PyYAML fails the test rather than skipping it.
private enum YAMLLoader {
    static func load(_ text: String) throws -> Any {
        let directory = try RunningServer.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("export.yaml")
        try text.write(to: input, atomically: true, encoding: .utf8)

        let process = Process()
        // Debian's interpreter, which has python3-yaml from scripts/test; a python3 earlier on PATH may not.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        let script = "import json, sys, yaml; "
            + "json.dump(yaml.safe_load(open(sys.argv[1], encoding='utf-8')), sys.stdout)"
        process.arguments = ["-c", script, input.path]
        let output = Pipe()
        let errors = directory.appendingPathComponent("stderr.log")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let json = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw TestFailure("python3 with PyYAML (Debian package python3-yaml) failed to parse the export "
                + "with status \(process.terminationStatus): \(message)\nThe export:\n\(text)")
        }
        return try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
    }
}

/// An IPv4 CIDR block as the first and last address it covers.
private struct IPv4Block {
    let first: UInt32
    let last: UInt32

    /// Parses `a.b.c.d/n`, or returns nil for an IPv6 block and any other text.
    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let network = IPv4Block.address(String(parts[0])), let length = Int(parts[1]),
              (0...32).contains(length) else { return nil }
        let hostMask: UInt32 = length == 0 ? .max : (UInt32(1) << (32 - length)) - 1
        first = network & ~hostMask
        last = first | hostMask
    }

    func contains(_ address: UInt32) -> Bool { (first...last).contains(address) }

    static func address(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard octets.count == 4, !text.contains(":") else { return nil }
        return octets.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    static func text(of address: UInt32) -> String {
        (0..<4).map { String(address >> (24 - 8 * $0) & 0xFF) }.joined(separator: ".")
    }
}
