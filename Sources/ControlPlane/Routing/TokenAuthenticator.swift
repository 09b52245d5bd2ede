import HTTP
import PolicyModel
import Signing
import Synchronization

/// Checks bearer tokens against the SHA-256 digests of the tokens in the database.
///
/// The presented token is hashed and compared with every stored digest in constant time, so the
/// response time reveals nothing about how much of a token was right. Last-used times are kept in
/// memory and written to the database in batches, so a request never waits for a write.
///
/// Each loop also remembers the last few tokens it accepted, and a token equal to one of them, compared
/// in constant time, skips the hash. Pollers send the same token on every request. The remembered
/// tokens are forgotten whenever the credentials change, so a revoked token is rejected at once.
final class TokenAuthenticator: Sendable {
    /// A token as stored: immutable and shared, so finding one costs a single retain.
    final class Credential: Sendable {
        let id: String
        let name: String
        let digest: [UInt8]
        let scopes: Set<Scope>
        let environments: Set<String>?

        init(id: String, name: String, digest: [UInt8], scopes: Set<Scope>, environments: Set<String>?) {
            self.id = id
            self.name = name
            self.digest = digest
            self.scopes = scopes
            self.environments = environments
        }
    }

    private struct State: Sendable {
        var credentials: [Credential] = []
        /// The last use of `credentials[i]` at index i, kept by position so a request records it without hashing.
        var lastUsed: [Timestamp?] = []
        /// Last uses of credentials that have since been replaced, by token id, until they are taken.
        var carriedLastUsed: [String: Timestamp] = [:]
        /// Tokens this loop accepted recently, each with the index of its credential, overwritten in turn.
        var recentTokens: [(token: [UInt8], index: Int)] = []
        var nextRecentSlot = 0

        /// Finds a remembered token equal to `token`, comparing with every entry in full.
        func recentIndex(of token: UnsafeBufferPointer<UInt8>) -> Int? {
            var found: Int?
            for entry in recentTokens where ConstantTime.equals(entry.token, token) {
                found = entry.index
            }
            return found
        }

        mutating func remember(_ token: UnsafeBufferPointer<UInt8>, index: Int) {
            let entry = (token: Array(token), index: index)
            if recentTokens.count < TokenAuthenticator.recentTokenCount {
                recentTokens.append(entry)
            } else {
                recentTokens[nextRecentSlot] = entry
                nextRecentSlot = (nextRecentSlot + 1) % recentTokens.count
            }
        }

        /// The last uses not yet taken, by token id.
        var pendingLastUsed: [String: Timestamp] {
            var pending = carriedLastUsed
            for (credential, time) in zip(credentials, lastUsed) {
                if let time { pending[credential.id] = max(time, pending[credential.id] ?? time) }
            }
            return pending
        }
    }

    /// A copy per event loop, so that loops authenticating at once do not contend for one lock.
    private let state: PerLoop<State>
    /// Tokens remembered per loop; a few cover a fleet of pollers that share a token.
    static let recentTokenCount = 4

    init(loopCount: Int = 1) {
        state = PerLoop(loopCount: loopCount, initial: State())
    }

    func replaceCredentials(_ new: [Credential]) {
        state.forEach { state in
            state.carriedLastUsed = state.pendingLastUsed
            state.credentials = new
            state.lastUsed = Array(repeating: nil, count: new.count)
            state.recentTokens = []
            state.nextRecentSlot = 0
        }
    }

    /// Returns the actor behind the request's bearer token, or nil when it has none or an unknown one. `client` is
    /// the client address as Perimeter's own proxy settings resolve it.
    func authenticate(_ request: HTTPRequest, client: String?, now: Timestamp) -> Actor? {
        guard let field = request.headers.onlyValue(named: "Authorization") else { return nil }
        let match: Credential? = Self.withBearerToken(in: field) { token in
            guard let token else { return nil }
            return credential(for: token, loop: request.loopIndex, now: now)
        }
        guard let match else { return nil }
        return Actor(tokenID: match.id, name: match.name, peer: request.peer.host, client: client,
                     scopes: match.scopes, environments: match.environments)
    }

    private func credential(for token: UnsafeBufferPointer<UInt8>, loop: Int, now: Timestamp) -> Credential? {
        let remembered: Credential? = state.withLock(loop: loop) { state in
            guard let index = state.recentIndex(of: token) else { return nil }
            state.lastUsed[index] = now
            return state.credentials[index]
        }
        if let remembered { return remembered }

        let digest = SHA256.hash(bytes: UnsafeRawBufferPointer(token))
        return state.withLock(loop: loop) { state in
            var found: Int?
            for index in state.credentials.indices where ConstantTime.equals(state.credentials[index].digest, digest) {
                found = index
            }
            guard let found else { return nil }
            state.lastUsed[found] = now
            state.remember(token, index: found)
            return state.credentials[found]
        }
    }

    /// Takes the last-used times gathered since the previous call.
    func takeLastUsed() -> [String: Timestamp] {
        var lastUses: [String: Timestamp] = [:]
        state.forEach { state in
            lastUses.merge(state.pendingLastUsed, uniquingKeysWith: max)
            state.carriedLastUsed = [:]
            state.lastUsed = Array(repeating: nil, count: state.credentials.count)
        }
        return lastUses
    }

    /// Returns the last-used times not yet written to the database.
    func pendingLastUsed() -> [String: Timestamp] {
        var pending: [String: Timestamp] = [:]
        state.forEach { pending.merge($0.pendingLastUsed, uniquingKeysWith: max) }
        return pending
    }

    /// Calls `body` with the token bytes of a `Bearer <token>` field value (RFC 6750 section 2.1), or with nil when
    /// the value is not one.
    private static func withBearerToken<Result>(
        in value: String,
        _ body: (UnsafeBufferPointer<UInt8>?) -> Result
    ) -> Result {
        func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result {
            // The scheme is case-insensitive; setting bit 0x20 lowercases the letters of "Bearer" and can turn no
            // other byte into one of them.
            let scheme: StaticString = "bearer"
            let schemeLength = scheme.utf8CodeUnitCount
            let space = UInt8(ascii: " ")
            guard bytes.count > schemeLength, bytes[schemeLength] == space,
                  (0..<schemeLength).allSatisfy({ bytes[$0] | 0x20 == scheme.utf8Start[$0] })
            else { return body(nil) }
            var tokenStart = schemeLength + 1
            while tokenStart < bytes.count && bytes[tokenStart] == space {
                tokenStart += 1
            }
            let token = UnsafeBufferPointer(rebasing: bytes[tokenStart...])
            guard !token.isEmpty, token.allSatisfy(isToken68Byte) else { return body(nil) }
            return body(token)
        }
        return value.withUTF8Bytes(parse)
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
    /// Compares two byte strings without an early exit; only their lengths, which are public, decide sooner.
    static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        rhs.withUnsafeBufferPointer { equals(lhs, $0) }
    }

    static func equals(_ lhs: [UInt8], _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBufferPointer { lhs in
            var difference: UInt8 = 0
            for index in 0..<lhs.count { difference |= lhs[index] ^ rhs[index] }
            return difference == 0
        }
    }
}
