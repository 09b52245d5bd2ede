import HTTP
import PolicyModel
import Storage

extension ControlPlaneResponder {
    /// Records what a poller applied, or why it failed.
    func reportAgentStatus(_ environment: String, agentID: String, request: HTTPRequest, actor: Actor,
                           respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        var reader = ObjectReader(try request.jsonBody())
        var appliedVersion: Int?
        var lastError: String?
        var hostname: String?
        if let (value, pointer) = reader.optional("applied_version") {
            switch value {
            case .null: break
            case let .number(literal) where Int(literal).map({ $0 >= 0 }) == true: appliedVersion = Int(literal)
            default: reader.record(FieldError(pointer: pointer, value: value.encodedString, detail: "expected a version number or null"))
            }
        }
        for (key, limit) in [("error", 1_024), ("hostname", 253)] {
            guard let (value, pointer) = reader.optional(key) else { continue }
            switch value {
            case .null: continue
            case let .string(text) where text.utf8.count <= limit:
                if key == "error" { lastError = text } else { hostname = text }
            default:
                reader.record(FieldError(pointer: pointer, value: String(value.encodedString.prefix(64)),
                                         detail: "expected a string of at most \(limit) bytes, or null"))
            }
        }
        reader.rejectUnknownMembers()
        guard reader.errors.isEmpty else { throw Problem.validation(ValidationFailure(reader.errors)) }
        guard let bundle = snapshot.current(environment) else { throw Problem.environmentNotFound(environment) }
        let applied = appliedVersion

        let agent = AgentRecord(environment: environment, agentID: agentID, hostname: hostname,
                                appliedVersion: appliedVersion, lastError: lastError,
                                lastReportAt: writer.clock.now(), peer: actor.client ?? actor.peer)
        onWriter(respond) { [agents] _, store in
            guard let record = try store.environment(named: environment), record.deletedAt == nil else {
                throw Problem.environmentNotFound(environment)
            }
            try store.saveAgentReport(agent, environmentID: record.id)
            agents.record(agent)
            return .json(.object([
                ("agent_id", .string(agentID)),
                ("current_version", .integer(bundle.version)),
                ("lag", applied.map { .integer(max(0, bundle.version - $0)) } ?? .null),
            ]))
        }
    }

    func listAgents(of environment: String, respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        guard let bundle = snapshot.current(environment) else { throw Problem.environmentNotFound(environment) }
        let now = writer.clock.now()
        let entries = agents.agents(of: environment).map { agent -> JSONValue in
            let state = AgentState(agent, currentVersion: bundle.version, now: now, staleAfter: agentStaleAfter)
            return .object([
                ("agent_id", .string(agent.agentID)),
                ("hostname", agent.hostname.map { .string($0) } ?? .null),
                ("applied_version", agent.appliedVersion.map { .integer($0) } ?? .null),
                ("lag", agent.appliedVersion.map { .integer(max(0, bundle.version - $0)) } ?? .null),
                ("last_error", agent.lastError.map { .string($0) } ?? .null),
                ("last_report_at", .string(agent.lastReportAt.rfc3339)),
                ("peer", agent.peer.map { .string($0) } ?? .null),
                ("state", .string(state.rawValue)),
                ("stale", .bool(state == .stale)),
            ])
        }
        respond(.json(.object([("current_version", .integer(bundle.version)), ("agents", .array(entries))])))
    }
}
