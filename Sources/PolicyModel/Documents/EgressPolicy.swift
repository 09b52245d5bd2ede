/// The egress rules of one environment: host and range rules on top of the built-in deny classes.
///
/// `EgressDecider` applies a policy; its documentation gives the order of checks. The JSON form is
/// `{"mode": "enforce", "allow_hosts": ["hooks.slack.com", "*.zapier.com"], "deny_hosts": [],
/// "allow_ranges": [], "deny_ranges": ["198.51.100.0/24"], "unlisted_hosts": "allow"}`, every member
/// optional. Lists are kept sorted and free of duplicates, so equal policies encode to equal bytes.
public struct EgressPolicy: Equatable, Sendable {
    public enum Mode: String, CaseIterable, Sendable {
        /// Deny what the rules deny.
        case enforce
        /// Allow every destination, and report the ones that `enforce` would deny.
        case report
    }

    /// The verdict on a name on neither host list, and on an address literal outside `allow_ranges`.
    public enum UnlistedHosts: String, CaseIterable, Sendable {
        case allow
        case deny
    }

    public var mode: Mode
    public var unlistedHosts: UnlistedHosts
    /// Sorted by text and free of duplicates.
    public private(set) var allowHosts: [HostPattern]
    public private(set) var denyHosts: [HostPattern]
    /// Sorted and free of duplicates.
    public private(set) var allowRanges: [CIDRBlock]
    public private(set) var denyRanges: [CIDRBlock]

    /// The default policy: enforce, allow unlisted hosts, no rules beyond the built-in deny classes.
    public init(mode: Mode = .enforce, unlistedHosts: UnlistedHosts = .allow, allowHosts: [HostPattern] = [],
                denyHosts: [HostPattern] = [], allowRanges: [CIDRBlock] = [], denyRanges: [CIDRBlock] = []) {
        self.mode = mode
        self.unlistedHosts = unlistedHosts
        self.allowHosts = Array(Set(allowHosts)).sorted()
        self.denyHosts = Array(Set(denyHosts)).sorted()
        self.allowRanges = Array(Set(allowRanges)).sorted()
        self.denyRanges = Array(Set(denyRanges)).sorted()
    }

    /// The maximum number of entries in each list.
    public static let maxEntries = 10_000
}

// MARK: - JSON

extension EgressPolicy {
    public init(json: JSONValue, at pointer: String = "") throws(ValidationFailure) {
        var reader = ObjectReader(json, at: pointer)
        let mode = EgressPolicy.choice("mode", default: Mode.enforce, from: &reader)
        let unlistedHosts = EgressPolicy.choice("unlisted_hosts", default: UnlistedHosts.allow, from: &reader)
        let allowHosts = reader.strings("allow_hosts", maxCount: EgressPolicy.maxEntries) { (text) throws(FieldError) in
            try EgressPolicy.hostRule(text, isAllowList: true)
        }
        let denyHosts = reader.strings("deny_hosts", maxCount: EgressPolicy.maxEntries) { (text) throws(FieldError) in
            try EgressPolicy.hostRule(text, isAllowList: false)
        }
        let allowRanges = reader.strings("allow_ranges", maxCount: EgressPolicy.maxEntries, PolicyFields.block)
        let denyRanges = reader.strings("deny_ranges", maxCount: EgressPolicy.maxEntries, PolicyFields.block)
        reader.rejectUnknownMembers()

        // An entry in both lists of a pair has no meaning that an operator could rely on.
        reader.record(EgressPolicy.entriesAlsoIn(Set(allowHosts), listName: "allow_hosts", member: "deny_hosts",
                                                 of: json, at: pointer) { try? HostPattern(parsing: $0) })
        reader.record(EgressPolicy.entriesAlsoIn(Set(allowRanges), listName: "allow_ranges", member: "deny_ranges",
                                                 of: json, at: pointer) { try? CIDRBlock(parsing: $0) })
        guard reader.errors.isEmpty else { throw ValidationFailure(reader.errors) }

        self.init(mode: mode, unlistedHosts: unlistedHosts, allowHosts: allowHosts, denyHosts: denyHosts,
                  allowRanges: allowRanges, denyRanges: denyRanges)
    }

    /// The stored and published form, with every member present.
    public var json: JSONValue {
        .object([
            ("mode", .string(mode.rawValue)),
            ("allow_hosts", .array(allowHosts.map { .string($0.description) })),
            ("deny_hosts", .array(denyHosts.map { .string($0.description) })),
            ("allow_ranges", .array(allowRanges.map { .string($0.description) })),
            ("deny_ranges", .array(denyRanges.map { .string($0.description) })),
            ("unlisted_hosts", .string(unlistedHosts.rawValue)),
        ])
    }

    /// A string member that must be one of the raw values of `Choice`.
    private static func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, default defaultValue: Choice, from reader: inout ObjectReader
    ) -> Choice where Choice.RawValue == String {
        guard let (value, fieldPointer) = reader.optional(key) else { return defaultValue }
        if case let .string(text) = value, let choice = Choice(rawValue: text) { return choice }
        let expected = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
        reader.record(FieldError(pointer: fieldPointer, value: value.encodedString, detail: "expected \(expected)"))
        return defaultValue
    }

    /// Parses one host rule. A wildcard over a single label is rejected in `allow_hosts` only, because it
    /// would open a whole top-level domain. In `deny_hosts` it is a reasonable rule.
    static func hostRule(_ text: String, isAllowList: Bool) throws(FieldError) -> HostPattern {
        do throws(HostNameError) {
            let pattern = try HostPattern(parsing: text)
            if isAllowList, pattern.kind == .subdomains, !pattern.name.contains(".") {
                throw .wildcardOverTopLevelDomain(text)
            }
            return pattern
        } catch {
            var detail = error.description
            if case let .addressInHostList(address, _) = error {
                detail = HostNameError.addressInHostList(address, list: isAllowList ? "allow_ranges" : "deny_ranges")
                    .description
            }
            throw FieldError(value: text, detail: detail)
        }
    }

    /// Errors for the elements of `member` that parse to a value already in `listed`.
    private static func entriesAlsoIn<Value: Hashable>(
        _ listed: Set<Value>, listName: String, member: String, of json: JSONValue, at pointer: String,
        parse: (String) -> Value?
    ) -> [FieldError] {
        guard case let .array(elements)? = json[member] else { return [] }
        var errors: [FieldError] = []
        for (index, element) in elements.enumerated() {
            guard case let .string(text) = element, let value = parse(text), listed.contains(value) else { continue }
            let elementPointer = JSONPointer.appending(index, to: JSONPointer.appending(member, to: pointer))
            errors.append(FieldError(pointer: elementPointer, value: text,
                                     detail: "\"\(text)\" is also in \(listName); keep it in one list"))
        }
        return errors
    }
}
