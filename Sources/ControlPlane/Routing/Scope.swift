/// What a token may do. Broader scopes include narrower ones: `admin` includes everything,
/// `write` includes `read`, and `read` includes `poll`. `secrets` is separate: only `admin` includes it.
public enum Scope: String, CaseIterable, Sendable, Comparable {
    /// Bundles, signing keys and agent status reports.
    case poll
    /// Policies, exports, decisions, agents and the audit log of the token's environments.
    case read
    /// Changes to the policies of the token's environments.
    case write
    /// Secret key values and their changes.
    case secrets
    /// Everything, including tokens, environments and signing keys.
    case admin

    public static func < (lhs: Scope, rhs: Scope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Returns whether a token with this scope may do what `needed` allows.
    func includes(_ needed: Scope) -> Bool {
        switch (self, needed) {
        case (.admin, _): true
        case (.write, .write), (.write, .read), (.write, .poll): true
        case (.read, .read), (.read, .poll): true
        case (.poll, .poll): true
        case (.secrets, .secrets): true
        default: false
        }
    }
}
