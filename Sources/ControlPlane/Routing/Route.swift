import Glibc
import HTTP
import PolicyModel

/// The API's routes, matched on raw path segments.
///
/// Environment names allow only `[a-z0-9-]`, so a percent-encoded segment can never name one and
/// paths are matched without decoding.
enum Route: Equatable {
    case health
    case metrics
    case environments
    case environment(String)
    case section(environment: String, Policy.Section)
    case policy(environment: String)
    case importDotenv(environment: String)
    case rollback(environment: String)
    case bundle(environment: String)
    case bundles(environment: String)
    case bundleVersion(environment: String, version: Int)
    case clientDecision(environment: String)
    case egressDecision(environment: String)
    case export(environment: String, Export)
    case agents(environment: String)
    case agentStatus(environment: String, agentID: String)
    case secretKeys(environment: String)
    case currentSecretKey(environment: String)
    case rotateSecretKey(environment: String)
    case secretKey(environment: String, id: String)
    case signingKeys
    case rotateSigningKey
    case tokens
    case token(id: String)
    case audit

    enum Export: String, CaseIterable {
        case nginx
        case dotenv
        case smokescreen
        case smokescreenConfig = "smokescreen-config"
    }

    init?(path: String) {
        guard path.hasPrefix("/") else { return nil }
        if let environment = Route.pollEnvironment(in: path) {
            self = .bundle(environment: environment)
            return
        }
        // Substrings, not Strings: this runs on every request, the poll path included.
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        switch segments.count {
        case 1:
            switch segments[0] {
            case "healthz": self = .health
            case "metrics": self = .metrics
            default: return nil
            }
        case 2 where segments[0] == "v1":
            switch segments[1] {
            case "environments": self = .environments
            case "signing-keys": self = .signingKeys
            case "tokens": self = .tokens
            case "audit": self = .audit
            default: return nil
            }
        case 3 where segments[0] == "v1":
            switch (segments[1], segments[2]) {
            case ("environments", let name): self = .environment(String(name))
            case ("signing-keys", "rotate"): self = .rotateSigningKey
            case ("tokens", let id) where Route.isIdentifier(id): self = .token(id: String(id))
            default: return nil
            }
        case 4... where segments[0] == "v1" && segments[1] == "environments" && EnvironmentName.isValid(segments[2]):
            guard let route = Route(environment: String(segments[2]), rest: segments[3...]) else { return nil }
            self = route
        default:
            return nil
        }
    }

    /// Routes below `/v1/environments/{env}/`.
    private init?(environment name: String, rest: ArraySlice<Substring>) {
        let rest = Array(rest)
        switch rest.count {
        case 1:
            switch rest[0] {
            case "ip-allowlist": self = .section(environment: name, .ipAllowlist)
            case "trusted-proxies": self = .section(environment: name, .trustedProxies)
            case "cookies": self = .section(environment: name, .cookies)
            case "egress": self = .section(environment: name, .egress)
            case "policy": self = .policy(environment: name)
            case "import": self = .importDotenv(environment: name)
            case "rollback": self = .rollback(environment: name)
            case "bundle": self = .bundle(environment: name)
            case "bundles": self = .bundles(environment: name)
            case "agents": self = .agents(environment: name)
            case "secret-keys": self = .secretKeys(environment: name)
            default: return nil
            }
        case 2:
            switch (rest[0], rest[1]) {
            case ("bundles", let version):
                guard let version = Route.version(version) else { return nil }
                self = .bundleVersion(environment: name, version: version)
            case ("decisions", "client"): self = .clientDecision(environment: name)
            case ("decisions", "egress"): self = .egressDecision(environment: name)
            case ("exports", let format):
                guard let export = Export(rawValue: String(format)) else { return nil }
                self = .export(environment: name, export)
            case ("secret-keys", "current"): self = .currentSecretKey(environment: name)
            case ("secret-keys", "rotate"): self = .rotateSecretKey(environment: name)
            case ("secret-keys", let id) where Route.isIdentifier(id): self = .secretKey(environment: name, id: String(id))
            default: return nil
            }
        case 3 where rest[0] == "agents" && rest[2] == "status" && Route.isIdentifier(rest[1]):
            self = .agentStatus(environment: name, agentID: String(rest[1]))
        default:
            return nil
        }
    }

    /// Methods the route accepts; HEAD is allowed wherever GET is.
    var allowedMethods: [String] {
        switch self {
        case .health, .metrics, .environments, .bundle, .bundles, .bundleVersion, .signingKeys, .export, .agents,
             .currentSecretKey, .audit:
            ["GET", "HEAD"]
        case .environment: ["GET", "HEAD", "PUT", "DELETE"]
        case .section, .policy: ["GET", "HEAD", "PUT"]
        case .importDotenv, .rollback, .clientDecision, .egressDecision, .agentStatus, .rotateSecretKey,
             .rotateSigningKey:
            ["POST"]
        case .secretKeys, .tokens: ["GET", "HEAD", "POST"]
        case .secretKey, .token: ["DELETE"]
        }
    }

