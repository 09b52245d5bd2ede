import HTTP
import PolicyModel

extension ControlPlaneResponder {
    /// The environments the token reaches; a token limited to some environments gets only those.
    func listEnvironments(for actor: Actor) -> HTTPResponse {
        let visible = snapshot.all().filter { actor.reaches($0.environment) }
        return .json(.object([("environments", .array(visible.map(ControlPlaneResponder.summary(of:))))]))
    }

    /// Renders the metrics. A token limited to some environments gets the gauges of those environments only.
    func renderMetrics(for actor: Actor) -> HTTPResponse {
        let bundles = snapshot.all().filter { actor.reaches($0.environment) }
        let now = writer.clock.now()
        var agentCounts: [String: [AgentState: Int]] = [:]
        for agent in agents.all() where actor.reaches(agent.environment) {
            let current = bundles.first { $0.environment == agent.environment }?.version ?? 0
            let state = AgentState(agent, currentVersion: current, now: now, staleAfter: agentStaleAfter)
            agentCounts[agent.environment, default: [:]][state, default: 0] += 1
        }
        let text = metrics.render(openConnections: openConnections(), parkedPolls: snapshot.parkedPollCount,
                                  bundles: bundles, agents: agentCounts)
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain; version=0.0.4")]),
                            body: Array(text.utf8))
    }

    func showEnvironment(_ name: String) throws(Problem) -> HTTPResponse {
        guard let bundle = snapshot.current(name) else { throw Problem.environmentNotFound(name) }
        return .json(ControlPlaneResponder.summary(of: bundle))
    }

    func createEnvironment(_ name: String, request: HTTPRequest, actor: Actor,
                           respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        guard EnvironmentName.isValid(name) else {
            throw Problem.validation(ValidationFailure([FieldError(
                pointer: nil, key: "name", value: name,
                detail: "environment names are 1 to 63 characters of a-z, 0-9 and \"-\", starting with a letter or digit")]))
        }
        // The body is optional; when present it must be an empty JSON object, leaving room for settings later.
        if !request.body.isEmpty {
            var reader = ObjectReader(try request.jsonBody())
            reader.rejectUnknownMembers()
            guard reader.errors.isEmpty else { throw Problem.validation(ValidationFailure(reader.errors)) }
        }
        onWriter(respond) { writer, _ in
            let created = try writer.createEnvironment(named: name, by: actor)
            guard let bundle = writer.snapshot.current(name) else { throw Problem.environmentNotFound(name) }
            return .json(ControlPlaneResponder.summary(of: bundle), status: created ? 201 : 200,
                         headers: created ? [("Location", "/v1/environments/\(name)")] : [])
        }
    }

    func deleteEnvironment(_ name: String, actor: Actor, respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        guard name != EnvironmentName.defaultName else {
            throw Problem(status: 409, slug: "default-environment", title: "Cannot delete the default environment",
                          detail: "the default environment always exists; clear its policy instead")
        }
        onWriter(respond) { [agents] writer, _ in
            guard try writer.deleteEnvironment(named: name, by: actor) else { throw Problem.environmentNotFound(name) }
            agents.removeEnvironment(name)
            return HTTPResponse(status: 204)
        }
    }

    static func summary(of bundle: PublishedBundle) -> JSONValue {
        .object([
            ("name", .string(bundle.environment)),
            ("version", .integer(bundle.version)),
            ("published_at", .string(bundle.issuedAt.rfc3339)),
            ("expires_at", .string(bundle.expiresAt.rfc3339)),
            ("etag", .string(bundle.etag)),
        ])
    }
}
