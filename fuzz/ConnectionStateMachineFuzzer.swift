/// A libFuzzer target for `ConnectionStateMachine`, compiled into one module with the HTTP sources by `fuzz/run`.
///
/// An input is a script for the event loop's side of the machine. Its first byte gives the length of a control
/// section, and the bytes after that section are the stream the client sends. Each control byte picks one event
/// (bytes arrive, input ends, a response is ready, a write finishes or blocks, time passes, shutdown starts), and
/// some events read one more control byte as their argument. When the controls run out, the driver delivers a
/// response to every request, drains every write and ends the input, and the machine must then close.
///
/// The driver calls the machine only the way `EventLoopCore` does, so every broken invariant is a fault in the
/// machine, which `fatalError` reports to libFuzzer as a crash.

/// Limits small enough that short inputs reach the parser's limits and the pipelining pause.
let machineLimits = HTTPLimits(
    maxRequestLineBytes: 64,
    maxHeaderCount: 8,
    maxHeaderBytes: 256,
    maxBodyBytes: 64,
    maxChunkExtensionBytes: 16,
    maxTrailerBytes: 64,
    maxPipelinedRequests: 2
)

/// How many rounds of responding, writing and ending input the driver allows the machine before it must close.
let maxClosingRounds = 64

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConnectionStateMachine(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    var driver = ConnectionDriver(script: bytes)
    driver.runControls()
    driver.runUntilClosed()
    return 0
}

/// Traps with `message` when `condition` is false. Unlike `assert`, it also runs in `-O` builds.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        fatalError("invariant broken: \(message())")
    }
}

/// The event loop's side of one connection, with the socket, the responder and the clock replaced by the script.
struct ConnectionDriver {
    var machine: ConnectionStateMachine
    var now: MonotonicInstant
    var controls: ArraySlice<UInt8>
    /// Bytes the client has not sent yet.
    var stream: ArraySlice<UInt8>
    /// Bytes handed to `bytesReceived`, in order.
    var delivered: [UInt8] = []
    /// Whether a shutdown or a deadline may have cut requests short, so fewer of them may be dispatched.
    var isInterrupted = false

    var isClosed = false
    var hasEndedInput = false
    /// Whether bytes handed over with `.send` or `.sendContinue` are still waiting to be written.
    var hasOutput = false
    var hasSentClosingResponse = false
    /// The sequence number the next `.dispatch` must carry.
    var nextDispatchSequence: UInt64 = 0
    /// The sequence number of the next response `.send` must carry.
    var nextSentSequence: UInt64 = 0
    /// Dispatched requests that have no response yet.
    var waitingForResponse: [UInt64] = []

    init(script: [UInt8]) {
        let controlCount = min(Int(script.first ?? 0), max(script.count - 1, 0))
        controls = script.dropFirst().prefix(controlCount)
        stream = script.dropFirst(1 + controlCount)
        now = MonotonicInstant.now
        machine = ConnectionStateMachine(
            peer: SocketAddress(host: "192.0.2.1", port: 40_000),
            limits: machineLimits,
            timeouts: HTTPTimeouts(),
            now: now
        )
    }

    // MARK: - Scripts

    /// Carries out one event per control byte until the controls run out or the connection closes.
    mutating func runControls() {
        while !isClosed, let control = controls.popFirst() {
            switch control % 7 {
            case 0:
                receiveBytes(count: 1 + Int(nextArgument() % 64))
            case 1:
                endInput()
            case 2:
                deliverResponse(pick: nextArgument())
            case 3:
                finishWrite()
            case 4:
                if hasOutput {
                    machine.writeBlocked(madeProgress: nextArgument() % 2 == 1, now: now)
                }
            case 5:
                passTime(by: .milliseconds(250 * Int(nextArgument())))
            default:
                isInterrupted = true
                perform(machine.shutdownRequested(now: now))
            }
        }
    }

    /// Sends the rest of the stream, responds to every request, drains every write and ends the input. The machine
    /// must close within `maxClosingRounds` rounds of that.
    mutating func runUntilClosed() {
        for _ in 0..<maxClosingRounds where !isClosed {
            receiveBytes(count: stream.count)
            while !isClosed && !waitingForResponse.isEmpty {
                deliverResponse(pick: 0)
            }
            finishWrite()
            endInput()
            if !isClosed, let deadline = machine.nextDeadline {
                passTime(by: now.duration(to: deadline))
            }
        }
        check(isClosed, "the connection stayed open after every request got its response and the input ended")

        // Without a shutdown or a deadline, every complete request up to the first that ends the connection is served.
        let expected = countRequestsToServe(in: delivered)
        let dispatched = nextDispatchSequence
        check(isInterrupted || dispatched == expected, "dispatched \(dispatched) of \(expected) complete requests")
    }

    /// Counts the requests a fresh parser finds in `bytes` before a rejection, up to and including the first one
    /// that does not keep the connection alive.
    func countRequestsToServe(in bytes: [UInt8]) -> UInt64 {
        var parser = RequestParser(limits: machineLimits)
        parser.append(bytes)
        var count: UInt64 = 0
        var isKeepAlive = true
        while true {
            switch parser.next() {
            case .head(let head):
                isKeepAlive = head.isKeepAlive
            case .end:
                count += 1
                if !isKeepAlive {
                    return count
                }
            case .needMoreBytes, .rejected:
                return count
            }
        }
    }

    /// Returns the next control byte as an argument, or 0 when none is left.
    mutating func nextArgument() -> UInt8 {
        controls.popFirst() ?? 0
    }

    // MARK: - Events

