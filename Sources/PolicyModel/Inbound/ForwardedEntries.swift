/// The entries of `X-Forwarded-For` from right to left, split lazily so entries left of the client are never read.
///
/// Repeated header lines form one list in wire order (RFC 9110 section 5.3), so the last line is read
/// first and each line is split at commas from its end. An empty line, or an empty element between
/// commas, yields an empty entry, which the resolver treats as malformed.
struct ForwardedEntriesFromRight: IteratorProtocol {
    private let lines: [String]
    private var nextLineIndex: Int
    /// The unread part of the current line, or nil when the line is used up.
    private var unread: Substring?

    init(_ lines: [String]) {
        self.lines = lines
        self.nextLineIndex = lines.count - 1
    }

    mutating func next() -> Substring? {
        if unread == nil {
            guard nextLineIndex >= 0 else { return nil }
            unread = Substring(lines[nextLineIndex])
            nextLineIndex -= 1
        }

        let text = unread!
        // Splitting on UTF-8 bytes, because a comma followed by a combining mark is one Character.
        guard let comma = text.utf8.lastIndex(of: UInt8(ascii: ",")) else {
            unread = nil
            return text
        }
        unread = text[..<comma]
        return text[text.utf8.index(after: comma)...]
    }
}
