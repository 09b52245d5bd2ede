import COpenSSL

/// An Ed25519 public key, stored as plain bytes so that it is a `Sendable` value. An OpenSSL key object
/// is built for each verification and freed after it.
public struct Ed25519PublicKey: Sendable, Hashable {
    /// The length of an Ed25519 signature.
    public static let signatureByteCount = 64

    /// The 32-byte public key (RFC 8032 section 5.1.5).
    public let rawRepresentation: [UInt8]

    /// The SubjectPublicKeyInfo DER (RFC 8410) that `i2d_PUBKEY` writes: 44 bytes.
    public let derRepresentation: [UInt8]

    /// Creates a key from its 32 raw bytes.
    public init(rawRepresentation: [UInt8]) throws(SigningError) {
        guard rawRepresentation.count == Ed25519PrivateKey.keyByteCount else {
            throw .invalidKeyLength(kind: "Ed25519 public key", expected: Ed25519PrivateKey.keyByteCount,
                                    actual: rawRepresentation.count)
        }
        self.rawRepresentation = rawRepresentation
        self.derRepresentation = try Self.withKey(raw: rawRepresentation) { key throws(SigningError) in
            try Self.encodeSubjectPublicKeyInfo(key)
        }
    }

    /// Creates a key from SubjectPublicKeyInfo DER; any key type other than Ed25519 is rejected, and so
    /// are bytes after the DER structure.
    public init(derRepresentation: [UInt8]) throws(SigningError) {
        guard !derRepresentation.isEmpty else {
            throw .invalidKeyEncoding(reason: "the DER input is empty")
        }

        let parsed = derRepresentation.withUnsafeBufferPointer { der -> (key: OpaquePointer?, consumed: Int) in
            guard let start = der.baseAddress else {
                return (nil, 0)
            }
            // d2i_PUBKEY advances the cursor past the bytes it parsed.
            var cursor: UnsafePointer<UInt8>? = start
            let key = d2i_PUBKEY(nil, &cursor, der.count)
            return (key, cursor.map { $0 - start } ?? 0)
        }
        guard let key = parsed.key else {
            throw .invalidKeyEncoding(
                reason: "not a DER SubjectPublicKeyInfo (\(OpenSSLErrorQueue.takeFirstMessage()))")
        }
        defer { EVP_PKEY_free(key) }

        guard parsed.consumed == derRepresentation.count else {
            throw .invalidKeyEncoding(
                reason: "\(derRepresentation.count - parsed.consumed) bytes follow the SubjectPublicKeyInfo")
        }
        try self.init(ed25519Key: key)
    }

    /// Creates a key from a "-----BEGIN PUBLIC KEY-----" PEM block (RFC 7468), as
    /// `openssl pkey -pubout` prints it. Text before the block is skipped, as OpenSSL does.
    public init(pemRepresentation: String) throws(SigningError) {
        let text = Array(pemRepresentation.utf8)
        guard text.count <= Int(Int32.max) else {
            throw .inputTooLarge(byteCount: text.count, maximum: Int(Int32.max))
        }

        let parsed = text.withUnsafeBytes { buffer -> Result<OpaquePointer, SigningError> in
            // The memory BIO reads `text` in place, so it must not outlive this closure.
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else {
                return .failure(.openSSL("BIO_new_mem_buf"))
            }
            defer { BIO_free(bio) }

            guard let key = PEM_read_bio_PUBKEY(bio, nil, nil, nil) else {
                return .failure(.invalidKeyEncoding(
                    reason: "no readable PUBLIC KEY PEM block (\(OpenSSLErrorQueue.takeFirstMessage()))"))
            }
            return .success(key)
        }
        let key = try parsed.get()
        defer { EVP_PKEY_free(key) }

        try self.init(ed25519Key: key)
    }

    /// Creates a key from raw bytes that an OpenSSL Ed25519 key returned, so they are known to be valid.
    init(validatedRawRepresentation raw: [UInt8]) {
        do {
            try self.init(rawRepresentation: raw)
        } catch {
            // Only an allocation failure inside OpenSSL can reach this point.
            preconditionFailure("building an Ed25519 public key from 32 valid bytes failed: \(error)")
        }
    }