    /// Delivers up to `count` bytes of the stream, the way a read does when the machine wants input.
    mutating func receiveBytes(count: Int) {
        guard !isClosed, !hasEndedInput, machine.isReadingEnabled, !stream.isEmpty, count > 0 else { return }
        let bytes = stream.prefix(count)
        stream = stream.dropFirst(bytes.count)
        delivered += bytes
        perform(machine.bytesReceived(bytes, now: now))
    }

    /// Reports that the client closed its sending side, the way a read that returns 0 does.
    mutating func endInput() {
        guard !isClosed, machine.isReadingEnabled else { return }
        hasEndedInput = true
        perform(machine.endOfInput(now: now))
    }

    /// Delivers the response to one waiting request. With the high bit of `pick` set, or with no request waiting, it
    /// instead delivers a second response or one for a sequence never dispatched, which the machine must ignore.
    mutating func deliverResponse(pick: UInt8) {
        guard !isClosed else { return }
        if pick >= 0x80 || waitingForResponse.isEmpty {
            deliverExtraResponse(pick: pick)
            return
        }
        let sequence = waitingForResponse.remove(at: Int(pick) % waitingForResponse.count)
        perform(machine.responseReady(makeResponse(sequence: sequence), sequence: sequence, now: now))
    }

    /// Delivers a response for a request that already has one, sent or still queued, or for a sequence never
    /// dispatched.
    mutating func deliverExtraResponse(pick: UInt8) {
        let queued = (nextSentSequence..<nextDispatchSequence).filter { !waitingForResponse.contains($0) }
        let sequence = switch pick % 3 {
        case 0 where nextSentSequence > 0: nextSentSequence - 1
        case 1 where !queued.isEmpty: queued[0]
        default: nextDispatchSequence + 1
        }

        let actions = machine.responseReady(makeResponse(sequence: sequence), sequence: sequence, now: now)

        check(actions.isEmpty, "a second or unknown response for sequence \(sequence) had effects")
    }

    /// Reports that every queued byte was written.
    mutating func finishWrite() {
        guard !isClosed, hasOutput else { return }
        hasOutput = false
        perform(machine.writeCompleted(now: now))
    }

    /// Moves the clock and runs the deadlines that have passed, the way the loop's timer does.
    mutating func passTime(by duration: Duration) {
        now = now + duration
        guard !isClosed, let deadline = machine.nextDeadline, deadline <= now else { return }
        isInterrupted = true
        perform(machine.deadlineReached(now: now))
    }

    func makeResponse(sequence: UInt64) -> HTTPResponse {
        HTTPResponse(status: 200 + Int(sequence % 100), headers: ["X-Sequence": "\(sequence)"])
    }

    // MARK: - Actions

    /// Carries out actions the way `EventLoopCore.perform` does, including the write attempt after new output. An
    /// even next control byte makes that write finish, and an odd one makes it block.
    mutating func perform(_ actions: [ConnectionStateMachine.Action]) {
        var actions = actions
        while !actions.isEmpty {
            var hasNewOutput = false
            for (index, action) in actions.enumerated() {
                check(!isClosed, "an action followed .close")
                switch action {
                case .dispatch(let request, let sequence):
                    checkDispatch(request, sequence: sequence)
                case .sendContinue:
                    check(!hasSentClosingResponse, "100 Continue was sent after the closing response")
                    hasNewOutput = true
                case .send(let response, let context):
                    checkSend(response, context: context)
                    hasNewOutput = true
                case .shutdownOutput:
                    check(hasSentClosingResponse, "output was shut down before a closing response was sent")
                    check(!hasOutput, "output was shut down with bytes still waiting to be written")
                case .close:
                    check(index == actions.count - 1, ".close was not the last action")
                    isClosed = true
                }
            }
            check(machine.isClosed == isClosed, "isClosed is \(machine.isClosed) after the actions")
            guard hasNewOutput && !isClosed else { return }
            hasOutput = true
            if nextArgument() % 2 == 0 {
                hasOutput = false
                actions = machine.writeCompleted(now: now)
            } else {
                machine.writeBlocked(madeProgress: true, now: now)
                actions = []
            }
        }
    }

    mutating func checkDispatch(_ request: HTTPRequest, sequence: UInt64) {
        check(sequence == nextDispatchSequence, "dispatched sequence \(sequence), expected \(nextDispatchSequence)")
        check(!hasSentClosingResponse, "a request was dispatched after the closing response")
        check(!hasEndedInput, "a request was dispatched after the input ended")
        check(request.body.count <= machineLimits.maxBodyBytes, "a body of \(request.body.count) bytes passed")
        check(request.headers.count <= machineLimits.maxHeaderCount, "\(request.headers.count) fields passed")
        nextDispatchSequence += 1
        waitingForResponse.append(sequence)
        let waiting = nextDispatchSequence - nextSentSequence
        check(waiting <= UInt64(machineLimits.maxPipelinedRequests), "\(waiting) requests wait for their responses")
    }

    mutating func checkSend(_ response: HTTPResponse, context: ResponseContext) {
        check(!hasSentClosingResponse, "a response was sent after the closing response")
        if let sequence = response.headers.first("X-Sequence") {
            check(sequence == "\(nextSentSequence)", "sent the response for \(sequence) before \(nextSentSequence)")
            check(!waitingForResponse.contains(nextSentSequence), "sent a response the responder has not produced")
            nextSentSequence += 1
        } else {
            // The machine's own problem response, for a rejection or a timeout, always ends the connection.
            check(context.closesConnection, "a \(response.status) problem response kept the connection open")
            check(response.status >= 400, "the machine produced a \(response.status) response")
        }
        if context.closesConnection {
            hasSentClosingResponse = true
        }
    }
}
