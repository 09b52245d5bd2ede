/// Who made a request, as authorization and the audit log see it.
///
/// A class with constant fields, because every request makes one and passes it along, and copying a struct of six
/// fields retained each of them every time.
public final class Actor: Sendable {
    public let tokenID: String?
    public let name: String
    /// The socket peer of the request, when it came over HTTP.
    public let peer: String?
    /// The client address resolved through Perimeter's own proxy settings.
    public let client: String?
    public let scopes: Set<Scope>
    /// The environments the token may reach; nil reaches every environment.
    public let environments: Set<String>?

    public init(tokenID: String?, name: String, peer: String?, client: String? = nil, scopes: Set<Scope>,
                environments: Set<String>?) {
        self.tokenID = tokenID
        self.name = name
        self.peer = peer
        self.client = client
        self.scopes = scopes
        self.environments = environments
    }

    /// Perimeter itself, for changes such as scheduled re-issues.
    public static let service = Actor(tokenID: nil, name: "perimeterd", peer: nil, scopes: [.admin], environments: nil)

    func has(_ scope: Scope) -> Bool { scopes.contains { $0.includes(scope) } }

    func reaches(_ environment: String) -> Bool { environments?.contains(environment) ?? true }
}
