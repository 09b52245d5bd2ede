/// The destinations that egress denies unless the policy opens them: the IANA IPv4 and IPv6
/// Special-Purpose Address Registries, multicast, deprecated IPv6 scopes, cloud metadata endpoints,
/// and loopback and metadata host names.
///
/// The registries name one RFC per block; `source` repeats it. docs/egress-ranges.md is generated
/// from this table by `BuiltInRanges.markdown()`.
///
/// NOTE: IPv6 space that IANA has not allocated (outside `2000::/3` and the blocks below, such as
/// `4000::/3`) is not denied. Listing it would also deny the NAT64 prefix `64:ff9b::/96` inside `::/8`.
public enum BuiltInRanges {
    public static let ranges: [BuiltInRange] = ipv4 + ipv6 + metadata

    public static let hostNames: [BuiltInHostName] = [
        hostName("localhost", .loopback, "RFC 6761 section 6.3", url: rfcURL(6761)),
        hostName("*.localhost", .loopback, "RFC 6761 section 6.3", url: rfcURL(6761)),
        hostName("metadata.google.internal", .cloudMetadata, "Google Compute Engine: VM metadata",
                 url: "https://cloud.google.com/compute/docs/storing-retrieving-metadata"),
    ]

    /// Prefixes that carry an IPv4 address; an address in them is decided as that IPv4 address too.
    /// They are not denied themselves, except Teredo, which sits in `2001::/23`.
    static let translationPrefixes: [(block: String, name: String, source: String, carried: String)] = [
        ("::ffff:0:0/96", "IPv4-mapped address", "RFC 4291 section 2.5.5.2",
         "bits 96–127; the address is decided as the IPv4 address alone"),
        ("::/96", "IPv4-compatible address (deprecated)", "RFC 4291 section 2.5.5.1", "bits 96–127"),
        ("64:ff9b::/96", "IPv4-IPv6 translation (NAT64)", "RFC 6052", "bits 96–127"),
        ("2002::/16", "6to4", "RFC 3056", "bits 16–47"),
        ("2001::/32", "Teredo", "RFC 4380",
         "server in bits 32–63, client in bits 96–127 inverted (both are checked)"),
    ]

    // MARK: - IANA IPv4 Special-Purpose Address Registry, plus multicast

    private static let ipv4: [BuiltInRange] = [
        registry("0.0.0.0/8", .unspecified, "\"This network\"", rfc: 1122, section: "3.2.1.3"),
        registry("10.0.0.0/8", .privateUse, "Private-Use", rfc: 1918),
        registry("100.64.0.0/10", .sharedAddressSpace, "Shared Address Space", rfc: 6598),
        registry("127.0.0.0/8", .loopback, "Loopback", rfc: 1122, section: "3.2.1.3"),
        registry("169.254.0.0/16", .linkLocal, "Link Local", rfc: 3927),
        registry("172.16.0.0/12", .privateUse, "Private-Use", rfc: 1918),
        registry("192.0.0.0/24", .specialPurpose, "IETF Protocol Assignments", rfc: 6890, section: "2.1"),
        registry("192.0.0.0/29", .specialPurpose, "IPv4 Service Continuity Prefix", rfc: 7335),
        registry("192.0.0.8/32", .specialPurpose, "IPv4 dummy address", rfc: 7600),
        registry("192.0.0.9/32", .specialPurpose, "Port Control Protocol Anycast", rfc: 7723),
        registry("192.0.0.10/32", .specialPurpose, "Traversal Using Relays around NAT Anycast", rfc: 8155),
        registry("192.0.0.170/32", .specialPurpose, "NAT64/DNS64 Discovery", rfc: 8880),
        registry("192.0.0.171/32", .specialPurpose, "NAT64/DNS64 Discovery", rfc: 8880),
        registry("192.0.2.0/24", .documentation, "Documentation (TEST-NET-1)", rfc: 5737),
        registry("192.31.196.0/24", .specialPurpose, "AS112-v4", rfc: 7535),
        registry("192.52.193.0/24", .specialPurpose, "AMT", rfc: 7450),
        registry("192.88.99.0/24", .specialPurpose, "Deprecated (6to4 Relay Anycast)", rfc: 7526),
        registry("192.88.99.2/32", .specialPurpose, "6a44-relay anycast address", rfc: 6751),
        registry("192.168.0.0/16", .privateUse, "Private-Use", rfc: 1918),
        registry("192.175.48.0/24", .specialPurpose, "Direct Delegation AS112 Service", rfc: 7534),
        registry("198.18.0.0/15", .benchmarking, "Benchmarking", rfc: 2544),
        registry("198.51.100.0/24", .documentation, "Documentation (TEST-NET-2)", rfc: 5737),
        registry("203.0.113.0/24", .documentation, "Documentation (TEST-NET-3)", rfc: 5737),
        // Multicast is in the IPv4 address space registry rather than the special-purpose one.
        registry("224.0.0.0/4", .multicast, "Multicast (host group addresses)", rfc: 1112, section: "4"),
        registry("240.0.0.0/4", .reserved, "Reserved", rfc: 1112, section: "4"),
        registry("255.255.255.255/32", .broadcast, "Limited Broadcast", rfc: 919, section: "7"),
    ]

    // MARK: - IANA IPv6 Special-Purpose Address Registry, plus multicast and deprecated scopes

