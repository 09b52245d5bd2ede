import PolicyModel

/// Renders an environment's inbound policy as configuration for nginx's `http` context.
///
/// The file defines one variable, `$perimeter_denied`, that is `1` exactly when Perimeter would deny,
/// so a `server` block needs only `if ($perimeter_denied) { return 403; }`. It uses the realip module
/// (`set_real_ip_from`, `real_ip_header`, `real_ip_recursive on`), `geo` and `map`, all in Debian's nginx.
///
/// NOTE: two cases differ from Perimeter's own decision and cannot be expressed with these modules:
/// a malformed `X-Forwarded-For` entry makes Perimeter's client unknown (denied while the allowlist is
/// active), where nginx keeps the last trusted hop as the client; and nginx decodes every
/// percent-encoding in `$uri`, where Perimeter decodes only unreserved characters. The variable names
/// are fixed, so one `http` context can include the export of one environment only.
enum NginxExport {
    static func render(_ bundle: PublishedBundle) -> String {
        let policy = bundle.policy
        var lines = [
            "# Perimeter inbound policy for environment \"\(bundle.environment)\", version \(bundle.version),",
            "# issued \(bundle.issuedAt.rfc3339). Include it in nginx's http context and add to each server block:",
            "#     if ($perimeter_denied) { return 403; }",
            "",
        ]

        let proxies = policy.trustedProxies
        if proxies.isBehindProxy {
            lines.append("# The client address is the first untrusted hop of X-Forwarded-For, read from the right.")
            let sources = proxies.trustsAll ? ["0.0.0.0/0", "::/0"] : proxies.proxies.map(\.description)
            for source in sources { lines.append("set_real_ip_from \(source);") }
            if !sources.isEmpty {
                lines += ["real_ip_header X-Forwarded-For;", "real_ip_recursive on;"]
            }
        } else {
            lines.append("# Not behind a proxy: the client address is the peer, and X-Forwarded-For is ignored.")
        }
        lines.append("")

        let allowlist = policy.ipAllowlist
        lines.append("geo $perimeter_ip_allowed {")
        if allowlist.isActive {
            lines.append("    default 0;")
            for block in allowlist.blocks { lines.append("    \(block) 1;") }
        } else {
            lines.append("    # The allowlist is empty, so every client is allowed.")
            lines.append("    default 1;")
        }
        lines += ["}", ""]

        lines.append("map $uri $perimeter_path_exempt {")
        lines.append("    default 0;")
        for path in allowlist.exemptPaths {
            lines.append("    \"~\(exemptPattern(path))\" 1;")
        }
        lines += ["}", ""]

        lines += [
            "# Denied unless the client is allowed or the path is exempt.",
            "map \"$perimeter_ip_allowed$perimeter_path_exempt\" $perimeter_denied {",
            "    default 1;",
            "    \"~1\" 0;",
            "}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Returns a regular expression that matches the path and everything below it, on whole segments.
    static func exemptPattern(_ path: String) -> String {
        guard path != "/" else { return "^/" }
        var escaped = ""
        for character in path {
            if "\\.^$|?*+()[]{}".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return "^" + escaped + "(/|$)"
    }
}
