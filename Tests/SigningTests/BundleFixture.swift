import Foundation
@testable import Signing

/// Bundle payloads and envelopes for verifier tests, all relative to one fixed clock.
enum BundleFixture {
    /// 2024-05-01T12:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_714_564_800)

    static func payload(
        environment: String = "prod",
        version: Int = 1,
        issuedAt: String = "2024-05-01T11:00:00Z",
        expiresAt: String = "2024-05-02T12:00:00Z",
        extra: String = ""
    ) -> [UInt8] {
        let json = #"{"environment":"\#(environment)","version":\#(version),"issued_at":"\#(issuedAt)","#
            + #""expires_at":"\#(expiresAt)","ip_allowlist":[]\#(extra)}"#
        return Array(json.utf8)
    }

    static func envelope(
        _ payload: [UInt8],
        signedBy keys: [Ed25519PrivateKey],
        payloadType: String = Verifier.bundlePayloadType
    ) throws -> [UInt8] {
        try Envelope.sign(payload: payload, payloadType: payloadType, with: keys).encoded()
    }
}
