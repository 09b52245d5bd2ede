/// Whether a request may reach the app, with the client it came from and the reason.
public struct InboundDecision: Equatable, Sendable {
    /// The step of `InboundDecider` that settled the request.
    public enum Outcome: Equatable, Sendable {
        /// The request path is covered by an exempt path: allowed for every client.
        case exemptPath
        /// The allowlist has no blocks: allowed for every client.
        case allowlistEmpty
        /// The client is unknown while the allowlist has blocks: denied.
        case unknownClient
        /// An allowlist block contains the client: allowed.
        case blockMatched
        /// No allowlist block contains the client: denied.
        case noBlockMatched
    }

    public let outcome: Outcome
    /// The resolution of the client address, with its own outcome and reason.
    public let resolution: ClientResolution
    /// The most specific allowlist block that contains the client, when that block allowed the request.
    public let matchedBlock: CIDRBlock?
    /// The configured exempt path that covers the request path, when the path is exempt.
    public let exemptPath: String?

    init(_ outcome: Outcome, resolution: ClientResolution, matchedBlock: CIDRBlock? = nil, exemptPath: String? = nil) {
        self.outcome = outcome
        self.resolution = resolution
        self.matchedBlock = matchedBlock
        self.exemptPath = exemptPath
    }

    /// The client address, or nil when it is unknown.
    public var client: IPAddress? { resolution.client }

    public var allowed: Bool {
        switch outcome {
        case .exemptPath, .allowlistEmpty, .blockMatched: true
        case .unknownClient, .noBlockMatched: false
        }
    }

    /// Whether the request was allowed because its path is exempt, whatever its client.
    public var exempt: Bool { outcome == .exemptPath }

    /// A sentence that explains why the request is allowed or denied, naming the client, block or exempt path.
    ///
    /// It is built on each read, so that requests whose reason is never logged do not pay for it.
    public var reason: String {
        switch outcome {
        case .exemptPath:
            "the request path is covered by exempt path \(exemptPath ?? "?"), so every client is allowed"
        case .allowlistEmpty:
            "allowlist is empty, so every client is allowed"
        case .unknownClient:
            "\(resolution.reason). An unknown client is denied while the allowlist has blocks"
        case .blockMatched:
            "client \(clientText) is allowed by allowlist block \(matchedBlock.map(\.description) ?? "?")"
        case .noBlockMatched:
            "client \(clientText) is denied because no allowlist block contains it"
        }
    }

    private var clientText: String { client.map(\.description) ?? "unknown" }
}
