import HTTP
import PolicyModel

extension ControlPlaneResponder {
    func getSection(_ section: Policy.Section, of environment: String,
                    respond: @escaping @Sendable (HTTPResponse) -> Void) {
        onWriter(respond) { _, store in
            guard let record = try store.environment(named: environment), record.deletedAt == nil else {
                throw Problem.environmentNotFound(environment)
            }
            let policy = try store.policy(ofEnvironment: record.id)
            return .json(ControlPlaneResponder.sectionDocument(section, of: policy, version: record.currentVersion))
        }
    }

    func putSection(_ section: Policy.Section, of environment: String, request: HTTPRequest, actor: Actor,
                    respond: @escaping @Sendable (HTTPResponse) -> Void) throws {
        let json = try request.jsonBody()
        onWriter(respond) { writer, _ in
            let (policy, outcome) = try writer.change(environment: environment, action: "\(section.rawValue).put",
                                                      by: actor) { policy in
                try policy.replace(section, with: json)
            }
            var document = ControlPlaneResponder.sectionDocument(section, of: policy, version: outcome.version)
            if case var .object(members) = document {
                members.append(("changed", .bool(outcome != .unchanged(version: outcome.version))))
                document = .object(members)
            }
            return .json(document)
        }
    }

    /// The section as configured, its derived values, and the version that carries it.
    static func sectionDocument(_ section: Policy.Section, of policy: Policy, version: Int) -> JSONValue {
        guard case var .object(members) = policy.json(of: section) else { return policy.json(of: section) }
        if section == .cookies {
            members.append(("effective_secure", .bool(policy.cookies.isSecureEffective)))
            members.append(("warnings", .array(policy.cookies.warnings.map { .string($0) })))
        }
        members.append(("version", .integer(version)))
        return .object(members)
    }
}
