import COpenSSL

/// An Ed25519 signing key (RFC 8032) held by OpenSSL.
///
/// The class owns its `EVP_PKEY` and frees it in `deinit`. The key is never changed after `init`, and
/// OpenSSL 3 allows concurrent signing with one unchanged `EVP_PKEY`, so sharing across tasks is safe.
public final class Ed25519PrivateKey: @unchecked Sendable {
    /// The length of a seed and of a public key.
    public static let keyByteCount = 32

    private let key: OpaquePointer

    /// Generates a new key from OpenSSL's random generator.
    ///
    /// Traps if OpenSSL cannot generate a key. That happens only when OpenSSL cannot allocate memory or
    /// seed its random generator, and a process without a usable key cannot sign anything.
    public init() {
        do {
            key = try Self.generateKey()
        } catch {
            preconditionFailure("Ed25519 key generation failed: \(error)")
        }
    }

    /// Creates a key from its 32-byte seed (the RFC 8032 private key).
    public init(rawRepresentation: [UInt8]) throws(SigningError) {
        guard rawRepresentation.count == Self.keyByteCount else {
            throw .invalidKeyLength(kind: "Ed25519 private key", expected: Self.keyByteCount,
                                    actual: rawRepresentation.count)
        }

        let created = rawRepresentation.withUnsafeBufferPointer { seed in
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed.baseAddress, seed.count)
        }
        guard let created else {
            throw .openSSL("EVP_PKEY_new_raw_private_key")
        }
        key = created
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// The 32-byte seed. Treat the copy as a secret: seal it before storing it.
    public var rawRepresentation: [UInt8] {
        var seed = [UInt8](repeating: 0, count: Self.keyByteCount)
        var length = seed.count
        let status = seed.withUnsafeMutableBufferPointer { buffer in
            EVP_PKEY_get_raw_private_key(key, buffer.baseAddress, &length)
        }
        // An Ed25519 key from either init always has a 32-byte seed, so a failure here is a bug.
        precondition(status == 1 && length == Self.keyByteCount,
                     "EVP_PKEY_get_raw_private_key failed: \(OpenSSLErrorQueue.takeFirstMessage())")
        return seed
    }

    /// The matching public key.
    public var publicKey: Ed25519PublicKey {
        var raw = [UInt8](repeating: 0, count: Self.keyByteCount)
        var length = raw.count
        let status = raw.withUnsafeMutableBufferPointer { buffer in
            EVP_PKEY_get_raw_public_key(key, buffer.baseAddress, &length)
        }
        precondition(status == 1 && length == Self.keyByteCount,
                     "EVP_PKEY_get_raw_public_key failed: \(OpenSSLErrorQueue.takeFirstMessage())")
        return Ed25519PublicKey(validatedRawRepresentation: raw)
    }

    /// Signs `message` with pure Ed25519 and returns the 64-byte signature.
    ///
    /// Ed25519 hashes the message itself, so the digest passed to OpenSSL is nil and the whole message
    /// goes to one `EVP_DigestSign` call, as OpenSSL requires for this algorithm.
    public func signature(for message: [UInt8]) throws(SigningError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            throw .openSSL("EVP_MD_CTX_new")
        }
        defer { EVP_MD_CTX_free(context) }

        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else {
            throw .openSSL("EVP_DigestSignInit")
        }

        var signature = [UInt8](repeating: 0, count: Ed25519PublicKey.signatureByteCount)
        var signatureLength = signature.count
        let status = signature.withUnsafeMutableBufferPointer { output in
            message.withUnsafeBufferPointer { input in
                EVP_DigestSign(context, output.baseAddress, &signatureLength, input.baseAddress, input.count)
            }
        }
        guard status == 1 else {
            throw .openSSL("EVP_DigestSign")
        }
        guard signatureLength == Ed25519PublicKey.signatureByteCount else {
            throw .openSSLFailure(call: "EVP_DigestSign",
                                  reason: "returned a \(signatureLength)-byte signature instead of 64 bytes")
        }
        return signature
    }

    private static func generateKey() throws(SigningError) -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else {
            throw .openSSL("EVP_PKEY_CTX_new_id")
        }
        defer { EVP_PKEY_CTX_free(context) }

        guard EVP_PKEY_keygen_init(context) == 1 else {
            throw .openSSL("EVP_PKEY_keygen_init")
        }

        var generated: OpaquePointer?
        guard EVP_PKEY_keygen(context, &generated) == 1, let generated else {
            throw .openSSL("EVP_PKEY_keygen")
        }
        return generated
    }
}
