import HTTP
import PolicyModel
import Synchronization

/// One environment's current bundle as served: immutable bytes and the headers that describe them,
/// with the policy it carries and that policy's inbound and egress deciders, built once per version.
///
/// A class, so that reading it out of the snapshot on every poll costs one reference count, not one
/// per member.
public final class PublishedBundle: Sendable {
    public let environment: String
    public let version: Int
    public let issuedAt: Timestamp
    public let expiresAt: Timestamp
    /// The DSSE envelope, byte for byte as stored.
    public let envelope: [UInt8]
    /// A strong entity tag, quoted: the SHA-256 of the envelope.
    public let etag: String
    public let policy: Policy
    public let inbound: InboundDecider
    public let egress: EgressDecider
    /// The fields of every 200 and 304 response with this bundle, checked and encoded once instead of per poll.
    let responseFields: EncodedFields

    init(environment: String, version: Int, issuedAt: Timestamp, expiresAt: Timestamp, envelope: [UInt8],
         policy: Policy) {
        self.environment = environment
        self.version = version
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.envelope = envelope
        self.etag = PublishedBundle.etag(of: envelope)
        self.policy = policy
        self.inbound = InboundDecider(policy: policy)
        self.egress = EgressDecider(policy: policy.egress)
        let responseHeaders = HTTPHeaders([
            ("Content-Type", PublishedBundle.contentType),
            ("ETag", etag),
            ("Cache-Control", "no-cache"),
            ("Perimeter-Bundle-Version", String(version)),
        ])
        guard let responseFields = EncodedFields(responseHeaders) else {
            // The values are a constant, a hex digest in quotes and a number, none of which can be invalid.
            preconditionFailure("the response fields of bundle version \(version) are invalid: \(responseHeaders)")
        }
        self.responseFields = responseFields
    }

    public static let contentType = "application/vnd.dsse.envelope.v1+json"
}

/// The current bundle of every live environment, in memory, so the read path never touches SQLite,
/// and the long polls parked on each environment until its next publish.
///
/// Bundles and parked polls share one lock: a poll that finds its version current parks in the same
/// critical section, so a publish can never slip between the check and the parking.
public final class BundleSnapshot: Sendable {
    /// The end of a parked poll.
    enum PollEnd: Sendable {
        case published(PublishedBundle)
        /// The deadline passed or the server is stopping; respond "not modified" with this bundle's headers.
        case unchanged(PublishedBundle)
        case environmentDeleted
    }

    typealias PollCompletion = @Sendable (PollEnd) -> Void

    private struct State {
        var bundles: [String: PublishedBundle] = [:]
        var parked: [String: [UInt64: PollCompletion]] = [:]
        var parkedCount = 0
        var nextPollID: UInt64 = 0

        mutating func takeParked(_ environment: String) -> [PollCompletion] {
            guard let polls = parked.removeValue(forKey: environment) else { return [] }
            parkedCount -= polls.count
            return Array(polls.values)
        }
    }

    private let state = Mutex(State())
    /// Each event loop's copy of `State.bundles`, which polls read without taking the main lock. Publishing and
    /// removing update the copies while holding the main lock, so a copy is never ahead of the main state.
    private let currentByLoop: PerLoop<[String: PublishedBundle]>

    public init(loopCount: Int = 1) {
        currentByLoop = PerLoop(loopCount: loopCount, initial: [:])
    }

    public func current(_ environment: String) -> PublishedBundle? {
        state.withLock { $0.bundles[environment] }
    }

    /// Returns the current bundle from the copy of event loop `loop`. The poll path reads this, which locks only that
    /// loop's copy.
    func current(_ environment: String, loop: Int) -> PublishedBundle? {
        currentByLoop.withLock(loop: loop) { $0[environment] }
    }

    /// Returns every current bundle, ordered by environment name.
    public func all() -> [PublishedBundle] {
        state.withLock { Array($0.bundles.values) }.sorted { $0.environment < $1.environment }
    }

    /// The number of polls parked right now.
    public var parkedPollCount: Int { state.withLock { $0.parkedCount } }

    /// Replaces an environment's bundle and wakes the polls parked on it; an older version never
    /// replaces a newer one.
    func publish(_ bundle: PublishedBundle) {
        let woken: [PollCompletion] = state.withLock { state in
            if let held = state.bundles[bundle.environment], held.version >= bundle.version { return [] }
            state.bundles[bundle.environment] = bundle
            currentByLoop.forEach { $0[bundle.environment] = bundle }
            return state.takeParked(bundle.environment)
        }
        for completion in woken { completion(.published(bundle)) }
    }

    func remove(_ environment: String) {
        let woken: [PollCompletion] = state.withLock { state in
            state.bundles.removeValue(forKey: environment)
            currentByLoop.forEach { $0.removeValue(forKey: environment) }
            return state.takeParked(environment)
        }
        for completion in woken { completion(.environmentDeleted) }
    }

    /// Parks a poll unless the environment's current entity tag differs from `heldETag`.
    ///
    /// Returns the current bundle when the poll gets its response at once (it changed, or the
    /// environment is gone: nil inside), or the id of the parked poll.
    func park(_ environment: String, heldETag: String,
              completion: @escaping PollCompletion) -> ParkResult {
        state.withLock { state in
            guard let bundle = state.bundles[environment] else { return .answerNow(nil) }
            guard bundle.etag == heldETag else { return .answerNow(bundle) }
            state.nextPollID += 1
            let id = state.nextPollID
            state.parked[environment, default: [:]][id] = completion
            state.parkedCount += 1
            return .parked(id)
        }
    }

    enum ParkResult {
        case answerNow(PublishedBundle?)
        case parked(UInt64)
    }

    /// Ends one parked poll as unchanged, if a publish has not ended it already.
    func expire(_ environment: String, pollID: UInt64) {
        let ended: (PollCompletion, PublishedBundle?)? = state.withLock { state in
            guard let completion = state.parked[environment]?.removeValue(forKey: pollID) else { return nil }
            state.parkedCount -= 1
            if state.parked[environment]?.isEmpty == true { state.parked.removeValue(forKey: environment) }
            return (completion, state.bundles[environment])
        }
        guard let (completion, bundle) = ended else { return }
        completion(bundle.map { .unchanged($0) } ?? .environmentDeleted)
    }

    /// Ends every parked poll as unchanged; used when the server stops.
    func releaseAllParked() {
        let ended: [(PollCompletion, PublishedBundle?)] = state.withLock { state in
            var ended: [(PollCompletion, PublishedBundle?)] = []
            for (environment, polls) in state.parked {
                for completion in polls.values { ended.append((completion, state.bundles[environment])) }
            }
            state.parked = [:]
            state.parkedCount = 0
            return ended
        }
        for (completion, bundle) in ended { completion(bundle.map { .unchanged($0) } ?? .environmentDeleted) }
    }
}
