/// Applies the settings of a self-hosted PostHog environment file to a policy.
///
/// Only the keys it recognizes change the policy, and only the parts they name: a file without
/// `ALLOWED_IP_BLOCKS` keeps the current allowlist. `DEBUG` and `TEST` set the app mode together
/// (a missing one counts as false), with test winning over debug as in the app itself.
/// `PERIMETER_EXEMPT_PATHS` (comma-separated) is Perimeter's own key for the exempt paths, which
/// PostHog's file has no setting for.
public enum DotenvImport {
    public static let recognizedKeys = [
        "ALLOWED_IP_BLOCKS", "TRUSTED_PROXIES", "TRUST_ALL_PROXIES", "IS_BEHIND_PROXY", "SECURE_COOKIES", "DEBUG", "TEST",
        "PERIMETER_EXEMPT_PATHS",
    ]

    public struct Outcome: Equatable, Sendable {
        public var policy: Policy
        /// The recognized keys found, in file order.
        public var applied: [String]
        /// Keys this import does not understand, in file order; they change nothing.
        public var ignored: [String]
    }

    public static func apply(_ entries: [DotenvEntry], to policy: Policy) throws(ValidationFailure) -> Outcome {
        var policy = policy
        var errors: [FieldError] = []
        var applied: [String] = []
        var ignored: [String] = []
        var appMode: (debug: Bool, test: Bool)?

        func boolean(_ entry: DotenvEntry) -> Bool? {
            guard let value = StrictBoolean.parse(entry.value) else {
                errors.append(FieldError(line: entry.line, key: entry.key, value: entry.value,
                                         detail: "expected one of \(StrictBoolean.accepted.joined(separator: ", ")) in any letter case"))
                return nil
            }
            return value
        }

        func blocks(_ entry: DotenvEntry) -> [CIDRBlock]? {
            var blocks: [CIDRBlock] = []
            var failed = false
            let items = entry.value.split(separator: ",", omittingEmptySubsequences: false)
            // An empty value means an empty list, not one empty entry.
            if items.count == 1, items[0].allSatisfy({ $0 == " " || $0 == "\t" }) { return [] }
            for item in items {
                let text = String(item.drop { $0 == " " || $0 == "\t" }.trimmingTrailingBlanks())
                do {
                    blocks.append(try PolicyFields.block(text))
                } catch var error {
                    error.line = entry.line
                    error.key = entry.key
                    errors.append(error)
                    failed = true
                }
            }
            return failed ? nil : blocks
        }

        func exemptPaths(_ entry: DotenvEntry) -> [String]? {
            guard !entry.value.isEmpty else { return [] }
            var paths: [String] = []
            var failed = false
            for item in entry.value.split(separator: ",", omittingEmptySubsequences: false) {
                do {
                    paths.append(try PolicyFields.exemptPath(String(item)))
                } catch var error {
                    error.line = entry.line
                    error.key = entry.key
                    errors.append(error)
                    failed = true
                }
            }
            return failed ? nil : paths
        }

        for entry in entries {
            guard recognizedKeys.contains(entry.key) else {
                ignored.append(entry.key)
                continue
            }
            applied.append(entry.key)
            switch entry.key {
            case "ALLOWED_IP_BLOCKS":
                if let blocks = blocks(entry) {
                    policy.ipAllowlist = IPAllowlist(blocks: blocks, exemptPaths: policy.ipAllowlist.exemptPaths)
                }
            case "TRUSTED_PROXIES":
                if let blocks = blocks(entry) {
                    let current = policy.trustedProxies
                    policy.trustedProxies = TrustedProxies(isBehindProxy: current.isBehindProxy,
                                                           trustsAll: current.trustsAll, proxies: blocks)
                }
            case "PERIMETER_EXEMPT_PATHS":
                if let paths = exemptPaths(entry) {
                    policy.ipAllowlist = IPAllowlist(blocks: policy.ipAllowlist.blocks, exemptPaths: paths)
                }
            case "TRUST_ALL_PROXIES":
                if let value = boolean(entry) { policy.trustedProxies.trustsAll = value }
            case "IS_BEHIND_PROXY":
                if let value = boolean(entry) { policy.trustedProxies.isBehindProxy = value }
            case "SECURE_COOKIES":
                if let value = boolean(entry) { policy.cookies.secure = value ? .on : .off }
            case "DEBUG":
                if let value = boolean(entry) { appMode = (value, appMode?.test ?? false) }
            case "TEST":
                if let value = boolean(entry) { appMode = (appMode?.debug ?? false, value) }
            default:
                break
            }
        }

        if let appMode {
            if appMode.test {
                policy.cookies.appMode = .test
            } else if appMode.debug {
                policy.cookies.appMode = .debug
            } else {
                policy.cookies.appMode = .production
            }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        return Outcome(policy: policy, applied: applied, ignored: ignored)
    }
}
