/// A class of built-in denied destinations, as decisions and reports name it.
public enum EgressRangeClass: String, CaseIterable, Sendable {
    case unspecified
    case loopback
    case privateUse = "private"
    case sharedAddressSpace = "shared address space"
    case linkLocal = "link-local"
    /// Instance metadata and other cloud platform endpoints that hand out credentials or configuration.
    case cloudMetadata = "cloud metadata"
    case uniqueLocal = "unique-local"
    case siteLocal = "site-local"
    case documentation
    case benchmarking
    case multicast
    case reserved
    case broadcast
    /// Every other entry of the IANA IPv4 and IPv6 Special-Purpose Address Registries.
    case specialPurpose = "special purpose"
}

/// One built-in denied block, with the registry or vendor document that assigns it.
public struct BuiltInRange: Sendable {
    public let block: CIDRBlock
    public let rangeClass: EgressRangeClass
    /// The name the source gives the block, such as `Private-Use` or `AS112-v4`.
    public let name: String
    /// The defining document, such as `RFC 1918` or `Azure: What is IP address 168.63.129.16?`.
    public let source: String
    public let sourceURL: String

    /// The matched-rule text that decisions report, such as `class private (RFC 1918)`.
    public var matchedText: String { "class \(rangeClass.rawValue) (\(source))" }
}

/// One built-in denied host name or family of names.
public struct BuiltInHostName: Sendable {
    public let pattern: HostPattern
    public let rangeClass: EgressRangeClass
    public let source: String
    public let sourceURL: String

    public var matchedText: String { "class \(rangeClass.rawValue) (\(source))" }
}
