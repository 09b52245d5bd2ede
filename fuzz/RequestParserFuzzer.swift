/// A libFuzzer target for `RequestParser`, compiled into one module with the parser's sources by `fuzz/run`.
///
/// Each input is parsed under two sets of limits, in one piece and again split into pieces, and every outcome is
/// checked against invariants that must hold for any bytes. A broken invariant calls `fatalError`, which libFuzzer
/// reports as a crash together with the input.

/// Limits small enough that short inputs reach every limit check.
let smallLimits = HTTPLimits(
    maxRequestLineBytes: 64,
    maxHeaderCount: 8,
    maxHeaderBytes: 256,
    maxBodyBytes: 64,
    maxChunkExtensionBytes: 16,
    maxTrailerBytes: 64
)

/// Inputs up to this size are also fed one byte at a time. Longer ones are split only a few times, to keep runs fast.
let maxByteByByteLength = 1024

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    for limits in [smallLimits, HTTPLimits()] {
        checkParser(on: bytes, limits: limits)
    }
    return 0
}

/// Runs every check on one input under one set of limits.
func checkParser(on bytes: [UInt8], limits: HTTPLimits) {
    let whole = feed(bytes, limits: limits, splitAt: [])
    for request in whole.requests {
        checkRequest(request, limits: limits)
    }

    // Incremental parsing must reach the same events and the same final state as parsing everything at once.
    var splits = [splitPositions(for: bytes)]
    if bytes.count <= maxByteByByteLength {
        splits.append(Array(0..<bytes.count))
    }
    for positions in splits {
        let pieces = feed(bytes, limits: limits, splitAt: positions)
        let splitText = positions.count == bytes.count ? "byte by byte" : "split at \(positions)"
        check(pieces == whole, "feeding \(splitText) gave \(pieces.summary), but feeding at once gave \(whole.summary)")
    }
}

// MARK: - Feeding

/// A request as the parser returned it, from a `.head` event and the body of the `.end` event after it.
struct ParsedRequest: Equatable {
    let head: RequestHead
    let body: [UInt8]
}

/// Everything a run of the parser produced, compared between whole and split feeding.
struct ParseOutcome: Equatable {
    var requests: [ParsedRequest] = []
    var rejection: RequestRejection?
    var finalState: RequestParser.State
    var finalPhase: RequestParser.Phase
    /// Bytes appended but not consumed, such as the start of an unfinished line. It is empty after a rejection,
    /// because split feeding stops appending there.
    var unconsumed: [UInt8]

    /// A one-line description for failure messages.
    var summary: String {
        let ending = rejection.map { "rejection \($0.status) (\($0.detail))" }
            ?? "state \(finalState) with \(unconsumed.count) bytes unconsumed"
        return "\(requests.count) requests and \(ending)"
    }
}

/// Appends `bytes` in pieces that end at `positions` and calls `next()` until `.needMoreBytes` after each append,
/// the way the connection state machine drives the parser.
func feed(_ bytes: [UInt8], limits: HTTPLimits, splitAt positions: [Int]) -> ParseOutcome {
    var parser = RequestParser(limits: limits)
    var requests: [ParsedRequest] = []
    var rejection: RequestRejection?
    var head: RequestHead?

    var pieceStart = 0
    for pieceEnd in positions + [bytes.count] where pieceEnd >= pieceStart && rejection == nil {
        parser.append(bytes[pieceStart..<pieceEnd])
        pieceStart = pieceEnd
        events: while true {
            switch parser.next() {
            case .needMoreBytes:
                break events
            case .head(let parsed):
                check(head == nil, "a second .head arrived before the .end of the first")
                head = parsed
            case .end(let body):
                guard let finished = head else {
                    fatalError("invariant broken: .end arrived without a .head")
                }
                requests.append(ParsedRequest(head: finished, body: body))
                head = nil
            case .rejected(let reason):
                rejection = reason
                break events
            }
        }
    }

    let outcome = ParseOutcome(
        requests: requests,
        rejection: rejection,
        finalState: parser.state,
        finalPhase: parser.phase,
        unconsumed: rejection == nil ? Array(parser.buffer[parser.start...]) : []
    )
    if let rejection {
        checkRejectionIsFinal(&parser, rejection: rejection)
    }
    return outcome
}

/// Returns up to three sorted split positions derived from the input, so each input is split the same way on
/// every run and the fuzzer's mutations move the splits around.
func splitPositions(for bytes: [UInt8]) -> [Int] {
    // FNV-1a, 64-bit.
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    let range = UInt64(bytes.count + 1)
    let positions = [hash % range, (hash >> 21) % range, (hash >> 42) % range].map { Int($0) }
    return positions.sorted()
}

// MARK: - Invariants

/// Traps with `message` when `condition` is false. Unlike `assert`, it also runs in `-O` builds.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        fatalError("invariant broken: \(message())")
    }
}

