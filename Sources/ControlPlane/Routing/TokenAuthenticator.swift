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
        guard let token = TokenAuthenticator.bearerToken(in: request.headers["Authorization"]) else { return nil }
        let digest = SHA256.hash(Array(token.utf8))
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
        let value = values[0]
        guard let space = value.firstIndex(of: " "),
              value[..<space].utf8.elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }) else { return nil }
        let token = value[value.index(after: space)...].drop { $0 == " " }
        guard !token.isEmpty, token.utf8.allSatisfy(isToken68Byte) else { return nil }
        return String(token)
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
