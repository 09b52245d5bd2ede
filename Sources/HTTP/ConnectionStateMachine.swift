/// The life of one connection as a pure state machine: bytes, responses, write progress and deadlines go in, and
/// the actions the event loop must carry out come out. Nothing here touches a socket or a clock.
///
/// Requests are dispatched as soon as they are complete, so several may wait for the responder at once, but their
/// responses are sent in request order. At `maxPipelinedRequests` unanswered requests the machine stops reading
/// until a response goes out.
struct ConnectionStateMachine {
    enum Action {
        /// Hand the request to the responder; its response comes back through `responseReady`.
        case dispatch(HTTPRequest, sequence: UInt64)
        /// Write `100 Continue`.
        case sendContinue
        /// Encode and write the response.
        case send(HTTPResponse, ResponseContext)
        /// Send FIN after the last response and keep discarding input until the peer closes or the linger time ends.
        /// Closing at once with unread input would make the kernel send RST, which can destroy the response before
        /// the client reads it.
        case shutdownOutput
        case close
    }

    private enum State: Equatable {
        /// Reading and parsing requests.
        case open
        /// At `maxPipelinedRequests`; unparsed bytes wait in the parser until a response is sent.
        case paused
        /// No further request will be read; the connection closes once every queued response is written.
        case stopped
        /// The last response is written and FIN sent; input is read and discarded.
        case lingering
        case closed
    }

    /// One entry in the queue of things to write, in request order.
    private enum PendingOutput {
        case continueInterim
        case response(sequence: UInt64, isHeadRequest: Bool, version: HTTPVersion, response: HTTPResponse?)
        case rejection(HTTPResponse)

        var isFinal: Bool {
            if case .continueInterim = self { false } else { true }
        }

        var isUnanswered: Bool {
            if case .response(_, _, _, nil) = self { true } else { false }
        }
    }

    /// How long a closing connection keeps discarding input after its last response.
    static let lingerDuration = Duration.seconds(2)

    private let peer: SocketAddress
    /// The loop that serves the connection, passed on with each request.
    private let loopIndex: Int
    private let limits: HTTPLimits
    private let timeouts: HTTPTimeouts
    private var parser: RequestParser
    private var state = State.open {
        didSet { isReadingEnabled = state == .open || state == .lingering }
    }
    private var pending: [PendingOutput] = []
    private var currentHead: RequestHead?
    private var nextSequence: UInt64 = 0
    private var isWriting = false
    private var isDraining = false
    private var hasInputEnded = false
    private var hasSentClosingResponse = false
    private var headDeadline: MonotonicInstant? { didSet { updateNextDeadline() } }
    private var bodyDeadline: MonotonicInstant? { didSet { updateNextDeadline() } }
    private var idleDeadline: MonotonicInstant? { didSet { updateNextDeadline() } }
    private var writeDeadline: MonotonicInstant? { didSet { updateNextDeadline() } }
    private var lingerDeadline: MonotonicInstant? { didSet { updateNextDeadline() } }

    init(peer: SocketAddress, loopIndex: Int = 0, limits: HTTPLimits, timeouts: HTTPTimeouts, now: MonotonicInstant) {
        self.peer = peer
        self.loopIndex = loopIndex
        self.limits = limits
        self.timeouts = timeouts
        self.parser = RequestParser(limits: limits)
        updateDeadlines(now: now)
    }

    // The loop reads `isReadingEnabled` and `nextDeadline` after every event. They are stored, not computed,
    // because reading a computed property of a machine held in a class copies the whole machine.

    /// Whether the loop should read from the socket: while open, and while lingering to discard input.
    private(set) var isReadingEnabled = true

    /// The earliest moment at which `deadlineReached` has something to do.
    private(set) var nextDeadline: MonotonicInstant?

    var isClosed: Bool { state == .closed }

    private mutating func updateNextDeadline() {
        func earlier(_ lhs: MonotonicInstant?, _ rhs: MonotonicInstant?) -> MonotonicInstant? {
            guard let lhs else { return rhs }
            guard let rhs else { return lhs }
            return min(lhs, rhs)
        }
        nextDeadline = earlier(
            earlier(earlier(headDeadline, bodyDeadline), earlier(idleDeadline, writeDeadline)), lingerDeadline
        )
    }

