/// Exempt paths arranged by segment, so a request path is matched in one pass over its segments.
///
/// An exempt path covers itself and every path below it on whole segments: `/capture` covers
/// `/capture` and `/capture/x`, not `/captures`. `/` covers every path.
struct ExemptPathTree: Sendable {
    /// The exempt path that ends at this node, as configured.
    private var exemptPath: String?
    private var children: [String: ExemptPathTree] = [:]

    /// Builds the tree. Each path is normalized like a request path, so a path that was not normalized
    /// still matches what it would match after normalization.
    init(_ paths: [String]) {
        for path in paths {
            insert(path, segments: RequestPath.segments(of: path)[...])
        }
    }

    private init() {}

    private mutating func insert(_ path: String, segments: ArraySlice<String>) {
        guard let first = segments.first else {
            exemptPath = exemptPath ?? path
            return
        }
        children[first, default: ExemptPathTree()].insert(path, segments: segments.dropFirst())
    }

    /// Returns the shortest exempt path that covers the normalized `segments`, or nil when none does.
    func match(_ segments: [String]) -> String? {
        var node = self
        for segment in segments {
            if let exemptPath = node.exemptPath { return exemptPath }
            guard let child = node.children[segment] else { return nil }
            node = child
        }
        return node.exemptPath
    }
}
