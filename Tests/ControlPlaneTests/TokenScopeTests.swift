import Foundation
import Testing

/// A token created through `POST /v1/tokens`, with the value the server shows only once.
struct IssuedToken {
    var id: String
    var value: String
}

extension TestHTTPClient {
    /// Creates a token through the API and throws the server's problem when the request is rejected.
    func issueToken(named name: String, scopes: [String], environments: [String]? = nil) throws -> IssuedToken {
        var body: [String: Any] = ["name": name, "scopes": scopes]
        if let environments { body["environments"] = environments }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let response = try request("POST", "/v1/tokens", json: json)
        guard response.status == 201, let document = try? response.json(), let id = document["id"] as? String,
              let value = document["token"] as? String else {
            throw TestFailure("creating token \(name) failed: \(response.status) \(response.text)")
        }
        return IssuedToken(id: id, value: value)
    }

    /// Returns a copy of the client that presents another bearer token.
    func presenting(_ token: IssuedToken) -> TestHTTPClient {
        var client = self
        client.token = token.value
        return client
    }
}

@Suite struct TokenScopeTests {
    /// One representative request of a route class. `{env}` in the path is replaced by the environment under test.
    struct RouteProbe: CustomStringConvertible {
        var label: String
        var method: String
        var path: String
        var body: String = ""
        var contentType = "application/json"
        /// The scope the route needs, as the 403 detail names it.
        var scope: String

        var description: String { "\(label) (\(method) \(path))" }

        func send(as client: TestHTTPClient, environment: String) throws -> WireResponse {
            try client.request(method, path.replacingOccurrences(of: "{env}", with: environment),
                               body: Array(body.utf8), contentType: contentType)
        }

        /// Returns the environment the request touches, or nil for routes that belong to no environment.
        func environment(substituting environment: String) -> String? {
            let prefix = "/v1/environments/"
            guard path.hasPrefix(prefix) else { return nil }
            let name = path.dropFirst(prefix.count).prefix { $0 != "/" }
            return name == "{env}" ? environment : String(name)
        }
    }

