extension BuiltInRanges {
    /// Renders docs/egress-ranges.md: every built-in denied block and name with its source, and the
    /// prefixes that are decided by the IPv4 address they carry.
    public static func markdown() -> String {
        var lines = [
            "# Built-in egress deny classes",
            "",
            "Generated from `BuiltInRanges` in `Sources/PolicyModel/Egress/BuiltInRanges.swift`; a test keeps",
            "this page equal to the table. Every block below is denied unless an `allow_ranges` entry at least as",
            "specific as the block covers the address (the most specific entry decides). Sources: the IANA",
            "[IPv4](https://www.iana.org/assignments/iana-ipv4-special-registry/) and",
            "[IPv6](https://www.iana.org/assignments/iana-ipv6-special-registry/) Special-Purpose Address",
            "Registries, which name the RFC given for each of their blocks, and vendor documents for metadata endpoints.",
            "",
            "IPv6 space that IANA has not allocated (outside `2000::/3` and the blocks below, such as `4000::/3`)",
            "is not denied, because a block such as `::/8` would also deny the NAT64 prefix `64:ff9b::/96`.",
            "",
            "## Address blocks",
            "",
            "| Block | Class | Name | Source |",
            "|---|---|---|---|",
        ]
        for range in ranges.sorted(by: { $0.block < $1.block }) {
            lines.append("| `\(range.block)` | \(range.rangeClass.rawValue) | \(range.name) | [\(range.source)](\(range.sourceURL)) |")
        }

        lines += [
            "",
            "## Host names",
            "",
            "Denied unless an `allow_hosts` entry at least as specific names them.",
            "",
            "| Name | Class | Source |",
            "|---|---|---|",
        ]
        for name in hostNames {
            lines.append("| `\(name.pattern)` | \(name.rangeClass.rawValue) | [\(name.source)](\(name.sourceURL)) |")
        }

        lines += [
            "",
            "## Prefixes that carry an IPv4 address",
            "",
            "An address in these prefixes must also pass as the IPv4 address it carries. The IPv4-compatible",
            "prefix and Teredo (inside `2001::/23`) are denied outright as well, so their carried address only",
            "matters once an `allow_ranges` entry opens them.",
            "",
            "| Prefix | Name | Source | IPv4 address |",
            "|---|---|---|---|",
        ]
        for prefix in translationPrefixes {
            lines.append("| `\(prefix.block)` | \(prefix.name) | \(prefix.source) | \(prefix.carried) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