/// Checks that a rejection is final, so a later call returns it again even after more bytes arrive.
func checkRejectionIsFinal(_ parser: inout RequestParser, rejection: RequestRejection) {
    parser.append(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
    check(parser.next() == .rejected(rejection), "a call after a rejection returned another event")
    check(parser.phase == .failed, "the phase after a rejection is \(parser.phase), not .failed")
    check(rejection.status >= 400 && rejection.status <= 599, "a rejection has status \(rejection.status)")
}

/// Checks what every accepted request must satisfy under `limits`.
func checkRequest(_ request: ParsedRequest, limits: HTTPLimits) {
    let head = request.head
    check(request.body.count <= limits.maxBodyBytes, "a body of \(request.body.count) bytes passed the limit")
    check(head.headers.count <= limits.maxHeaderCount, "\(head.headers.count) header fields passed the limit")

    // The request line has a token method and an origin-form target, or `*` for OPTIONS, and fits the limit.
    check(!head.method.isEmpty && head.method.utf8.allSatisfy(\.isTokenCharacter), "the method is not a token")
    check(head.target.utf8.first == .slash || (head.target == "*" && head.method == "OPTIONS"), "invalid target")
    let requestLineLength = head.method.utf8.count + 1 + head.target.utf8.count + 1 + "HTTP/1.1".utf8.count
    check(requestLineLength <= limits.maxRequestLineBytes, "a request line of \(requestLineLength) bytes passed")

    // Each field took at least its name, a colon, its value and CRLF on the wire, because values lose only OWS.
    var sectionBytes = 2
    for (name, value) in head.headers {
        check(!name.isEmpty && name.utf8.allSatisfy(\.isTokenCharacter), "a field name is not a token")
        check(value.utf8.allSatisfy(\.isFieldValueCharacter), "a field value contains a control character")
        check(value.utf8.first?.isWhitespace != true && value.utf8.last?.isWhitespace != true, "untrimmed value")
        sectionBytes += name.utf8.count + 1 + value.utf8.count + 2
    }
    // Invalid UTF-8 in a value decodes to U+FFFD, whose 3 bytes may be more than the 1 to 3 bytes it replaces, so
    // the sum is a lower bound only for values without it.
    let hasReplacement = head.headers.contains { $0.value.unicodeScalars.contains("\u{FFFD}") }
    check(hasReplacement || sectionBytes <= limits.maxHeaderBytes, "a header section of \(sectionBytes) bytes passed")

    // Host and framing (RFC 9112 sections 3.2 and 6.3).
    let hostCount = head.headers["Host"].count
    check(head.version == .http11 ? hostCount == 1 : hostCount <= 1, "\(hostCount) Host fields passed")
    let hasTransferEncoding = head.headers.contains(name: "Transfer-Encoding")
    let hasContentLength = head.headers.contains(name: "Content-Length")
    check(!(hasTransferEncoding && hasContentLength), "Transfer-Encoding and Content-Length passed together")
    switch head.framing {
    case .none:
        check(request.body.isEmpty, "a request without framing has a body")
        check(!hasTransferEncoding && !hasContentLength, "framing fields passed without framing")
    case .contentLength(let length):
        check(request.body.count == length, "a body of \(request.body.count) bytes has Content-Length \(length)")
        check(hasContentLength, "Content-Length framing without the field")
    case .chunked:
        check(head.version == .http11, "a chunked body on HTTP/1.0 passed")
        check(hasTransferEncoding, "chunked framing without Transfer-Encoding")
    }
    check(!head.expectsContinue || head.version == .http11, "an HTTP/1.0 request expects 100 Continue")

    checkRoundTrip(request, limits: limits)
}

/// Checks that a request written back to bytes parses to the same head and body.
func checkRoundTrip(_ request: ParsedRequest, limits: HTTPLimits) {
    let head = request.head
    var text = "\(head.method) \(head.target) \(head.version)\r\n"
    for (name, value) in head.headers {
        text += "\(name): \(value)\r\n"
    }
    text += "\r\n"
    var bytes = Array(text.utf8)
    switch head.framing {
    case .none:
        break
    case .contentLength:
        bytes += request.body
    case .chunked:
        if !request.body.isEmpty {
            bytes += Array("\(String(request.body.count, radix: 16))\r\n".utf8) + request.body + Array("\r\n".utf8)
        }
        bytes += Array("0\r\n\r\n".utf8)
    }

    // The written head may be longer than the original, because U+FFFD replaced invalid UTF-8.
    var reparseLimits = limits
    reparseLimits.maxHeaderBytes = max(limits.maxHeaderBytes, bytes.count)
    let reparsed = feed(bytes, limits: reparseLimits, splitAt: [])
    check(reparsed.rejection == nil, "a written-back request was rejected: \(reparsed.rejection!.detail)")
    check(reparsed.requests == [request], "a written-back request parsed differently")
    check(reparsed.finalPhase == .idle, "a written-back request left the parser in phase \(reparsed.finalPhase)")
}
