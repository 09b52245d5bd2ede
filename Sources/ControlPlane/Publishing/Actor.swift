/// Who made a change, as the audit log records it.
public struct Actor: Sendable, Equatable {
    public var tokenID: String?
    public var name: String
    /// The socket peer of the request, when the change came over HTTP.
    public var peer: String?

    public init(tokenID: String?, name: String, peer: String?) {
        self.tokenID = tokenID
        self.name = name
        self.peer = peer
    }

    /// Perimeter itself, for changes such as scheduled re-issues.
    public static let service = Actor(tokenID: nil, name: "perimeterd", peer: nil)
}
