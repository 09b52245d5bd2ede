import COpenSSL

/// A 256-bit AES-GCM key that seals secrets at rest, such as signing keys and application secret keys.
///
/// Sealed data has the layout `version (1 byte, 0x01) ‖ nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`.
/// The ciphertext is as long as the plaintext. Each seal draws a fresh random nonce, so NIST SP 800-38D
/// (section 8.3) limits one key to 2^32 seals.
public struct SealingKey: Sendable {
    /// The key length in bytes.
    public static let byteCount = 32

    static let formatVersion: UInt8 = 0x01
    static let nonceByteCount = 12
    static let tagByteCount = 16
    static let overheadByteCount = 1 + nonceByteCount + tagByteCount

    /// The raw key. Treat it as a secret.
    public let bytes: [UInt8]

    /// Creates a key from exactly 32 bytes.
    public init(bytes: [UInt8]) throws(SigningError) {
        guard bytes.count == Self.byteCount else {
            throw .invalidKeyLength(kind: "sealing key", expected: Self.byteCount, actual: bytes.count)
        }
        self.bytes = bytes
    }

    /// Generates a key from OpenSSL's random generator.
    public static func generate() -> SealingKey {
        SealingKey(unchecked: SecureRandom.bytes(count: byteCount))
    }

    private init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Encrypts and authenticates `plaintext`, binding it to `associatedData`, and returns the sealed bytes.
    ///
    /// `associatedData` is not stored in the output, so `open` must be given the same bytes. Use it to tie
    /// a secret to where it is stored (for example a table name and row id), so that a sealed value copied
    /// to another row does not open.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) throws(SigningError) -> [UInt8] {
        let maximum = Int(Int32.max) - Self.overheadByteCount
        guard plaintext.count <= maximum else {
            throw .inputTooLarge(byteCount: plaintext.count, maximum: maximum)
        }
        guard associatedData.count <= Int(Int32.max) else {
            throw .inputTooLarge(byteCount: associatedData.count, maximum: Int(Int32.max))
        }

        let nonce = SecureRandom.bytes(count: Self.nonceByteCount)
        let context = try AESGCMContext(key: bytes, nonce: nonce, isEncrypting: true)
        try context.addAssociatedData(associatedData)
        let ciphertext = try context.update(plaintext)
        try context.finishEncryption()
        let tag = try context.tag()

        var sealed = [UInt8]()
        sealed.reserveCapacity(Self.overheadByteCount + ciphertext.count)
        sealed.append(Self.formatVersion)
        sealed.append(contentsOf: nonce)
        sealed.append(contentsOf: ciphertext)
        sealed.append(contentsOf: tag)
        return sealed
    }

    /// Checks and decrypts bytes that `seal` produced under this key and `associatedData`.
    ///
    /// Throws `SigningError.sealedDataRejected` for a wrong key, wrong associated data, truncated or altered
    /// input and an unknown format version, and never returns unauthenticated bytes. OpenSSL failures that
    /// do not depend on the input, such as a failed allocation, throw `.openSSLFailure`.
    public func open(_ sealed: [UInt8], associatedData: [UInt8]) throws(SigningError) -> [UInt8] {
        guard sealed.count >= Self.overheadByteCount, sealed[0] == Self.formatVersion else {
            throw .sealedDataRejected
        }
        // `seal` never produces more than Int32.max bytes.
        guard sealed.count <= Int(Int32.max), associatedData.count <= Int(Int32.max) else {
            throw .sealedDataRejected
        }

        let nonce = Array(sealed[1...Self.nonceByteCount])
        let ciphertext = Array(sealed[(1 + Self.nonceByteCount)..<(sealed.count - Self.tagByteCount)])
        let tag = Array(sealed.suffix(Self.tagByteCount))

        let context = try AESGCMContext(key: bytes, nonce: nonce, isEncrypting: false)
        try context.addAssociatedData(associatedData)
        var plaintext = try context.update(ciphertext)

        // Until the tag matches, the decrypted bytes are unauthenticated and must not leave this call.
        let isAuthentic: Bool
        do {
            try context.setExpectedTag(tag)
            isAuthentic = context.finishDecryption()
        } catch {
            AESGCMContext.zero(&plaintext)
            throw error
        }
        guard isAuthentic else {
            AESGCMContext.zero(&plaintext)
            throw .sealedDataRejected
        }
        return plaintext
    }
}

/// An AES-256-GCM `EVP_CIPHER_CTX` owned by one seal or open call and freed with it.
private final class AESGCMContext {
    private let context: OpaquePointer