    private static let ipv6: [BuiltInRange] = [
        registry("::/128", .unspecified, "Unspecified Address", rfc: 4291, section: "2.5.2"),
        registry("::1/128", .loopback, "Loopback Address", rfc: 4291, section: "2.5.3"),
        registry("::/96", .specialPurpose, "IPv4-compatible address (deprecated)", rfc: 4291, section: "2.5.5.1"),
        registry("64:ff9b:1::/48", .specialPurpose, "IPv4-IPv6 Translation, local use", rfc: 8215),
        registry("100::/64", .specialPurpose, "Discard-Only Address Block", rfc: 6666),
        registry("100:0:0:1::/64", .specialPurpose, "Dummy IPv6 Prefix", rfc: 9780),
        registry("2001::/23", .specialPurpose, "IETF Protocol Assignments", rfc: 2928),
        registry("2001::/32", .specialPurpose, "Teredo", rfc: 4380),
        registry("2001:1::1/128", .specialPurpose, "Port Control Protocol Anycast", rfc: 7723),
        registry("2001:1::2/128", .specialPurpose, "Traversal Using Relays around NAT Anycast", rfc: 8155),
        registry("2001:1::3/128", .specialPurpose, "DNS-SD Service Registration Protocol Anycast", rfc: 9665),
        registry("2001:2::/48", .benchmarking, "Benchmarking", rfc: 5180),
        registry("2001:3::/32", .specialPurpose, "AMT", rfc: 7450),
        registry("2001:4:112::/48", .specialPurpose, "AS112-v6", rfc: 7535),
        registry("2001:10::/28", .specialPurpose, "Deprecated (previously ORCHID)", rfc: 4843),
        registry("2001:20::/28", .specialPurpose, "ORCHIDv2", rfc: 7343),
        registry("2001:30::/28", .specialPurpose, "Drone Remote ID Protocol Entity Tags (DETs) Prefix", rfc: 9374),
        registry("2001:db8::/32", .documentation, "Documentation", rfc: 3849),
        registry("2620:4f:8000::/48", .specialPurpose, "Direct Delegation AS112 Service", rfc: 7534),
        registry("3fff::/20", .documentation, "Documentation", rfc: 9637),
        registry("5f00::/16", .specialPurpose, "Segment Routing (SRv6) SIDs", rfc: 9602),
        registry("fc00::/7", .uniqueLocal, "Unique-Local", rfc: 4193),
        registry("fe80::/10", .linkLocal, "Link-Local Unicast", rfc: 4291, section: "2.5.6"),
        // Deprecated, so absent from the registry, but still routed inside some older networks.
        registry("fec0::/10", .siteLocal, "Site-local unicast (deprecated)", rfc: 3879),
        registry("ff00::/8", .multicast, "Multicast", rfc: 4291, section: "2.7"),
    ]

    // MARK: - Cloud metadata endpoints, which win over the broader blocks around them

    private static let metadata: [BuiltInRange] = [
        vendor("169.254.169.254/32", "Instance metadata service (IPv4)",
               "AWS EC2 user guide: retrieve instance metadata",
               url: "https://docs.amazonaws.cn/AWSEC2/latest/DeveloperGuide/instancedata-data-retrieval.html"),
        vendor("fd00:ec2::254/128", "Instance metadata service (IPv6)",
               "AWS EC2 user guide: retrieve instance metadata",
               url: "https://docs.amazonaws.cn/AWSEC2/latest/DeveloperGuide/instancedata-data-retrieval.html"),
        vendor("169.254.170.2/32", "Task metadata and credentials endpoint",
               "Amazon ECS task metadata endpoint version 2",
               url: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v2.html"),
        vendor("100.100.100.200/32", "Alibaba Cloud ECS instance metadata",
               "cloud-init: AliYun datasource",
               url: "https://github.com/canonical/cloud-init/blob/21.3/doc/rtd/topics/datasources/aliyun.rst"),
        vendor("168.63.129.16/32", "Azure WireServer (platform DNS, DHCP and agent channel)",
               "Azure: What is IP address 168.63.129.16?",
               url: "https://learn.microsoft.com/en-us/azure/virtual-network/what-is-ip-address-168-63-129-16"),
    ]

    // MARK: - Entry builders

    private static func registry(_ block: String, _ rangeClass: EgressRangeClass, _ name: String,
                                 rfc: Int, section: String? = nil) -> BuiltInRange {
        let source = section.map { "RFC \(rfc) section \($0)" } ?? "RFC \(rfc)"
        return BuiltInRange(block: constantBlock(block), rangeClass: rangeClass, name: name,
                            source: source, sourceURL: rfcURL(rfc))
    }

    private static func vendor(_ block: String, _ name: String, _ source: String, url: String) -> BuiltInRange {
        BuiltInRange(block: constantBlock(block), rangeClass: .cloudMetadata, name: name, source: source, sourceURL: url)
    }

    private static func hostName(_ pattern: String, _ rangeClass: EgressRangeClass, _ source: String,
                                 url: String) -> BuiltInHostName {
        do {
            return BuiltInHostName(pattern: try HostPattern(parsing: pattern), rangeClass: rangeClass,
                                   source: source, sourceURL: url)
        } catch {
            preconditionFailure("built-in host pattern \(pattern) is invalid: \(error)")
        }
    }

    private static func constantBlock(_ text: String) -> CIDRBlock {
        do {
            return try CIDRBlock(parsing: text)
        } catch {
            preconditionFailure("built-in block \(text) is invalid: \(error)")
        }
    }

    private static func rfcURL(_ number: Int) -> String { "https://www.rfc-editor.org/rfc/rfc\(number)" }
}