    // MARK: - Events

    mutating func bytesReceived(_ bytes: some Collection<UInt8>, now: MonotonicInstant) -> [Action] {
        // Lingering input is discarded; in other states the loop does not read at all.
        guard state == .open else { return [] }
        parser.append(bytes)
        var actions: [Action] = []
        process(now: now, into: &actions)
        return actions
    }

    /// Records that the peer has closed its sending side. A partial request is dropped, but complete requests still
    /// get their responses.
    mutating func endOfInput(now: MonotonicInstant) -> [Action] {
        hasInputEnded = true
        switch state {
        case .closed:
            return []
        case .lingering:
            return close()
        case .open, .paused, .stopped:
            state = .stopped
            var actions: [Action] = []
            process(now: now, into: &actions)
            return actions
        }
    }

    /// Stores the response for `sequence` and sends every response that is now next in order.
    ///
    /// A response for a closed connection, or a second one for the same request, is ignored.
    mutating func responseReady(
        _ response: HTTPResponse,
        sequence: UInt64,
        now: MonotonicInstant
    ) -> [Action] {
        let index = pending.firstIndex { entry in
            if case .response(sequence, _, _, nil) = entry { true } else { false }
        }
        guard state != .closed, let index, case .response(_, let isHead, let version, _) = pending[index] else {
            return []
        }
        pending[index] = .response(sequence: sequence, isHeadRequest: isHead, version: version, response: response)
        var actions: [Action] = []
        process(now: now, into: &actions)
        return actions
    }

    /// Records that the loop could not write every byte; without progress, the write deadline keeps running.
    ///
    /// NOTE: progress restarts the deadline, as nginx's `send_timeout` does, so a client that reads a few bytes
    /// before each deadline keeps its connection however slowly it reads. Only `maxConnections` bounds such clients.
    mutating func writeBlocked(madeProgress: Bool, now: MonotonicInstant) {
        if madeProgress || writeDeadline == nil {
            writeDeadline = now + timeouts.write
        }
    }

    /// Records that every byte handed over with `send` and `sendContinue` has been written, and closes or lingers
    /// when nothing else is left.
    mutating func writeCompleted(now: MonotonicInstant) -> [Action] {
        guard state != .closed else { return [] }
        isWriting = false
        writeDeadline = nil
        var actions: [Action] = []
        finishIfDone(now: now, into: &actions)
        updateDeadlines(now: now)
        return actions
    }

    /// Acts on every deadline that has passed by `now`.
    mutating func deadlineReached(now: MonotonicInstant) -> [Action] {
        func hasPassed(_ deadline: MonotonicInstant?) -> Bool {
            deadline.map { $0 <= now } ?? false
        }

        guard state != .closed else { return [] }
        // A client that stops reading, or stays silent between requests, is closed without a response.
        if hasPassed(writeDeadline) || hasPassed(lingerDeadline) || hasPassed(idleDeadline) {
            return close()
        }

        let isHeadLate = hasPassed(headDeadline)
        guard isHeadLate || hasPassed(bodyDeadline) else { return [] }
        state = .stopped
        // A 408 would have to wait behind responses the responder has not produced yet; closing is quicker.
        if pending.contains(where: \.isUnanswered) {
            return close()
        }
        let detail = isHeadLate
            ? "The request head did not arrive within \(timeouts.head)."
            : "The request body did not arrive within \(timeouts.body)."
        pending.append(.rejection(RequestRejection(kind: .requestTimeout, detail: detail).problem.makeResponse()))
        var actions: [Action] = []
        process(now: now, into: &actions)
        return actions
    }

    /// Stops reading new requests. An idle connection closes now, and one with a request in progress closes after
    /// sending its response.
    mutating func shutdownRequested(now: MonotonicInstant) -> [Action] {
        isDraining = true
        switch state {
        case .closed:
            return []
        case .lingering:
            return close()
        case .paused:
            state = .stopped
        case .open:
            if parser.phase == .idle {
                state = .stopped
            }
        case .stopped:
            break
        }
        var actions: [Action] = []
        process(now: now, into: &actions)
        return actions
    }

