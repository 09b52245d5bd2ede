import Foundation

/// The fields of a policy bundle payload that a verifier checks, and the payload bytes themselves.
public struct BundleHeader: Sendable, Equatable {
    /// The environment the bundle belongs to, such as `prod`.
    public var environment: String

    /// The bundle version; versions of one environment start at 1 and increase by one per change.
    public var version: Int

    public var issuedAt: Date

    public var expiresAt: Date

    /// The signed payload, byte for byte as it was in the envelope.
    public var payload: [UInt8]

    /// The keys announced in `signing_keys`, in payload order, or none when the field is missing or empty.
    public var signingKeys: [AnnouncedSigningKey]

    public init(
        environment: String,
        version: Int,
        issuedAt: Date,
        expiresAt: Date,
        payload: [UInt8],
        signingKeys: [AnnouncedSigningKey] = []
    ) {
        self.environment = environment
        self.version = version
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.payload = payload
        self.signingKeys = signingKeys
    }

    /// Reads the header fields from a bundle payload.
    ///
    /// The payload must be a JSON object with a non-empty string `environment`, a positive integer
    /// `version`, and `issued_at` and `expires_at` as `yyyy-MM-ddTHH:mm:ssZ` with `expires_at` later than
    /// `issued_at`. `signing_keys` may be missing; when present it must be an array of valid key
    /// announcements (see `AnnouncedSigningKey.parse`). Other fields are left to the policy layer. Any
    /// failure throws `.malformedPayload`.
    public init(payload: [UInt8]) throws(VerificationError) {
        let fields: PayloadFields
        do {
            fields = try JSONDecoder().decode(PayloadFields.self, from: Data(payload))
        } catch let error as DecodingError {
            throw .malformedPayload(DecodingFailure.reason(for: error, document: "payload"))
        } catch {
            throw .malformedPayload("\(error)")
        }

        guard !fields.environment.isEmpty else {
            throw .malformedPayload("field environment is empty")
        }
        guard fields.version > 0 else {
            throw .malformedPayload("field version is \(fields.version) but must be a positive integer")
        }
        guard let issuedAt = UTCTimestamp.date(from: fields.issuedAt) else {
            throw .malformedPayload("field issued_at is not a UTC timestamp of the form 2024-05-01T12:00:00Z")
        }
        guard let expiresAt = UTCTimestamp.date(from: fields.expiresAt) else {
            throw .malformedPayload("field expires_at is not a UTC timestamp of the form 2024-05-01T12:00:00Z")
        }
        guard expiresAt > issuedAt else {
            throw .malformedPayload("field expires_at (\(fields.expiresAt)) is not later than issued_at "
                                    + "(\(fields.issuedAt))")
        }
        let signingKeys = try AnnouncedSigningKey.parse(fields.signingKeys ?? [])

        self.init(environment: fields.environment, version: fields.version, issuedAt: issuedAt,
                  expiresAt: expiresAt, payload: payload, signingKeys: signingKeys)
    }
}

/// The payload fields as JSON spells them.
///
/// `JSONDecoder` rejects `true` and `"1"` for `version` but reads `1.0` and `1e2` as the integers they
/// denote, which RFC 8259 leaves to the parser.
private struct PayloadFields: Decodable {
    var environment: String
    var version: Int
    var issuedAt: String
    var expiresAt: String

    /// Nil when the member is missing. A `null` is rejected like any other value that is not an array.
    var signingKeys: [SigningKeyFields]?

    private enum CodingKeys: String, CodingKey {
        case environment
        case version
        case issuedAt = "issued_at"
        case expiresAt = "expires_at"
        case signingKeys = "signing_keys"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        environment = try container.decode(String.self, forKey: .environment)
        do {
            version = try container.decode(Int.self, forKey: .version)
        } catch let error as DecodingError {
            throw error
        } catch {
            // For a number that is not an Int, such as 1.5 or 1e30, JSONDecoder (Swift 6.3 on Linux) throws an
            // internal error that reaches the caller as "not valid JSON", so the error is rebuilt to name the field.
            throw DecodingError.typeMismatch(
                Int.self, .init(codingPath: [CodingKeys.version], debugDescription: "not an integer"))
        }
        issuedAt = try container.decode(String.self, forKey: .issuedAt)
        expiresAt = try container.decode(String.self, forKey: .expiresAt)
        if container.contains(.signingKeys) {
            signingKeys = try container.decode([SigningKeyFields].self, forKey: .signingKeys)
        }
    }
}
