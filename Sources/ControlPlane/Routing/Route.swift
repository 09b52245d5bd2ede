import PolicyModel

/// The API's routes, matched on raw path segments.
///
/// Environment names allow only `[a-z0-9-]`, so a percent-encoded segment can never name one and
/// paths are matched without decoding.
enum Route: Equatable {
    case health
    case environments
    case environment(String)
    case section(environment: String, Policy.Section)
    case importDotenv(environment: String)
    case bundle(environment: String)
    case bundleVersion(environment: String, version: Int)
    case signingKeys
    case metrics
    case clientDecision(environment: String)
    case egressDecision(environment: String)
    case export(environment: String, Export)

    enum Export: String, CaseIterable {
        case nginx
        case dotenv
        case smokescreen
        case smokescreenConfig = "smokescreen-config"
    }

    init?(path: String) {
        guard path.hasPrefix("/") else { return nil }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        switch segments.count {
        case 1 where segments[0] == "healthz":
            self = .health
        case 1 where segments[0] == "metrics":
            self = .metrics
        case 2 where segments[0] == "v1" && segments[1] == "environments":
            self = .environments
        case 2 where segments[0] == "v1" && segments[1] == "signing-keys":
            self = .signingKeys
        case 3 where segments[0] == "v1" && segments[1] == "environments":
            self = .environment(String(segments[2]))
        case 4 where segments[0] == "v1" && segments[1] == "environments" && EnvironmentName.isValid(segments[2]):
            let name = String(segments[2])
            switch segments[3] {
            case "ip-allowlist": self = .section(environment: name, .ipAllowlist)
            case "trusted-proxies": self = .section(environment: name, .trustedProxies)
            case "cookies": self = .section(environment: name, .cookies)
            case "egress": self = .section(environment: name, .egress)
            case "import": self = .importDotenv(environment: name)
            case "bundle": self = .bundle(environment: name)
            default: return nil
            }
        case 5 where segments[0] == "v1" && segments[1] == "environments" && EnvironmentName.isValid(segments[2]):
            let name = String(segments[2])
            switch (segments[3], segments[4]) {
            case ("bundles", let version):
                guard let version = Route.version(version) else { return nil }
                self = .bundleVersion(environment: name, version: version)
            case ("decisions", "client"): self = .clientDecision(environment: name)
            case ("decisions", "egress"): self = .egressDecision(environment: name)
            case ("exports", let format):
                guard let export = Export(rawValue: String(format)) else { return nil }
                self = .export(environment: name, export)
            default: return nil
            }
        default:
            return nil
        }
    }

    /// Methods the route answers; HEAD is allowed wherever GET is.
    var allowedMethods: [String] {
        switch self {
        case .health, .environments, .bundle, .bundleVersion, .signingKeys, .metrics, .export: ["GET", "HEAD"]
        case .clientDecision, .egressDecision: ["POST"]
        case .environment: ["GET", "HEAD", "PUT", "DELETE"]
        case .section: ["GET", "HEAD", "PUT"]
        case .importDotenv: ["POST"]
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
        case .importDotenv: "/v1/environments/{env}/import"
        case .bundle: "/v1/environments/{env}/bundle"
        case .bundleVersion: "/v1/environments/{env}/bundles/{version}"
        case .signingKeys: "/v1/signing-keys"
        case .clientDecision: "/v1/environments/{env}/decisions/client"
        case .egressDecision: "/v1/environments/{env}/decisions/egress"
        case let .export(_, format): "/v1/environments/{env}/exports/\(format.rawValue)"
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

    /// A decimal version without sign or leading zeros that fits in an `Int`.
    private static func version(_ segment: Substring) -> Int? {
        guard let first = segment.utf8.first, first != UInt8(ascii: "0"), segment.utf8.count <= 18,
              segment.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int(segment)
    }
}
