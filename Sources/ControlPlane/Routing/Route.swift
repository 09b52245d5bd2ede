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

    init?(path: String) {
        guard path.hasPrefix("/") else { return nil }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        switch segments.count {
        case 1 where segments[0] == "healthz":
            self = .health
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
            case "import": self = .importDotenv(environment: name)
            case "bundle": self = .bundle(environment: name)
            default: return nil
            }
        case 5 where segments[0] == "v1" && segments[1] == "environments" && EnvironmentName.isValid(segments[2])
            && segments[3] == "bundles":
            guard let version = Route.version(segments[4]) else { return nil }
            self = .bundleVersion(environment: String(segments[2]), version: version)
        default:
            return nil
        }
    }

    /// Methods the route answers; HEAD is allowed wherever GET is.
    var allowedMethods: [String] {
        switch self {
        case .health, .environments, .bundle, .bundleVersion, .signingKeys: ["GET", "HEAD"]
        case .environment: ["GET", "HEAD", "PUT", "DELETE"]
        case .section: ["GET", "HEAD", "PUT"]
        case .importDotenv: ["POST"]
        }
    }

    /// A decimal version without sign or leading zeros that fits in an `Int`.
    private static func version(_ segment: Substring) -> Int? {
        guard let first = segment.utf8.first, first != UInt8(ascii: "0"), segment.utf8.count <= 18,
              segment.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int(segment)
    }
}
