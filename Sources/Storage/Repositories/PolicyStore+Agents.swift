import PolicyModel

/// The latest report of one poller.
public struct AgentRecord: Equatable, Sendable {
    public var environment: String
    public var agentID: String
    public var hostname: String?
    public var appliedVersion: Int?
    public var lastError: String?
    public var lastReportAt: Timestamp
    public var peer: String?

    public init(environment: String, agentID: String, hostname: String?, appliedVersion: Int?, lastError: String?,
                lastReportAt: Timestamp, peer: String?) {
        self.environment = environment
        self.agentID = agentID
        self.hostname = hostname
        self.appliedVersion = appliedVersion
        self.lastError = lastError
        self.lastReportAt = lastReportAt
        self.peer = peer
    }
}

extension PolicyStore {
    public func saveAgentReport(_ agent: AgentRecord, environmentID: Int64) throws(StorageError) {
        func optional(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
        try connection.run("""
            INSERT INTO agents (environment_id, agent_id, hostname, applied_version, last_error, last_report_at, peer)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (environment_id, agent_id) DO UPDATE SET hostname = excluded.hostname,
                applied_version = excluded.applied_version, last_error = excluded.last_error,
                last_report_at = excluded.last_report_at, peer = excluded.peer
            """, [.integer(environmentID), .text(agent.agentID), optional(agent.hostname),
                  agent.appliedVersion.map { .integer(Int64($0)) } ?? .null, optional(agent.lastError),
                  .text(agent.lastReportAt.rfc3339), optional(agent.peer)])
    }

    /// Every agent of live environments, by environment and agent id.
    public func agents() throws(StorageError) -> [AgentRecord] {
        try connection.query("""
            SELECT e.name, a.agent_id, a.hostname, a.applied_version, a.last_error, a.last_report_at, a.peer
            FROM agents a JOIN environments e ON e.id = a.environment_id
            WHERE e.deleted_at IS NULL ORDER BY e.name, a.agent_id
            """).map { (row) throws(StorageError) in
            AgentRecord(environment: try row.text(0), agentID: try row.text(1), hostname: try row.optionalText(2),
                        appliedVersion: try row.optionalInteger(3).map(Int.init), lastError: try row.optionalText(4),
                        lastReportAt: try row.timestamp(5), peer: try row.optionalText(6))
        }
    }
}
