import Foundation
import PolicyModel
import Signing

/// The active signing keys, opened from their sealed rows, and the announcements a bundle carries.
struct BundleSigner {
    var signingKeys: [Ed25519PrivateKey]
    var announcements: [SigningKeyAnnouncement]

    /// Signs `payload` and returns the envelope bytes to store and serve.
    func envelope(for payload: BundlePayload) throws -> [UInt8] {
        let envelope = try Envelope.sign(payload: payload.encoded(), payloadType: BundlePayload.payloadType,
                                         with: signingKeys)
        return envelope.encoded()
    }

    static func announcement(keyID: String, publicKeyDER: [UInt8], state: String) -> SigningKeyAnnouncement {
        SigningKeyAnnouncement(keyID: keyID, algorithm: "ed25519",
                               publicKeyDERBase64: Data(publicKeyDER).base64EncodedString(), state: state)
    }

    /// Returns the associated data that binds a sealed private key to its row, so a sealed key copied into
    /// another row does not open.
    static func sealingContext(keyID: String) -> [UInt8] { Array("perimeter signing key \(keyID)".utf8) }
}

extension PublishedBundle {
    /// Returns the strong entity tag of an envelope, its quoted SHA-256.
    static func etag(of envelope: [UInt8]) -> String { "\"\(SHA256.hex(envelope))\"" }
}