    /// The environment the route belongs to, for tokens limited to some environments.
    var environment: String? {
        switch self {
        case let .environment(name): name
        case let .section(name, _), let .policy(name), let .importDotenv(name), let .rollback(name), let .bundle(name),
             let .bundles(name), let .bundleVersion(name, _), let .clientDecision(name), let .egressDecision(name),
             let .export(name, _), let .agents(name), let .agentStatus(name, _), let .secretKeys(name),
             let .currentSecretKey(name), let .rotateSecretKey(name), let .secretKey(name, _):
            name
        case .health, .metrics, .environments, .signingKeys, .rotateSigningKey, .tokens, .token, .audit: nil
        }
    }

    /// Returns the scope a request needs, or nil for routes open without a token.
    func requiredScope(method: String) -> Scope? {
        let reads = method == "GET" || method == "HEAD"
        switch self {
        case .health: return nil
        case .bundle, .bundleVersion, .signingKeys, .agentStatus: return .poll
        case .metrics, .environments, .bundles, .agents, .audit, .clientDecision, .egressDecision, .export:
            return .read
        case .environment: return reads ? .read : .admin
        case .section, .policy: return reads ? .read : .write
        case .importDotenv, .rollback: return .write
        case .secretKeys: return reads ? .read : .secrets
        case .currentSecretKey, .rotateSecretKey, .secretKey: return .secrets
        case .rotateSigningKey, .tokens, .token: return .admin
        }
    }

    /// The route's path template, the label that metrics and logs use instead of the raw path.
    var template: String {
        switch self {
        case .health: "/healthz"
        case .metrics: "/metrics"
        case .environments: "/v1/environments"
        case .environment: "/v1/environments/{name}"
        case .section(_, .ipAllowlist): "/v1/environments/{env}/ip-allowlist"
        case .section(_, .trustedProxies): "/v1/environments/{env}/trusted-proxies"
        case .section(_, .cookies): "/v1/environments/{env}/cookies"
        case .section(_, .egress): "/v1/environments/{env}/egress"
        case .policy: "/v1/environments/{env}/policy"
        case .importDotenv: "/v1/environments/{env}/import"
        case .rollback: "/v1/environments/{env}/rollback"
        case .bundle: "/v1/environments/{env}/bundle"
        case .bundles: "/v1/environments/{env}/bundles"
        case .bundleVersion: "/v1/environments/{env}/bundles/{version}"
        case .clientDecision: "/v1/environments/{env}/decisions/client"
        case .egressDecision: "/v1/environments/{env}/decisions/egress"
        case let .export(_, format): "/v1/environments/{env}/exports/\(format.rawValue)"
        case .agents: "/v1/environments/{env}/agents"
        case .agentStatus: "/v1/environments/{env}/agents/{agent_id}/status"
        case .secretKeys: "/v1/environments/{env}/secret-keys"
        case .currentSecretKey: "/v1/environments/{env}/secret-keys/current"
        case .rotateSecretKey: "/v1/environments/{env}/secret-keys/rotate"
        case .secretKey: "/v1/environments/{env}/secret-keys/{id}"
        case .signingKeys: "/v1/signing-keys"
        case .rotateSigningKey: "/v1/signing-keys/rotate"
        case .tokens: "/v1/tokens"
        case .token: "/v1/tokens/{id}"
        case .audit: "/v1/audit"
        }
    }

    /// Routes that stay open to every client when Perimeter's own allowlist is active, as ingestion
    /// paths stay open in the app it protects: pollers must always reach their bundles and keys.
    var isOpenToEveryClient: Bool {
        switch self {
        case .health, .bundle, .bundleVersion, .signingKeys: true
        default: false
        }
    }

    /// Returns the environment of a `/v1/environments/{env}/bundle` path, read without splitting the path,
    /// because edge proxies poll that route far more often than all others together.
    private static func pollEnvironment(in path: String) -> String? {
        let prefix: StaticString = "/v1/environments/"
        let suffix: StaticString = "/bundle"
        return path.withUTF8Bytes { bytes in
            let nameStart = prefix.utf8CodeUnitCount
            let nameEnd = bytes.count - suffix.utf8CodeUnitCount
            guard nameEnd > nameStart, let base = bytes.baseAddress,
                  memcmp(base, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0,
                  memcmp(base + nameEnd, suffix.utf8Start, suffix.utf8CodeUnitCount) == 0
            else { return nil }
            let name = UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd])
            guard EnvironmentName.isValid(utf8: name) else { return nil }
            return String(decoding: name, as: UTF8.self)
        }
    }

    /// A decimal version without sign or leading zeros that fits in an `Int`.
    private static func version(_ segment: Substring) -> Int? {
        guard let first = segment.utf8.first, first != UInt8(ascii: "0"), segment.utf8.count <= 18,
              segment.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int(segment)
    }

    /// Ids of tokens, agents and keys: 1 to 128 characters of letters, digits, `.`, `_` and `-`.
    static func isIdentifier(_ text: some StringProtocol) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 128 else { return false }
        return text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}
