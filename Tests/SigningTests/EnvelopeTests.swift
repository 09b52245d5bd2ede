import Foundation
import Testing
@testable import Signing

@Suite struct EnvelopeTests {
    // MARK: - Pre-authentication encoding

    @Test func paeMatchesDSSEExample() {
        let encoding = Envelope.preAuthenticationEncoding(payloadType: "http://example.com/HelloWorld",
                                                          payload: [UInt8](utf8: "hello world"))

        #expect(encoding == [UInt8](utf8: "DSSEv1 29 http://example.com/HelloWorld 11 hello world"))
    }

    @Test func paeCountsUTF8BytesOfPayloadType() {
        let encoding = Envelope.preAuthenticationEncoding(payloadType: "application/vnd.café", payload: [0xff])

        #expect(encoding == [UInt8](utf8: "DSSEv1 21 application/vnd.café 1 ") + [0xff])
    }

    @Test func paeOfEmptyPayloadEndsWithSpace() {
        let encoding = Envelope.preAuthenticationEncoding(payloadType: "", payload: [])

        #expect(encoding == [UInt8](utf8: "DSSEv1 0  0 "))
    }

    // MARK: - Signing

    @Test func signsWithEachKeyInOrder() throws {
        let first = Ed25519PrivateKey()
        let second = Ed25519PrivateKey()
        let payload = [UInt8](utf8: "payload")

        let envelope = try Envelope.sign(payload: payload, payloadType: "text/plain", with: [first, second])

        #expect(envelope.payload == payload)
        #expect(envelope.payloadType == "text/plain")
        #expect(envelope.signatures.map(\.keyID) == [first.publicKey.keyID, second.publicKey.keyID])
        #expect(first.publicKey.isValidSignature(envelope.signatures[0].bytes, for: envelope.preAuthenticationEncoding))
        #expect(second.publicKey.isValidSignature(envelope.signatures[1].bytes,
                                                  for: envelope.preAuthenticationEncoding))
    }

    @Test func signingWithoutKeysThrows() {
        #expect(throws: SigningError.noSigningKeys) {
            try Envelope.sign(payload: [1], payloadType: "text/plain", with: [])
        }
    }

    // MARK: - Encoding

    @Test func encodesFieldsInFixedOrder() {
        let envelope = Envelope(payloadType: "application/vnd.perimeter.bundle+json",
                                payload: [UInt8](utf8: "hello"),
                                signatures: [.init(keyID: "k1", bytes: [0x00, 0x01]), .init(keyID: "k2", bytes: [])])

        let expected = #"{"payloadType":"application/vnd.perimeter.bundle+json","payload":"aGVsbG8=","#
            + #""signatures":[{"keyid":"k1","sig":"AAE="},{"keyid":"k2","sig":""}]}"#
        #expect(String(decoding: envelope.encoded(), as: UTF8.self) == expected)
    }

    @Test func encodesSameEnvelopeToSameBytes() throws {
        let envelope = try Envelope.sign(payload: BundleFixture.payload(), payloadType: Verifier.bundlePayloadType,
                                         with: [Ed25519PrivateKey()])

        #expect(envelope.encoded() == envelope.encoded())
        #expect(try Envelope(decoding: envelope.encoded()).encoded() == envelope.encoded())
    }

    @Test func escapesJSONStrings() throws {
        let payloadType = "a\"b\\c\nd\re\tf\u{01}g\u{1f}h/é😀"
        let envelope = Envelope(payloadType: payloadType, payload: [], signatures: [.init(keyID: "\"", bytes: [])])

        let text = String(decoding: envelope.encoded(), as: UTF8.self)

        #expect(text.hasPrefix(#"{"payloadType":"a\"b\\c\nd\re\tf\u0001g\u001fh/é😀","#))
        #expect(text.contains(#"{"keyid":"\"","sig":""}"#))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(envelope.encoded())) as? [String: Any])
        #expect(parsed["payloadType"] as? String == payloadType)
    }

    @Test func roundTripsArbitraryPayloadBytes() throws {
        for length in [0, 1, 2, 3, 4, 255, 1_000] {
            let envelope = Envelope(payloadType: "application/octet-stream",
                                    payload: SecureRandom.bytes(count: length),
                                    signatures: [.init(keyID: "id", bytes: SecureRandom.bytes(count: 64))])

            #expect(try Envelope(decoding: envelope.encoded()) == envelope, "payload of \(length) bytes")
        }
    }

    // MARK: - Decoding

    @Test func decodesDSSEFieldOrderWhitespaceAndUnknownFields() throws {
        let json = """
            {
              "payload": "aGVsbG8=",
              "payloadType": "text/plain",
              "signatures": [{"keyid": "k1", "sig": "AAE=", "comment": "ignored"}],
              "extension": {"any": [1, 2]}
            }
            """

        let envelope = try Envelope(decoding: Array(json.utf8))

        #expect(envelope == Envelope(payloadType: "text/plain", payload: [UInt8](utf8: "hello"),
                                     signatures: [.init(keyID: "k1", bytes: [0x00, 0x01])]))
    }

    @Test func decodesMissingOrNullKeyIDAsEmpty() throws {
        let json = #"{"payloadType":"t","payload":"","signatures":[{"sig":"AAE="},{"keyid":null,"sig":""}]}"#

        let envelope = try Envelope(decoding: Array(json.utf8))

        #expect(envelope.signatures == [.init(keyID: "", bytes: [0x00, 0x01]), .init(keyID: "", bytes: [])])
    }

    @Test func decodesURLSafeBase64() throws {
        let json = #"{"payloadType":"t","payload":"-_8","signatures":[{"keyid":"k","sig":"_-8="}]}"#

        let envelope = try Envelope(decoding: Array(json.utf8))

        #expect(envelope.payload == [0xfb, 0xff])
        #expect(envelope.signatures.first?.bytes == [0xff, 0xef])
    }

    @Test(arguments: [
        ("not JSON", "payload", "the envelope is not valid JSON"),
        ("array", "[]", "the envelope must be a JSON object"),
        ("missing payloadType", #"{"payload":"","signatures":[]}"#, "missing field payloadType"),
        ("missing payload", #"{"payloadType":"t","signatures":[]}"#, "missing field payload"),
        ("missing signatures", #"{"payloadType":"t","payload":""}"#, "missing field signatures"),
        ("payloadType as number", #"{"payloadType":1,"payload":"","signatures":[]}"#,
         "field payloadType must be a string"),
        ("payload null", #"{"payloadType":"t","payload":null,"signatures":[]}"#,
         "field payload is null but must be a string"),
        ("signatures as object", #"{"payloadType":"t","payload":"","signatures":{}}"#,
         "field signatures must be an array"),
        ("signature as string", #"{"payloadType":"t","payload":"","signatures":["AAE="]}"#,
         "field signatures[0] must be a JSON object"),
        ("missing sig", #"{"payloadType":"t","payload":"","signatures":[{"keyid":"k"}]}"#,
         "missing field signatures[0].sig"),
        ("keyid as number", #"{"payloadType":"t","payload":"","signatures":[{"keyid":7,"sig":""}]}"#,
         "field signatures[0].keyid must be a string"),
        ("payload not Base64", #"{"payloadType":"t","payload":"a b","signatures":[]}"#,
         "field payload is not valid Base64"),
        ("sig not Base64", #"{"payloadType":"t","payload":"","signatures":[{"sig":"AA=A"}]}"#,
         "field signatures[0].sig is not valid Base64"),
    ])
    func rejectsMalformedEnvelope(name: String, json: String, reason: String) {
        #expect(throws: VerificationError.malformedEnvelope(reason), "\(name)") {
            try Envelope(decoding: Array(json.utf8))
        }
    }
}
