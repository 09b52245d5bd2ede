import HTTP
import PolicyModel
import Signing
import Synchronization

/// Checks bearer tokens against the SHA-256 digests of the tokens in the database.
///
/// The presented token is hashed and compared with every stored digest in constant time, so the
/// response time reveals nothing about how much of a token was right. Last-used times are kept in
/// memory and written to the database in batches, so a request never waits for a write.
final class TokenAuthenticator: Sendable {
    struct Credential: Sendable {
        var id: String
        var name: String
        var digest: [UInt8]
        var scopes: Set<Scope>
        var environments: Set<String>?
    }

    private struct State {
        var credentials: [Credential] = []
        var lastUsed: [String: Timestamp] = [:]
    }

    private let state = Mutex(State())

    func replaceCredentials(_ new: [Credential]) {
        state.withLock { $0.credentials = new }
    }

    /// Returns the actor behind the request's bearer token, or nil when it has none or an unknown one.
    func authenticate(_ request: HTTPRequest, now: Timestamp) -> Actor? {
        let fields = request.headers["Authorization"]
        guard fields.count == 1, let digest = Self.bearerTokenDigest(in: fields[0]) else { return nil }
        let match: Credential? = state.withLock { state in
            var found: Credential?
            for credential in state.credentials where ConstantTime.equals(credential.digest, digest) {
                found = credential
            }
            if let found { state.lastUsed[found.id] = now }
            return found
        }
        guard let match else { return nil }
        return Actor(tokenID: match.id, name: match.name, peer: request.peer.host, scopes: match.scopes,
                     environments: match.environments)
    }

    /// Takes the last-used times gathered since the previous call.
    func takeLastUsed() -> [String: Timestamp] {
        state.withLock { state in
            defer { state.lastUsed = [:] }
            return state.lastUsed
        }
    }

    /// Returns the last-used times not yet written to the database.
    func pendingLastUsed() -> [String: Timestamp] { state.withLock { $0.lastUsed } }

    /// Returns the token of exactly one `Authorization: Bearer <token>` field (RFC 6750 section 2.1).
    static func bearerToken(in values: [String]) -> String? {
        guard values.count == 1 else { return nil }
        return withBearerToken(in: values[0]) { token in token.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Returns the SHA-256 digest of the token in one `Authorization` field value, hashed in place because this
    /// runs for every request.
    static func bearerTokenDigest(in value: String) -> [UInt8]? {
        withBearerToken(in: value) { token in token.map { SHA256.hash(bytes: UnsafeRawBufferPointer($0)) } }
    }

    /// Calls `body` with the token bytes of a `Bearer <token>` field value, or with nil when the value is not one.
    private static func withBearerToken<Result>(
        in value: String,
        _ body: (UnsafeBufferPointer<UInt8>?) -> Result
    ) -> Result {
        func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result {
            let scheme = "bearer".utf8
            let space = UInt8(ascii: " ")
            guard bytes.count > scheme.count, bytes[scheme.count] == space,
                  zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 })
            else { return body(nil) }
            var tokenStart = scheme.count + 1
            while tokenStart < bytes.count && bytes[tokenStart] == space {
                tokenStart += 1
            }
            let token = UnsafeBufferPointer(rebasing: bytes[tokenStart...])
            guard !token.isEmpty, token.allSatisfy(isToken68Byte) else { return body(nil) }
            return body(token)
        }
        if let result = value.utf8.withContiguousStorageIfAvailable(parse) {
            return result
        }
        var copy = value
        return copy.withUTF8(parse)
    }

    static func isToken68Byte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"),
             UInt8(ascii: "/"), UInt8(ascii: "="):
            true
        default:
            false
        }
    }
}

enum ConstantTime {
    /// Compares two digests without an early exit; the lengths of digests are public.
    static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