    /// Copies the raw bytes out of an `EVP_PKEY` after checking that it is an Ed25519 key.
    private init(ed25519Key key: OpaquePointer) throws(SigningError) {
        guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
            let name = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown"
            throw .invalidKeyEncoding(reason: "the key is of type \(name), not ED25519")
        }

        var raw = [UInt8](repeating: 0, count: Ed25519PrivateKey.keyByteCount)
        var length = raw.count
        let status = raw.withUnsafeMutableBufferPointer { buffer in
            EVP_PKEY_get_raw_public_key(key, buffer.baseAddress, &length)
        }
        guard status == 1 else {
            throw .openSSL("EVP_PKEY_get_raw_public_key")
        }
        guard length == Ed25519PrivateKey.keyByteCount else {
            throw .invalidKeyEncoding(reason: "the public key has \(length) bytes instead of 32")
        }
        try self.init(rawRepresentation: raw)
    }

    /// The key in a "-----BEGIN PUBLIC KEY-----" PEM block with 64-character lines and a final newline,
    /// byte for byte what `openssl pkey -pubout` prints.
    public var pemRepresentation: String {
        let body = Array(Base64.encode(derRepresentation).utf8)
        var lines = ["-----BEGIN PUBLIC KEY-----"]
        var start = 0
        while start < body.count {
            let end = min(start + 64, body.count)
            lines.append(String(decoding: body[start..<end], as: UTF8.self))
            start = end
        }
        lines.append("-----END PUBLIC KEY-----")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The key id used in envelopes: lower-case hex SHA-256 of `derRepresentation`.
    public var keyID: String {
        SHA256.hex(derRepresentation)
    }

    /// Returns whether `signature` is a valid pure Ed25519 signature of `message` by this key.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == Self.signatureByteCount else {
            return false
        }

        let verified = try? Self.withKey(raw: rawRepresentation) { key throws(SigningError) -> Bool in
            guard let context = EVP_MD_CTX_new() else {
                throw .openSSL("EVP_MD_CTX_new")
            }
            defer { EVP_MD_CTX_free(context) }

            guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else {
                throw .openSSL("EVP_DigestVerifyInit")
            }

            let status = signature.withUnsafeBufferPointer { signatureBuffer in
                message.withUnsafeBufferPointer { messageBuffer in
                    EVP_DigestVerify(context, signatureBuffer.baseAddress, signatureBuffer.count,
                                     messageBuffer.baseAddress, messageBuffer.count)
                }
            }
            return status == 1
        }

        // A signature that does not verify leaves entries in the error queue; they are not errors here.
        OpenSSLErrorQueue.clear()
        return verified ?? false
    }

    // MARK: - OpenSSL objects

    /// Runs `body` with a temporary `EVP_PKEY` for `raw`, freed when `body` returns.
    private static func withKey<Result>(
        raw: [UInt8],
        _ body: (OpaquePointer) throws(SigningError) -> Result
    ) throws(SigningError) -> Result {
        let created = raw.withUnsafeBufferPointer { buffer in
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, buffer.baseAddress, buffer.count)
        }
        guard let key = created else {
            throw .openSSL("EVP_PKEY_new_raw_public_key")
        }
        defer { EVP_PKEY_free(key) }

        return try body(key)
    }

    private static func encodeSubjectPublicKeyInfo(_ key: OpaquePointer) throws(SigningError) -> [UInt8] {
        let length = i2d_PUBKEY(key, nil)
        guard length > 0 else {
            throw .openSSL("i2d_PUBKEY")
        }

        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            // i2d_PUBKEY advances the cursor past what it wrote; `buffer.baseAddress` stays put.
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(key, &cursor)
        }
        guard written == length else {
            throw .openSSL("i2d_PUBKEY")
        }
        return der
    }
}
