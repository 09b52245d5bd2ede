import Foundation
import Testing

@Suite struct FleetTests {
    /// Publishes versions 2 and 3 of `default`, so reports of earlier versions lag.
    static func publishTwoVersions(_ client: TestHTTPClient) throws {
        for block in ["10.0.0.0/8", "192.0.2.0/24"] {
            let response = try client.request("PUT", "/v1/environments/default/ip-allowlist", json: #"{"blocks": ["\#(block)"]}"#)
            guard response.status == 200 else { throw TestFailure("publishing failed: \(response.text)") }
        }
    }

    static func report(_ client: TestHTTPClient, agent: String, json: String) throws -> WireResponse {
        try client.request("POST", "/v1/environments/default/agents/\(agent)/status", json: json)
    }

    /// Lists the agents of `default` by id.
    static func agents(_ client: TestHTTPClient) throws -> [String: [String: Any]] {
        let listing = try client.request("GET", "/v1/environments/default/agents").json()
        let agents = listing["agents"] as? [[String: Any]] ?? []
        return Dictionary(agents.compactMap { agent in (agent["agent_id"] as? String).map { ($0, agent) } }) { first, _ in first }
    }

    /// Reads the value of `perimeter_agents{environment="default",state=…}` from the metrics text.
    static func agentGauge(_ client: TestHTTPClient, state: String) throws -> Int? {
        let text = try client.request("GET", "/metrics").text
        let prefix = #"perimeter_agents{environment="default",state="\#(state)"} "#
        let line = text.split(separator: "\n").first { $0.hasPrefix(prefix) }
        return line.flatMap { Int($0.dropFirst(prefix.count)) }
    }

    @Test func pollTokenReportsStatus() throws {
        let server = try RunningServer()
        defer { server.stop() }
        try Self.publishTwoVersions(server.client)
        let poller = server.client.presenting(try server.client.issueToken(named: "edge", scopes: ["poll"],
                                                                           environments: ["default"]))

        let response = try Self.report(poller, agent: "edge-1", json: #"{"applied_version": 2, "error": null, "hostname": "edge-1.internal"}"#)
        #expect(response.status == 200, "\(response.text)")
        let result = try response.json()
        #expect(result["agent_id"] as? String == "edge-1")
        #expect(result["current_version"] as? Int == 3)
        #expect(result["lag"] as? Int == 1)

        // An agent needs only the poll scope, so its token cannot read the listing it feeds.
        #expect(try poller.request("GET", "/v1/environments/default/agents").status == 403)
    }

    @Test func listingShowsVersionLagErrorAndState() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        try Self.publishTwoVersions(client)
        let poller = client.presenting(try client.issueToken(named: "edge", scopes: ["poll"]))
        let reports = [
            ("edge-current", #"{"applied_version": 3, "hostname": "a.internal"}"#),
            ("edge-lagging", #"{"applied_version": 1, "hostname": "b.internal"}"#),
            ("edge-failing", #"{"applied_version": 2, "error": "signature did not verify", "hostname": "c.internal"}"#),
        ]
        for (agent, json) in reports {
            #expect(try Self.report(poller, agent: agent, json: json).status == 200, "\(agent)")
        }

        let agents = try Self.agents(client)
        let expected: [(agent: String, hostname: String, applied: Int, lag: Int, error: String?, state: String)] = [
            ("edge-current", "a.internal", 3, 0, nil, "current"),
            ("edge-lagging", "b.internal", 1, 2, nil, "lagging"),
            ("edge-failing", "c.internal", 2, 1, "signature did not verify", "failing"),
        ]
        #expect(agents.count == expected.count)
        for want in expected {
            let agent = try #require(agents[want.agent])
            #expect(agent["hostname"] as? String == want.hostname, "\(want.agent)")
            #expect(agent["applied_version"] as? Int == want.applied, "\(want.agent)")
            #expect(agent["lag"] as? Int == want.lag, "\(want.agent)")
            #expect(agent["last_error"] as? String == want.error, "\(want.agent)")
            #expect(agent["state"] as? String == want.state, "\(want.agent)")
            #expect(agent["stale"] as? Bool == false, "\(want.agent)")
            #expect(agent["peer"] as? String == "127.0.0.1", "\(want.agent)")
            #expect(agent["last_report_at"] is String, "\(want.agent)")
        }
    }

    @Test func metricsCountAgentsByState() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        try Self.publishTwoVersions(client)
        let reports = [
            ("edge-1", #"{"applied_version": 3}"#),
            ("edge-2", #"{"applied_version": 3}"#),
            ("edge-3", #"{"applied_version": 1}"#),
            ("edge-4", #"{"applied_version": null, "error": "bundle expired"}"#),
        ]
        for (agent, json) in reports {
            #expect(try Self.report(client, agent: agent, json: json).status == 200, "\(agent)")
        }

        let expected = [("current", 2), ("lagging", 1), ("failing", 1), ("stale", 0)]
        for (state, count) in expected {
            #expect(try Self.agentGauge(client, state: state) == count, "\(state)")
        }
    }

    @Test func silentAgentTurnsStaleAndRecovers() throws {
        let server = try RunningServer(environment: ["PERIMETER_AGENT_STALE_AFTER": "1s"])
        defer { server.stop() }
        let client = server.client
        #expect(try Self.report(client, agent: "edge-1", json: #"{"applied_version": 1}"#).status == 200)
        #expect(try Self.report(client, agent: "edge-2", json: #"{"applied_version": 1, "error": "disk full"}"#).status == 200)

        // Report times have whole-second resolution, so 2.1 s is always more than one full second later.
        Thread.sleep(forTimeInterval: 2.1)
        let agents = try Self.agents(client)
        for id in ["edge-1", "edge-2"] {
            #expect(agents[id]?["state"] as? String == "stale", "\(id)")
            #expect(agents[id]?["stale"] as? Bool == true, "\(id)")
        }
        #expect(agents["edge-2"]?["last_error"] as? String == "disk full")
        #expect(try Self.agentGauge(client, state: "stale") == 2)
        #expect(try Self.agentGauge(client, state: "current") == 0)

        #expect(try Self.report(client, agent: "edge-1", json: #"{"applied_version": 1}"#).status == 200)
        #expect(try Self.agents(client)["edge-1"]?["state"] as? String == "current")
        #expect(try Self.agentGauge(client, state: "current") == 1)
    }

    @Test func invalidReportIsRejected() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        let bodies = [
            (#"{"applied_version": -1}"#, "/applied_version"),
            (#"{"applied_version": "3"}"#, "/applied_version"),
            (#"{"error": 7}"#, "/error"),
            (#"{"hostname": "\#(String(repeating: "h", count: 254))"}"#, "/hostname"),
            (#"{"applied": 3}"#, "/applied"),
        ]
        for (body, pointer) in bodies {
            let response = try Self.report(client, agent: "edge-1", json: body)
            #expect(response.status == 422, "\(body): \(response.text)")
            let errors = try response.json()["errors"] as? [[String: Any]] ?? []
            #expect(errors.first?["pointer"] as? String == pointer, "\(body)")
        }
        #expect(try Self.agents(client).isEmpty)
    }

    @Test func deletedEnvironmentForgetsItsAgents() throws {
        let server = try RunningServer()
        defer { server.stop() }
        let client = server.client
        _ = try client.request("PUT", "/v1/environments/staging")
        let report = try client.request("POST", "/v1/environments/staging/agents/edge-1/status", json: #"{"applied_version": 1}"#)
        #expect(report.status == 200)
        _ = try client.request("DELETE", "/v1/environments/staging")
        _ = try client.request("PUT", "/v1/environments/staging")

        let listing = try client.request("GET", "/v1/environments/staging/agents").json()
        #expect((listing["agents"] as? [[String: Any]])?.isEmpty == true)
        #expect(!(try client.request("GET", "/metrics").text.contains(#"perimeter_agents{environment="staging""#)))
    }

    @Test func reportsSurviveRestartButNotDeletion() throws {
        let first = try RunningServer()
        _ = try first.client.request("PUT", "/v1/environments/staging")
        for environment in ["default", "staging"] {
            let report = try first.client.request("POST", "/v1/environments/\(environment)/agents/edge-1/status",
                                                  json: #"{"applied_version": 1, "hostname": "edge-1.internal"}"#)
            #expect(report.status == 200, "\(environment)")
        }
        _ = try first.client.request("DELETE", "/v1/environments/staging")
        _ = try first.client.request("PUT", "/v1/environments/staging")
        first.stop()

        let second = try RunningServer(directory: first.directory)
        defer { second.stop() }
        let client = TestHTTPClient(port: second.port, token: first.token)
        let defaultAgents = try Self.agents(client)
        #expect(defaultAgents["edge-1"]?["hostname"] as? String == "edge-1.internal")
        #expect(defaultAgents["edge-1"]?["applied_version"] as? Int == 1)
        let recreated = try client.request("GET", "/v1/environments/staging/agents").json()
        #expect((recreated["agents"] as? [[String: Any]])?.isEmpty == true, "\(recreated)")
    }
}
