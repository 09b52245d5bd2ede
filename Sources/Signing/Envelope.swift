/// A DSSE envelope: a payload, its type, and signatures over both.
///
/// Signatures cover the pre-authentication encoding (PAE) of the payload type and payload, as defined in
/// the DSSE protocol (https://github.com/secure-systems-lab/dsse, protocol.md), so `openssl pkeyutl
/// -verify -rawin` can check a signature against the PAE bytes.
public struct Envelope: Sendable, Equatable {
    /// One signature and the id of the key that made it.
    public struct Signature: Sendable, Equatable {
        /// The hex SHA-256 of the signer's DER public key. DSSE does not authenticate this field: it
        /// only selects which trusted key to check the signature with.
        public var keyID: String

        /// The 64-byte Ed25519 signature over the PAE.
        public var bytes: [UInt8]

        public init(keyID: String, bytes: [UInt8]) {
            self.keyID = keyID
            self.bytes = bytes
        }
    }

    /// The media type of `payload`, such as `application/vnd.perimeter.bundle+json`. It is signed together
    /// with the payload.
    public var payloadType: String

    public var payload: [UInt8]

    public var signatures: [Signature]

    public init(payloadType: String, payload: [UInt8], signatures: [Signature]) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    /// Returns the bytes that DSSE signs:
    /// `"DSSEv1" SP len(type) SP type SP len(payload) SP payload`, where SP is one space and each length
    /// is the ASCII decimal count of bytes (for the type, of its UTF-8 bytes).
    public static func preAuthenticationEncoding(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        var encoding = Array("DSSEv1 \(type.count) ".utf8)
        encoding.reserveCapacity(encoding.count + type.count + 22 + payload.count)
        encoding.append(contentsOf: type)
        encoding.append(contentsOf: Array(" \(payload.count) ".utf8))
        encoding.append(contentsOf: payload)
        return encoding
    }

    /// The PAE of this envelope's payload type and payload.
    public var preAuthenticationEncoding: [UInt8] {
        Self.preAuthenticationEncoding(payloadType: payloadType, payload: payload)
    }

    /// Signs `payload` with each of `keys`, in order, and returns the envelope.
    public static func sign(
        payload: [UInt8],
        payloadType: String,
        with keys: [Ed25519PrivateKey]
    ) throws(SigningError) -> Envelope {
        guard !keys.isEmpty else {
            throw .noSigningKeys
        }

        let encoding = preAuthenticationEncoding(payloadType: payloadType, payload: payload)
        var signatures = [Signature]()
        for key in keys {
            let bytes = try key.signature(for: encoding)
            signatures.append(Signature(keyID: key.publicKey.keyID, bytes: bytes))
        }
        return Envelope(payloadType: payloadType, payload: payload, signatures: signatures)
    }
}
