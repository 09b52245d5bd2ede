import PolicyModel

/// Renders an environment's policy in the dotenv form of a self-hosted PostHog.
///
/// Importing the output into an empty environment gives the same policy: `SECURE_COOKIES` is left
/// out when it is `auto`, since the app then derives it from `DEBUG` and `TEST` just as Perimeter
/// does, and exempt paths travel in `PERIMETER_EXEMPT_PATHS`, which PostHog ignores.
enum DotenvExport {
    /// `secretKeys` adds the app's `SECRET_KEY` (the active key) and `SECRET_KEY_FALLBACKS`
    /// (verify-only keys, newest first); nil leaves both out.
    static func render(_ bundle: PublishedBundle, secretKeys: SecretKeyValues?) -> String {
        let policy = bundle.policy
        let proxies = policy.trustedProxies
        let cookies = policy.cookies
        var lines = [
            "# Perimeter policy for environment \"\(bundle.environment)\", version \(bundle.version), "
                + "issued \(bundle.issuedAt.rfc3339).",
            "ALLOWED_IP_BLOCKS=" + policy.ipAllowlist.blocks.map(\.description).joined(separator: ","),
            "TRUSTED_PROXIES=" + proxies.proxies.map(\.description).joined(separator: ","),
            "TRUST_ALL_PROXIES=\(proxies.trustsAll)",
            "IS_BEHIND_PROXY=\(proxies.isBehindProxy)",
        ]
        switch cookies.secure {
        case .auto: lines.append("# SECURE_COOKIES is left out: it follows DEBUG and TEST.")
        case .on: lines.append("SECURE_COOKIES=true")
        case .off: lines.append("SECURE_COOKIES=false")
        }
        lines.append("DEBUG=\(cookies.appMode == .debug)")
        lines.append("TEST=\(cookies.appMode == .test)")
        lines.append("PERIMETER_EXEMPT_PATHS=" + policy.ipAllowlist.exemptPaths.joined(separator: ","))
        if let secretKeys {
            if let active = secretKeys.active { lines.append("SECRET_KEY=\(active)") }
            lines.append("SECRET_KEY_FALLBACKS=" + secretKeys.verifyOnly.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