    init(key: [UInt8], nonce: [UInt8], isEncrypting: Bool) throws(SigningError) {
        guard let context = EVP_CIPHER_CTX_new() else {
            throw .openSSL("EVP_CIPHER_CTX_new")
        }
        self.context = context

        let direction: Int32 = isEncrypting ? 1 : 0
        guard EVP_CipherInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil, direction) == 1 else {
            throw .openSSL("EVP_CipherInit_ex")
        }
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1 else {
            throw .openSSL("EVP_CIPHER_CTX_ctrl(EVP_CTRL_GCM_SET_IVLEN)")
        }
        let status = key.withUnsafeBufferPointer { keyBuffer in
            nonce.withUnsafeBufferPointer { nonceBuffer in
                EVP_CipherInit_ex(context, nil, nil, keyBuffer.baseAddress, nonceBuffer.baseAddress, direction)
            }
        }
        guard status == 1 else {
            throw .openSSL("EVP_CipherInit_ex")
        }
    }

    deinit {
        // EVP_CIPHER_CTX_free also wipes the expanded key.
        EVP_CIPHER_CTX_free(context)
    }

    /// Adds associated data. OpenSSL treats an update with a nil output buffer as associated data, not plaintext.
    func addAssociatedData(_ data: [UInt8]) throws(SigningError) {
        guard !data.isEmpty else {
            return
        }
        var outputLength: Int32 = 0
        let status = data.withUnsafeBufferPointer { input in
            EVP_CipherUpdate(context, nil, &outputLength, input.baseAddress, Int32(input.count))
        }
        guard status == 1 else {
            throw .openSSL("EVP_CipherUpdate")
        }
    }

    /// Encrypts or decrypts `input` in one call; GCM output is exactly as long as its input.
    func update(_ input: [UInt8]) throws(SigningError) -> [UInt8] {
        // An empty array may have a nil base address, and a nil output pointer would make OpenSSL treat
        // the call as associated data, so empty input skips the call.
        guard !input.isEmpty else {
            return []
        }

        var output = [UInt8](repeating: 0, count: input.count)
        var outputLength: Int32 = 0
        let status = output.withUnsafeMutableBufferPointer { outputBuffer in
            input.withUnsafeBufferPointer { inputBuffer in
                EVP_CipherUpdate(context, outputBuffer.baseAddress, &outputLength, inputBuffer.baseAddress,
                                 Int32(inputBuffer.count))
            }
        }
        guard status == 1, Int(outputLength) == input.count else {
            Self.zero(&output)
            throw .openSSL("EVP_CipherUpdate")
        }
        return output
    }

    /// Sets the tag that decryption must match; call before `finishDecryption`.
    func setExpectedTag(_ tag: [UInt8]) throws(SigningError) {
        var tag = tag
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tag.count), &tag) == 1 else {
            throw .openSSL("EVP_CIPHER_CTX_ctrl(EVP_CTRL_GCM_SET_TAG)")
        }
    }

    /// Completes an encryption so that `tag()` can be read.
    func finishEncryption() throws(SigningError) {
        guard callFinal() else {
            throw .openSSL("EVP_CipherFinal_ex")
        }
    }

    /// Completes a decryption and returns whether the tag matched.
    func finishDecryption() -> Bool {
        // Once a tag is set, OpenSSL 3.0 fails the final AES-GCM decryption call only when the tag does not match.
        let isAuthentic = callFinal()
        if !isAuthentic {
            OpenSSLErrorQueue.clear()
        }
        return isAuthentic
    }

    private func callFinal() -> Bool {
        // GCM is a stream mode, so the final call writes no bytes. The buffer is one AES block to honour
        // the documented contract of EVP_CipherFinal_ex all the same.
        var block = [UInt8](repeating: 0, count: 16)
        var outputLength: Int32 = 0
        return EVP_CipherFinal_ex(context, &block, &outputLength) == 1 && outputLength == 0
    }

    /// Returns the 16-byte tag after an encryption has finished.
    func tag() throws(SigningError) -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: SealingKey.tagByteCount)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tag.count), &tag) == 1 else {
            throw .openSSL("EVP_CIPHER_CTX_ctrl(EVP_CTRL_GCM_GET_TAG)")
        }
        return tag
    }

    static func zero(_ buffer: inout [UInt8]) {
        buffer.withUnsafeMutableBytes { bytes in
            OPENSSL_cleanse(bytes.baseAddress, bytes.count)
        }
    }
}
