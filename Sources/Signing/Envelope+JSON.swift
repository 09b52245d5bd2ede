import Foundation

// MARK: - Encoding

extension Envelope {
    /// Returns the envelope as compact JSON with the fields in a fixed order:
    /// `{"payloadType":…,"payload":…,"signatures":[{"keyid":…,"sig":…}]}`.
    ///
    /// The output depends only on the envelope, so equal envelopes give equal bytes.
    /// Binary fields use standard Base64 with padding.
    public func encoded() -> [UInt8] {
        var json = Array(#"{"payloadType":"#.utf8)
        JSONText.appendString(payloadType, to: &json)
        json.append(contentsOf: Array(#","payload":"#.utf8))
        JSONText.appendString(Base64.encode(payload), to: &json)
        json.append(contentsOf: Array(#","signatures":["#.utf8))

        for (index, signature) in signatures.enumerated() {
            if index > 0 {
                json.append(UInt8(ascii: ","))
            }
            json.append(contentsOf: Array(#"{"keyid":"#.utf8))
            JSONText.appendString(signature.keyID, to: &json)
            json.append(contentsOf: Array(#","sig":"#.utf8))
            JSONText.appendString(Base64.encode(signature.bytes), to: &json)
            json.append(UInt8(ascii: "}"))
        }

        json.append(contentsOf: Array("]}".utf8))
        return json
    }
}

// MARK: - Decoding

extension Envelope {
    /// Parses a JSON envelope.
    ///
    /// `payloadType`, `payload`, `signatures` and each signature's `sig` are required. A missing or null
    /// `keyid` reads as the empty string, as DSSE specifies, and unknown fields are ignored. Base64 may
    /// use the standard or the URL-safe alphabet. Anything else throws `.malformedEnvelope` with the
    /// field at fault. There is no size limit here, so the caller bounds the input it reads.
    public init(decoding bytes: [UInt8]) throws(VerificationError) {
        let wire: WireEnvelope
        do {
            wire = try JSONDecoder().decode(WireEnvelope.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw .malformedEnvelope(DecodingFailure.reason(for: error, document: "envelope"))
        } catch {
            throw .malformedEnvelope("\(error)")
        }

        guard let payload = Base64.decode(wire.payload) else {
            throw .malformedEnvelope("field payload is not valid Base64")
        }

        var signatures = [Signature]()
        for (index, signature) in wire.signatures.enumerated() {
            guard let bytes = Base64.decode(signature.sig) else {
                throw .malformedEnvelope("field signatures[\(index)].sig is not valid Base64")
            }
            signatures.append(Signature(keyID: signature.keyid ?? "", bytes: bytes))
        }

        self.init(payloadType: wire.payloadType, payload: payload, signatures: signatures)
    }
}

/// The envelope as JSON spells it; field names follow DSSE.
private struct WireEnvelope: Decodable {
    struct WireSignature: Decodable {
        var keyid: String?
        var sig: String
    }

    var payloadType: String
    var payload: String
    var signatures: [WireSignature]
}
