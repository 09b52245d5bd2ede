/// Whether a request may reach the app, with the client it came from and the reason.
public struct InboundDecision: Equatable, Sendable {
    /// The client address, or nil when it is unknown.
    public let client: IPAddress?
    public let allowed: Bool
    /// Whether the request was allowed only because its path is exempt.
    public let exempt: Bool
    /// The most specific allowlist block that contains the client, when that block allowed the request.
    public let matchedBlock: CIDRBlock?
    /// The configured exempt path that covers the request path, when the path is exempt.
    public let exemptPath: String?
    /// How the client address was found.
    public let resolution: ClientResolution
    /// A sentence that says why the request is allowed or denied, naming the client, block or path.
    public let reason: String
}
