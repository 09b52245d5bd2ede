import PolicyModel
import Storage
import Synchronization

/// The latest report of every poller, in memory, so that listings and metrics read no database rows.
final class AgentRegistry: Sendable {
    private let agents = Mutex<[String: [String: AgentRecord]]>([:])

    func load(_ records: [AgentRecord]) {
        agents.withLock { agents in
            for record in records { agents[record.environment, default: [:]][record.agentID] = record }
        }
    }

    func record(_ agent: AgentRecord) {
        agents.withLock { $0[agent.environment, default: [:]][agent.agentID] = agent }
    }

    func removeEnvironment(_ environment: String) {
        _ = agents.withLock { $0.removeValue(forKey: environment) }
    }

    /// Returns the agents of one environment, by id.
    func agents(of environment: String) -> [AgentRecord] {
        agents.withLock { ($0[environment] ?? [:]).values.sorted { $0.agentID < $1.agentID } }
    }

    /// Returns every agent, by environment and id.
    func all() -> [AgentRecord] {
        agents.withLock { $0.values.flatMap(\.values) }.sorted { ($0.environment, $0.agentID) < ($1.environment, $1.agentID) }
    }
}

/// The state of an agent compared with the current version of its environment.
enum AgentState: String, CaseIterable {
    /// It reported the current version recently.
    case current
    /// It reported recently, an older version and no error.
    case lagging
    /// Its latest report carries an error.
    case failing
    /// It has not reported within the stale interval.
    case stale

    init(_ agent: AgentRecord, currentVersion: Int, now: Timestamp, staleAfter: Int64) {
        if agent.lastReportAt.adding(seconds: staleAfter) < now {
            self = .stale
        } else if agent.lastError != nil {
            self = .failing
        } else if let applied = agent.appliedVersion, applied >= currentVersion {
            self = .current
        } else {
            self = .lagging
        }
    }
}