    // MARK: - Steps

    /// Requests dispatched whose responses have not been sent yet.
    private var queuedResponseCount: Int {
        pending.count { if case .response = $0 { true } else { false } }
    }

    private mutating func process(now: MonotonicInstant, into actions: inout [Action]) {
        while true {
            if state == .open {
                parseRequests(into: &actions)
            }
            sendReadyOutput(into: &actions)

            guard state == .paused && queuedResponseCount < limits.maxPipelinedRequests else { break }
            state = .open
        }
        finishIfDone(now: now, into: &actions)
        updateDeadlines(now: now)
    }

    private mutating func parseRequests(into actions: inout [Action]) {
        while state == .open {
            switch parser.next() {
            case .needMoreBytes:
                return

            case .head(let head):
                currentHead = head
                if head.expectsContinue {
                    pending.append(.continueInterim)
                }

            case .end(let body):
                guard let head = currentHead else {
                    preconditionFailure("RequestParser returned .end without .head")
                }
                currentHead = nil
                let sequence = nextSequence
                nextSequence += 1
                pending.append(.response(
                    sequence: sequence, isHeadRequest: head.method == "HEAD", version: head.version, response: nil
                ))
                let request = HTTPRequest(
                    method: head.method, target: head.target, version: head.version,
                    headers: head.headers, body: body, peer: peer, loopIndex: loopIndex
                )
                actions.append(.dispatch(request, sequence: sequence))

                if !head.isKeepAlive || isDraining {
                    state = .stopped
                } else if queuedResponseCount >= limits.maxPipelinedRequests {
                    state = .paused
                }

            case .rejected(let rejection):
                currentHead = nil
                state = .stopped
                pending.append(.rejection(rejection.problem.makeResponse()))
            }
        }
    }

    /// Sends queued output from the front until it reaches a response the responder has not produced yet.
    private mutating func sendReadyOutput(into actions: inout [Action]) {
        while let first = pending.first {
            switch first {
            case .continueInterim:
                pending.removeFirst()
                isWriting = true
                actions.append(.sendContinue)

            case .response(_, _, _, nil):
                return

            case .response(_, let isHead, let version, let response?):
                pending.removeFirst()
                let closes = state == .stopped && !pending.contains(where: \.isFinal)
                isWriting = true
                let context = ResponseContext(isHeadRequest: isHead, requestVersion: version, closesConnection: closes)
                actions.append(.send(response, context))
                if closes {
                    hasSentClosingResponse = true
                    pending.removeAll()
                    return
                }

            case .rejection(let response):
                // Nothing after a rejection gets a response, because the parser stopped there.
                pending.removeAll()
                isWriting = true
                hasSentClosingResponse = true
                let context = ResponseContext(isHeadRequest: false, requestVersion: .http11, closesConnection: true)
                actions.append(.send(response, context))
                return
            }
        }
    }

    private mutating func finishIfDone(now: MonotonicInstant, into actions: inout [Action]) {
        guard state == .stopped, pending.isEmpty, !isWriting else { return }
        // During shutdown the grace period matters more than a client that might still be sending.
        if hasSentClosingResponse && !hasInputEnded && !isDraining {
            state = .lingering
            lingerDeadline = now + Self.lingerDuration
            actions.append(.shutdownOutput)
        } else {
            actions.append(contentsOf: close())
        }
    }

    private mutating func close() -> [Action] {
        state = .closed
        headDeadline = nil
        bodyDeadline = nil
        idleDeadline = nil
        writeDeadline = nil
        lingerDeadline = nil
        return [.close]
    }

    /// Starts or clears the head, body and idle deadlines to match the current phase.
    private mutating func updateDeadlines(now: MonotonicInstant) {
        guard state != .closed else { return }
        let phase = parser.phase
        let isReading = state == .open
        headDeadline = isReading && phase == .head ? (headDeadline ?? now + timeouts.head) : nil
        bodyDeadline = isReading && phase == .body ? (bodyDeadline ?? now + timeouts.body) : nil
        let isIdle = isReading && phase == .idle && pending.isEmpty && !isWriting
        idleDeadline = isIdle ? (idleDeadline ?? now + timeouts.idle) : nil
    }
}
