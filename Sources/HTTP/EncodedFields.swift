/// Response fields checked and encoded once, for responses that all carry the same ones, such as every poll of
/// one bundle version. The encoder copies the bytes unchanged, ahead of the response's own `headers`.
public struct EncodedFields: Sendable, Equatable {
    /// `name: value` lines, each ending in CRLF.
    let bytes: [UInt8]
    /// Whether the fields include `Date`, in which case the server adds none.
    let includesDate: Bool

    /// Checks and encodes `headers` as the response encoder would, leaving out the fields the server sets itself;
    /// nil when the encoder would reject a field.
    public init?(_ headers: HTTPHeaders) {
        var bytes: [UInt8] = []
        var includesDate = false
        for (name, value) in headers {
            guard ResponseEncoder.isValidField(name, value) else { return nil }
            if ResponseEncoder.isServerField(name) { continue }
            if name.equalsIgnoringASCIICase("Date") { includesDate = true }
            bytes += name.utf8
            bytes += ": ".utf8
            bytes += value.utf8
            bytes += "\r\n".utf8
        }
        self.bytes = bytes
        self.includesDate = includesDate
    }
}