    /// Rows run in order for each token: the environment create row comes right before its delete row.
    static let probes: [RouteProbe] = [
        RouteProbe(label: "read a section", method: "GET", path: "/v1/environments/{env}/ip-allowlist", scope: "read"),
        RouteProbe(label: "write a section", method: "PUT", path: "/v1/environments/{env}/ip-allowlist",
                   body: #"{"blocks": ["10.0.0.0/8"]}"#, scope: "write"),
        RouteProbe(label: "import", method: "POST", path: "/v1/environments/{env}/import",
                   body: "IS_BEHIND_PROXY=false\n", contentType: "text/plain", scope: "write"),
        RouteProbe(label: "policy PUT", method: "PUT", path: "/v1/environments/{env}/policy",
                   body: #"{"ip_allowlist": {"blocks": ["10.0.0.0/8"]}}"#, scope: "write"),
        RouteProbe(label: "rollback", method: "POST", path: "/v1/environments/{env}/rollback",
                   body: #"{"to_version": 1}"#, scope: "write"),
        RouteProbe(label: "bundle", method: "GET", path: "/v1/environments/{env}/bundle", scope: "poll"),
        RouteProbe(label: "signing keys", method: "GET", path: "/v1/signing-keys", scope: "poll"),
        RouteProbe(label: "agent status", method: "POST", path: "/v1/environments/{env}/agents/edge-1/status",
                   body: #"{"applied_version": 1, "error": null, "hostname": "edge-1"}"#, scope: "poll"),
        RouteProbe(label: "agents list", method: "GET", path: "/v1/environments/{env}/agents", scope: "read"),
        RouteProbe(label: "exports", method: "GET", path: "/v1/environments/{env}/exports/nginx", scope: "read"),
        RouteProbe(label: "decisions", method: "POST", path: "/v1/environments/{env}/decisions/client",
                   body: #"{"peer": "192.0.2.1"}"#, scope: "read"),
        RouteProbe(label: "audit", method: "GET", path: "/v1/audit", scope: "read"),
        RouteProbe(label: "environment read", method: "GET", path: "/v1/environments/{env}", scope: "read"),
        RouteProbe(label: "environments list", method: "GET", path: "/v1/environments", scope: "read"),
        RouteProbe(label: "tokens list", method: "GET", path: "/v1/tokens", scope: "admin"),
        RouteProbe(label: "tokens create", method: "POST", path: "/v1/tokens",
                   body: #"{"name": "probe", "scopes": ["read"]}"#, scope: "admin"),
        RouteProbe(label: "environment create", method: "PUT", path: "/v1/environments/scratch", scope: "admin"),
        RouteProbe(label: "environment delete", method: "DELETE", path: "/v1/environments/scratch", scope: "admin"),
        RouteProbe(label: "secret-keys list", method: "GET", path: "/v1/environments/{env}/secret-keys", scope: "read"),
        RouteProbe(label: "secret-keys current", method: "GET", path: "/v1/environments/{env}/secret-keys/current",
                   scope: "secrets"),
        RouteProbe(label: "metrics", method: "GET", path: "/metrics", scope: "read"),
    ]

    /// The scopes each scope includes: admin ⊇ write ⊇ read ⊇ poll, and secrets only in admin.
    static let includedScopes: [String: Set<String>] = [
        "admin": ["admin", "write", "read", "poll", "secrets"],
        "write": ["write", "read", "poll"],
        "read": ["read", "poll"],
        "poll": ["poll"],
        "secrets": ["secrets"],
    ]

    /// Starts a server whose environments `default` and `staging` each have an active secret key.
    static func startWithSecretKeys() throws -> RunningServer {
        let server = try RunningServer()
        let client = server.client
        let staging = try client.request("PUT", "/v1/environments/staging")
        guard staging.status == 201 else { throw TestFailure("creating staging failed: \(staging.text)") }
        for environment in ["default", "staging"] {
            let key = try client.request("POST", "/v1/environments/\(environment)/secret-keys")
            guard key.status == 201 else { throw TestFailure("creating a secret key failed: \(key.text)") }
        }
        return server
    }

    // MARK: - Scopes

    @Test func everyScopeReachesExactlyItsRoutes() throws {
        let server = try Self.startWithSecretKeys()
        defer { server.stop() }

        for (scope, included) in Self.includedScopes.sorted(by: { $0.key < $1.key }) {
            let client = server.client.presenting(try server.client.issueToken(named: "scope-\(scope)", scopes: [scope]))
            for probe in Self.probes {
                let response = try probe.send(as: client, environment: "default")
                if included.contains(probe.scope) {
                    #expect((200..<300).contains(response.status), "\(scope) token, \(probe): \(response.text)")
                    continue
                }
                #expect(response.status == 403, "\(scope) token, \(probe): \(response.text)")
                let problem = try response.json()
                #expect(problem["type"] as? String == "urn:perimeter:problem:insufficient-scope", "\(scope), \(probe)")
                let detail = problem["detail"] as? String ?? ""
                #expect(detail.contains("needs the \(probe.scope) scope"), "\(scope) token, \(probe): \(detail)")
            }
        }
    }

    @Test func limitedTokenReachesOnlyItsEnvironment() throws {
        let server = try Self.startWithSecretKeys()
        defer { server.stop() }
        let limited = try server.client.issueToken(named: "staging-admin", scopes: ["admin"], environments: ["staging"])
        let client = server.client.presenting(limited)

        for environment in ["staging", "default"] {
            for probe in Self.probes {
                let response = try probe.send(as: client, environment: environment)
                let touched = probe.environment(substituting: environment)
                // Admin routes of no environment act on every environment, so they need an unlimited token.
                let isAllowed = touched.map { $0 == "staging" } ?? (probe.scope != "admin")
                if isAllowed {
                    #expect((200..<300).contains(response.status), "\(environment), \(probe): \(response.text)")
                    continue
                }
                #expect(response.status == 403, "\(environment), \(probe): \(response.text)")
                let problem = try response.json()
                #expect(problem["type"] as? String == "urn:perimeter:problem:environment-not-permitted",
                        "\(environment), \(probe): \(response.text)")
            }
        }
    }

    @Test func limitedTokenListsOnlyItsEnvironments() throws {
        let server = try Self.startWithSecretKeys()
        defer { server.stop() }
        let limited = try server.client.issueToken(named: "staging-reader", scopes: ["read"], environments: ["staging"])
        let client = server.client.presenting(limited)

        let listing = try client.request("GET", "/v1/environments").json()
        let names = (listing["environments"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["staging"])

        let other = try client.request("GET", "/v1/environments/default/policy")
        #expect(other.status == 403)
        #expect(try other.json()["type"] as? String == "urn:perimeter:problem:environment-not-permitted")
        #expect(try other.json()["detail"] as? String ?? "" == #"this token is limited to the environments staging, not "default""#)
    }

    @Test func limitedTokenMetricsShowOnlyItsEnvironments() throws {
        let server = try Self.startWithSecretKeys()
        defer { server.stop() }
        for environment in ["default", "staging"] {
            let report = try server.client.request("POST", "/v1/environments/\(environment)/agents/edge-1/status",
                                                   json: #"{"applied_version": 1}"#)
            #expect(report.status == 200, "\(environment)")
        }
        let limited = try server.client.issueToken(named: "staging-reader", scopes: ["read"], environments: ["staging"])

        let text = try server.client.presenting(limited).request("GET", "/metrics").text
        #expect(text.contains(#"perimeter_bundle_version{environment="staging"}"#))
        #expect(text.contains(#"perimeter_agents{environment="staging",state="current"} 1"#))
        #expect(!text.contains(#"environment="default""#))
        #expect(try server.client.request("GET", "/metrics").text.contains(#"environment="default""#))
    }

    @Test func limitedAdminCannotCreateUnlimitedToken() throws {
        let server = try RunningServer()
        defer { server.stop() }
        _ = try server.client.request("PUT", "/v1/environments/staging")
        let limited = try server.client.issueToken(named: "staging-admin", scopes: ["admin"], environments: ["staging"])

        let response = try server.client.presenting(limited).request("POST", "/v1/tokens",
                                                                     json: #"{"name": "wider", "scopes": ["admin"]}"#)
        #expect(response.status == 403, "\(response.text)")
        let names = (try server.client.request("GET", "/v1/tokens").json()["tokens"] as? [[String: Any]])?
            .compactMap { $0["name"] as? String }
        #expect(names?.contains("wider") == false)
    }

    // MARK: - Tokens

    @Test func createdTokenIsShownOnce() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let created = try server.client.request("POST", "/v1/tokens",
                                                json: #"{"name": "ci-deploy", "scopes": ["write"], "environments": ["default"]}"#)
        #expect(created.status == 201, "\(created.text)")
        let document = try created.json()
        let value = document["token"] as? String ?? ""
        #expect(value.hasPrefix("prm_"))
        #expect(created.header("Location") == "/v1/tokens/\(document["id"] as? String ?? "")")

        let listing = try server.client.request("GET", "/v1/tokens")
        #expect(!listing.text.contains(value))
        let entries = try listing.json()["tokens"] as? [[String: Any]] ?? []
        #expect(entries.allSatisfy { $0["token"] == nil })
        #expect(!server.log.contains(value))
    }

    @Test func tokenListShowsMetadata() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let used = try server.client.issueToken(named: "ci-deploy", scopes: ["write", "read"], environments: ["default"])
        let unused = try server.client.issueToken(named: "edge-poller", scopes: ["poll"])
        #expect(try server.client.presenting(used).request("GET", "/v1/environments/default/policy").status == 200)

        let entries = try server.client.request("GET", "/v1/tokens").json()["tokens"] as? [[String: Any]] ?? []
        let byID = Dictionary(entries.compactMap { entry in (entry["id"] as? String).map { ($0, entry) } }) { first, _ in first }
        let usedEntry = try #require(byID[used.id])
        #expect(usedEntry["name"] as? String == "ci-deploy")
        #expect(usedEntry["scopes"] as? [String] == ["read", "write"])
        #expect(usedEntry["environments"] as? [String] == ["default"])
        #expect(usedEntry["created_at"] is String)
        #expect(usedEntry["last_used_at"] is String)

        let unusedEntry = try #require(byID[unused.id])
        #expect(unusedEntry["name"] as? String == "edge-poller")
        #expect(unusedEntry["scopes"] as? [String] == ["poll"])
        #expect(unusedEntry["environments"] is NSNull)
        #expect(unusedEntry["created_at"] is String)
        #expect(unusedEntry["last_used_at"] is NSNull)
    }

    @Test func revokedTokenIsRefused() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let token = try server.client.issueToken(named: "short-lived", scopes: ["read"])
        let client = server.client.presenting(token)
        // Several requests, so that every event loop has accepted the token and remembers it.
        for _ in 0..<4 {
            #expect(try client.request("GET", "/v1/environments").status == 200)
        }

        let revoked = try server.client.request("DELETE", "/v1/tokens/\(token.id)")
        #expect(revoked.status == 204)
        for _ in 0..<4 {
            #expect(try client.request("GET", "/v1/environments").status == 401)
        }
        #expect(try server.client.request("DELETE", "/v1/tokens/\(token.id)").status == 404)
    }

    @Test func lastAdminTokenCannotBeRevoked() throws {
        let server = try RunningServer()
        defer { server.stop() }
        _ = try server.client.issueToken(named: "reader", scopes: ["read"])
        let entries = try server.client.request("GET", "/v1/tokens").json()["tokens"] as? [[String: Any]] ?? []
        let admin = try #require(entries.first { ($0["scopes"] as? [String])?.contains("admin") == true }?["id"] as? String)

        let response = try server.client.request("DELETE", "/v1/tokens/\(admin)")
        #expect(response.status == 409)
        #expect(try response.json()["type"] as? String == "urn:perimeter:problem:last-admin-token")
        #expect(try server.client.request("GET", "/v1/tokens").status == 200)
    }

    @Test func lastUnlimitedAdminTokenCannotBeRevoked() throws {
        let server = try RunningServer()
        defer { server.stop() }
        _ = try server.client.request("PUT", "/v1/environments/staging")
        _ = try server.client.issueToken(named: "staging-admin", scopes: ["admin"], environments: ["staging"])
        let entries = try server.client.request("GET", "/v1/tokens").json()["tokens"] as? [[String: Any]] ?? []
        let unlimited = try #require(entries.first { $0["environments"] is NSNull }?["id"] as? String)

        let response = try server.client.request("DELETE", "/v1/tokens/\(unlimited)")
        #expect(response.status == 409, "\(response.text)")
        #expect(try server.client.request("GET", "/v1/tokens").status == 200)
    }

    @Test func failedFirstStartStillShowsAdminToken() throws {
        let occupier = try RunningServer()
        defer { occupier.stop() }
        let directory = try RunningServer.makeDirectory()
        let database = directory.appendingPathComponent("perimeter.db").path

        // The port is taken, so this first start creates the database and the token, then fails to listen.
        let failed = try RunningServer.runToExit(arguments: ["--listen", "127.0.0.1:\(occupier.port)", "--db", database,
                                                             "--loops", "1"], directory: directory)
        #expect(failed.status == 1)
        let range = try #require(failed.output.range(of: "prm_"), "\(failed.output)")
        let token = "prm_" + failed.output[range.upperBound...].prefix { $0.isHexDigit }

        let server = try RunningServer(directory: directory)
        defer { server.stop() }
        let response = try TestHTTPClient(port: server.port, token: token).request("GET", "/v1/tokens")
        #expect(response.status == 200, "\(response.text)")
    }

    @Test func tokensAreStoredOnlyAsSHA256() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let token = try server.client.issueToken(named: "stored", scopes: ["read"])
        #expect(try server.client.presenting(token).request("GET", "/v1/environments").status == 200)

        let rows = try SQLiteRows.tokenRows(database: server.databasePath, digestOf: token.value)
        #expect(!rows.text.contains(token.value))
        #expect(!rows.text.contains(server.token))
        #expect(rows.storedDigests.contains(rows.expectedDigest))

        // No other table and no journal contains the token either.
        for suffix in ["", "-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: server.databasePath + suffix))) ?? Data()
            #expect(bytes.range(of: Data(token.value.utf8)) == nil, "perimeter.db\(suffix)")
        }
    }
}

/// Reads the `api_tokens` table with python3's sqlite3 module, as an operator inspecting the file would.
enum SQLiteRows {
    struct TokenTable {
        /// Every column of every row, as text.
        var text: String
        var storedDigests: [String]
        /// The lower-case hex SHA-256 of the token under test.
        var expectedDigest: String
    }

    static func tokenRows(database: String, digestOf token: String) throws -> TokenTable {
        let script = """
            import hashlib, json, sqlite3, sys
            connection = sqlite3.connect(sys.argv[1])
            rows = connection.execute("SELECT * FROM api_tokens").fetchall()
            digests = [row[0] for row in connection.execute("SELECT token_sha256 FROM api_tokens")]
            print(json.dumps({"rows": [[str(value) for value in row] for row in rows], "digests": digests,
                              "expected": hashlib.sha256(sys.stdin.read().encode()).hexdigest()}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, database]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The token goes through standard input so that it never shows in the process list.
        input.fileHandleForWriting.write(Data(token.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let document = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let rows = document["rows"] as? [[String]], let digests = document["digests"] as? [String],
              let expected = document["expected"] as? String else {
            throw TestFailure("python3 sqlite3 could not read api_tokens from \(database)")
        }
        return TokenTable(text: rows.map { $0.joined(separator: " ") }.joined(separator: "\n"),
                          storedDigests: digests, expectedDigest: expected)
    }
}
