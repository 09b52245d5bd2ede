import Foundation
import Testing

@Suite struct AuditLogTests {
    /// Reads the rows of `GET /v1/audit`, newest first, through `client`.
    static func entries(_ client: TestHTTPClient, query: String = "limit=500") throws -> [[String: Any]] {
        let response = try client.request("GET", "/v1/audit?\(query)")
        guard response.status == 200 else { throw TestFailure("GET /v1/audit?\(query) failed: \(response.text)") }
        return try response.json()["entries"] as? [[String: Any]] ?? []
    }

    /// One kind of change, the audit action it records, and whether it moves the policy version.
    struct Change: CustomStringConvertible {
        var action: String
        var environment: String?
        var versionBefore: Int?
        var versionAfter: Int?
        var description: String { action }
    }

    @Test func everyKindOfChangeIsRecorded() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let auditor = try server.client.issueToken(named: "auditor", scopes: ["admin"])
        let client = server.client.presenting(auditor)

        // Each step comes with its expected row. `default` starts at version 1 and `qa` is new.
        let steps: [(request: () throws -> WireResponse, change: Change)] = [
            ({ try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["10.0.0.0/8"]}"#) },
             Change(action: "ip_allowlist.put", environment: "default", versionBefore: 1, versionAfter: 2)),
            ({ try client.request("POST", "/v1/environments/default/import",
                                  body: Array("TRUST_ALL_PROXIES=true\n".utf8), contentType: "text/plain") },
             Change(action: "import.dotenv", environment: "default", versionBefore: 2, versionAfter: 3)),
            ({ try client.request("PUT", "/v1/environments/default/policy",
                                  json: #"{"ip_allowlist": {"blocks": ["192.0.2.0/24"]}}"#) },
             Change(action: "policy.put", environment: "default", versionBefore: 3, versionAfter: 4)),
            ({ try client.request("POST", "/v1/environments/default/rollback", json: #"{"to_version": 2}"#) },
             Change(action: "policy.rollback", environment: "default", versionBefore: 4, versionAfter: 5)),
            ({ try client.request("PUT", "/v1/environments/qa") },
             Change(action: "environment.create", environment: "qa", versionBefore: nil, versionAfter: 1)),
            ({ try client.request("DELETE", "/v1/environments/qa") },
             Change(action: "environment.delete", environment: "qa", versionBefore: 1, versionAfter: nil)),
            ({ try client.request("POST", "/v1/tokens", json: #"{"name": "temporary", "scopes": ["read"]}"#) },
             Change(action: "token.create", environment: nil, versionBefore: nil, versionAfter: nil)),
        ]
        var expected: [Change] = []
        var temporaryID = ""
        for step in steps {
            let response = try step.request()
            #expect((200..<300).contains(response.status), "\(step.change): \(response.text)")
            if step.change.action == "token.create" { temporaryID = try response.json()["id"] as? String ?? "" }
            expected.append(step.change)
        }
        #expect(try client.request("DELETE", "/v1/tokens/\(temporaryID)").status == 204)
        expected.append(Change(action: "token.revoke", environment: nil, versionBefore: nil, versionAfter: nil))

        // The auditor's rows, oldest first, are exactly the steps in order.
        let rows = try Self.entries(server.client).filter { $0["token_id"] as? String == auditor.id }.reversed()
        #expect(rows.map { $0["action"] as? String ?? "" } == expected.map(\.action))
        for (row, change) in zip(rows, expected) {
            #expect(row["actor"] as? String == "auditor", "\(change)")
            #expect(row["peer"] as? String == "127.0.0.1", "\(change)")
            #expect(row["client"] as? String == "127.0.0.1", "\(change)")
            #expect(row["environment"] as? String == change.environment, "\(change)")
            #expect(row["version_before"] as? Int == change.versionBefore, "\(change)")
            #expect(row["version_after"] as? Int == change.versionAfter, "\(change)")
            #expect(row["at"] is String, "\(change)")
            if change.action == "environment.delete" { continue }
            let digest = row["change_sha256"] as? String ?? ""
            #expect(digest.count == 64, "\(change): \(digest)")
            let isHex = digest.allSatisfy(\.isHexDigit)
            #expect(isHex, "\(change): \(digest)")
        }
    }

    @Test func rowKeepsPeerAndForwardedClient() throws {
        let server = try RunningServer(environment: ["PERIMETER_BEHIND_PROXY": "true",
                                                     "PERIMETER_TRUSTED_PROXIES": "127.0.0.1"])
        defer { server.stop() }
        let response = try server.client.request("PUT", "/v1/environments/default/ip-allowlist",
                                                 json: #"{"blocks": ["10.0.0.0/8"]}"#,
                                                 headers: [("X-Forwarded-For", "198.51.100.7")])
        #expect(response.status == 200)

        let row = try #require(try Self.entries(server.client, query: "limit=1").first)
        #expect(row["action"] as? String == "ip_allowlist.put")
        #expect(row["peer"] as? String == "127.0.0.1")
        #expect(row["client"] as? String == "198.51.100.7")
    }

    @Test func rolledBackPolicyHasTheSameDigest() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        _ = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["10.0.0.0/8"]}"#)
        _ = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["192.0.2.0/24"]}"#)
        _ = try client.request("POST", "/v1/environments/default/rollback", json: #"{"to_version": 2}"#)

        let digests = Dictionary(try Self.entries(client).compactMap { row -> (Int, String)? in
            guard let version = row["version_after"] as? Int, let digest = row["change_sha256"] as? String else { return nil }
            return (version, digest)
        }) { first, _ in first }
        #expect(digests[4] == digests[2])
        #expect(digests[3] != digests[2])
    }

    @Test func refusedRequestsAreNotRecorded() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let reader = client.presenting(try client.issueToken(named: "reader", scopes: ["read"]))
        let before = try Self.entries(client)

        let invalid = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["127.1"]}"#)
        #expect(invalid.status == 422)
        let forbidden = try reader.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": []}"#)
        #expect(forbidden.status == 403)
        let stale = try client.request("PUT", "/v1/environments/default/policy", json: #"{}"#,
                                       headers: [("If-Match", #""0123456789abcdef0123456789abcdef""#)])
        #expect(stale.status == 412)
        let badToken = try client.request("POST", "/v1/tokens", json: #"{"name": "x", "scopes": ["root"]}"#)
        #expect(badToken.status == 422)
        let badRollback = try client.request("POST", "/v1/environments/default/rollback", json: #"{"to_version": 9}"#)
        #expect(badRollback.status == 422)

        let after = try Self.entries(client)
        #expect(after.count == before.count)
        #expect(after.first?["id"] as? Int == before.first?["id"] as? Int)
    }

    @Test func pagesRunNewestFirstWithoutGapsOrRepeats() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        for octet in 1...6 {
            _ = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["10.\#(octet).0.0/16"]}"#)
        }
        let all = try Self.entries(client).compactMap { $0["id"] as? Int }
        #expect(all.count == 7)
        #expect(all == all.sorted(by: >))

        var paged: [Int] = []
        var cursor: String?
        var pages = 0
        repeat {
            let query = "limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try client.request("GET", "/v1/audit?\(query)").json()
            let ids = (page["entries"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            #expect(ids.count <= 2)
            paged += ids
            cursor = page["next_cursor"] as? String
            pages += 1
        } while cursor != nil && pages < 10
        #expect(paged == all)
    }

    @Test func fullLastPageHasNoCursor() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        _ = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["10.1.0.0/16"]}"#)
        let count = try Self.entries(client).count

        let exact = try client.request("GET", "/v1/audit?limit=\(count)").json()
        let shorter = try client.request("GET", "/v1/audit?limit=\(count - 1)").json()

        #expect((exact["entries"] as? [Any])?.count == count)
        #expect(exact["next_cursor"] is NSNull)
        #expect((shorter["entries"] as? [Any])?.count == count - 1)
        #expect(shorter["next_cursor"] is String)
    }

    @Test func malformedCursorIsRejected() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let response = try server.client.request("GET", "/v1/audit?cursor=42")
        #expect(response.status == 400)
        #expect(try response.json()["type"] as? String == "urn:perimeter:problem:malformed-query")
    }

    @Test func limitedTokenSeesOnlyItsEnvironmentsRows() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        _ = try client.request("PUT", "/v1/environments/staging")
        _ = try client.request("PUT", "/v1/environments/staging/ip-allowlist", json: #"{"blocks": ["10.0.0.0/8"]}"#)
        _ = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["10.0.0.0/8"]}"#)
        let limited = client.presenting(try client.issueToken(named: "staging-reader", scopes: ["read"],
                                                              environments: ["staging"]))

        let visible = try Self.entries(limited)
        #expect(visible.count == 2)
        #expect(visible.allSatisfy { $0["environment"] as? String == "staging" })
        let stagingRows = try Self.entries(client, query: "environment=staging")
        #expect(visible.compactMap { $0["id"] as? Int } == stagingRows.compactMap { $0["id"] as? Int })

        let other = try limited.request("GET", "/v1/audit?environment=default")
        #expect(other.status == 403)
        #expect(try other.json()["type"] as? String == "urn:perimeter:problem:environment-not-permitted")
    }

    @Test func auditNeverShowsTokenValues() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let writer = try client.issueToken(named: "writer", scopes: ["write"])
        let revoked = try client.issueToken(named: "revoked", scopes: ["read"])
        _ = try client.presenting(writer).request("PUT", "/v1/environments/default/ip-allowlist",
                                                  json: #"{"blocks": ["10.0.0.0/8"]}"#)
        _ = try client.request("DELETE", "/v1/tokens/\(revoked.id)")

        let text = try client.request("GET", "/v1/audit?limit=500").text
        #expect(text.contains(writer.id))
        for value in [server.token, writer.value, revoked.value] {
            #expect(!text.contains(value))
            #expect(!text.contains(String(value.dropFirst(4))))
        }
    }
}
