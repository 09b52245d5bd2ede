/// Who may reach the app: address blocks, plus paths that stay open to everyone (ingestion endpoints).
public struct IPAllowlist: Equatable, Sendable {
    /// Sorted and free of duplicates, so equal sets compare equal whatever order they were sent in.
    public private(set) var blocks: [CIDRBlock]
    /// Normalized paths, sorted and free of duplicates.
    public private(set) var exemptPaths: [String]

    public init(blocks: [CIDRBlock] = [], exemptPaths: [String] = []) {
        self.blocks = Array(Set(blocks)).sorted()
        self.exemptPaths = Array(Set(exemptPaths)).sorted()
    }

    /// An empty allowlist allows every client.
    public var isActive: Bool { !blocks.isEmpty }

    public static let maxEntries = 10_000
}

extension IPAllowlist {
    public init(json: JSONValue, at pointer: String = "") throws(ValidationFailure) {
        var reader = ObjectReader(json, at: pointer)
        let blocks = reader.strings("blocks", maxCount: IPAllowlist.maxEntries, PolicyFields.block)
        let paths = reader.strings("exempt_paths", maxCount: IPAllowlist.maxEntries, PolicyFields.exemptPath)
        reader.rejectUnknownMembers()
        guard reader.errors.isEmpty else { throw ValidationFailure(reader.errors) }
        self.init(blocks: blocks, exemptPaths: paths)
    }

    public var json: JSONValue {
        .object([
            ("blocks", .array(blocks.map { .string($0.description) })),
            ("exempt_paths", .array(exemptPaths.map { .string($0) })),
        ])
    }
}
