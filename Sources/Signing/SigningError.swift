/// Errors from key handling, signing and sealing.
///
/// No case carries key material, plaintext or signature bytes, so a description is safe to log.
public enum SigningError: Error, Equatable, CustomStringConvertible {
    /// An OpenSSL call failed; `reason` is the first entry of OpenSSL's error queue for this thread.
    case openSSLFailure(call: String, reason: String)

    /// A key of the wrong size, such as a 31-byte Ed25519 seed or a 16-byte sealing key.
    case invalidKeyLength(kind: String, expected: Int, actual: Int)

    /// A DER or PEM public key that cannot be read, or one that is not an Ed25519 key.
    case invalidKeyEncoding(reason: String)

    /// `Envelope.sign` was called with an empty list of keys.
    case noSigningKeys

    /// An input that does not fit the 32-bit length that OpenSSL's cipher calls take.
    case inputTooLarge(byteCount: Int, maximum: Int)

    /// Sealed data that failed to open: wrong key, wrong associated data, truncated, altered, or of an
    /// unknown format version. All causes give this one error on purpose, so a caller cannot probe which
    /// check failed.
    case sealedDataRejected

    public var description: String {
        switch self {
        case .openSSLFailure(let call, let reason):
            "OpenSSL call \(call) failed: \(reason)"
        case .invalidKeyLength(let kind, let expected, let actual):
            "invalid \(kind) length: expected \(expected) bytes, got \(actual)"
        case .invalidKeyEncoding(let reason):
            "invalid public key encoding: \(reason)"
        case .noSigningKeys:
            "no signing keys given: an envelope needs at least one signature"
        case .inputTooLarge(let byteCount, let maximum):
            "input of \(byteCount) bytes is too large: the maximum is \(maximum) bytes"
        case .sealedDataRejected:
            "sealed data rejected: it was sealed under another key or associated data, or it is truncated or altered"
        }
    }
}
