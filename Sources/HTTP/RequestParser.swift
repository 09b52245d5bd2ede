import Glibc

/// An incremental HTTP/1.1 request parser over raw bytes (RFC 9112), with no I/O inside.
///
/// Add bytes with `append(_:)`, then call `next()` until it returns `.needMoreBytes`. Each request yields `.head`
/// and later `.end(body:)`, and bytes after a request stay buffered for the next one. A `.rejected` event is final:
/// every later call returns it again. Limits are checked byte by byte as lines are scanned, so the same bytes give the
/// same events however they are split across `append` calls. When `next()` runs after each `append`, the buffer
/// contains at most one limit's worth of an unfinished line plus the bytes of that append.
struct RequestParser {
    enum Event: Equatable {
        case needMoreBytes
        case head(RequestHead)
        case end(body: [UInt8])
        case rejected(RequestRejection)
    }

    enum Phase: Equatable {
        /// Between requests, with no byte of the next one seen.
        case idle
        /// Inside a request head.
        case head
        /// Inside a body, after `.head` and before `.end`.
        case body
        /// After a rejection.
        case failed
    }

    enum State: Equatable {
        case requestLine
        case fieldLines(RequestLine)
        case fixedBody(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailerLines
        case failed(RequestRejection)
    }

    let limits: HTTPLimits

    var state = State.requestLine
    var buffer: [UInt8] = []
    /// Index of the first byte not yet consumed.
    var start = 0
    /// Bytes after `start` already searched for a line feed, so that a line arriving byte by byte costs linear time.
    var scanned = 0
    /// Whether empty lines were skipped before a request line, which counts as the start of a head.
    var hasSkippedEmptyLine = false
    var headers = HTTPHeaders()
    /// Bytes of the header or trailer section so far, CRLFs included.
    var sectionBytes = 0
    var body: [UInt8] = []

    init(limits: HTTPLimits) {
        self.limits = limits
    }

    var phase: Phase {
        switch state {
        case .requestLine:
            (start < buffer.count || hasSkippedEmptyLine) ? .head : .idle
        case .fieldLines:
            .head
        case .fixedBody, .chunkSizeLine, .chunkData, .chunkDataEnd, .trailerLines:
            .body
        case .failed:
            .failed
        }
    }

    mutating func append(_ bytes: some Collection<UInt8>) {
        // Compact before appending, never during `next()`, so line ranges stay valid while they are parsed.
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 4096 && start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    mutating func next() -> Event {
        while true {
            let step: Event?
            do throws(RequestRejection) {
                step = try advance()
            } catch {
                state = .failed(error)
                return .rejected(error)
            }
            if let step {
                return step
            }
        }
    }

    /// Takes one step; nil means the state changed and parsing goes on.
    private mutating func advance() throws(RequestRejection) -> Event? {
        switch state {
        case .failed(let rejection):
            return .rejected(rejection)
        case .requestLine:
            return try advanceRequestLine()
        case .fieldLines(let requestLine):
            return try advanceFieldLine(requestLine)
        case .fixedBody(let remaining):
            let count = min(remaining, buffer.count - start)
            body.append(contentsOf: buffer[start..<(start + count)])
            start += count
            if count == remaining {
                return finishMessage()
            }
            state = .fixedBody(remaining: remaining - count)
            return .needMoreBytes
        case .chunkSizeLine, .chunkData, .chunkDataEnd, .trailerLines:
            return try advanceChunkedBody()
        }
    }

    private mutating func advanceRequestLine() throws(RequestRejection) -> Event? {
        switch try scanLine(maxLength: limits.maxRequestLineBytes) {
        case .incomplete:
            return .needMoreBytes
        case .tooLong:
            throw requestLineTooLong()
        case .complete(let line):
            // RFC 9112 section 2.2: a server should ignore empty lines received before the request line.
            if line.isEmpty {
                hasSkippedEmptyLine = true
                return nil
            }
            state = .fieldLines(try Self.parseRequestLine(buffer[line]))
            return nil
        }
    }

    private mutating func advanceFieldLine(_ requestLine: RequestLine) throws(RequestRejection) -> Event? {
        // The line's CRLF counts towards the section too.
        let maxLength = limits.maxHeaderBytes - sectionBytes - 2
        switch try scanLine(maxLength: maxLength) {
        case .incomplete:
            return .needMoreBytes
        case .tooLong:
            throw headerSectionTooLarge()
        case .complete(let line):
            sectionBytes += line.count + 2
            if line.isEmpty {
                return try finishHead(requestLine)
            }
            if headers.count >= limits.maxHeaderCount {
                throw RequestRejection(
                    kind: .headerFieldsTooLarge,
                    detail: "The request has more than \(limits.maxHeaderCount) header fields."
                )
            }
            let field = try Self.parseFieldLine(buffer[line])
            if headers.isEmpty {
                headers.reserveCapacity(8)
            }
            headers.add(name: field.name, value: field.value)
            return nil
        }
    }

    private mutating func finishHead(_ requestLine: RequestLine) throws(RequestRejection) -> Event {
        let head = try RequestHead(requestLine, headers: headers, limits: limits)
        headers = HTTPHeaders()
        sectionBytes = 0
        body = []
        switch head.framing {
        case .none:
            state = .fixedBody(remaining: 0)
        case .contentLength(let length):
            // Reserve at most 64 KiB up front, so a large declared length costs memory only as bytes arrive.
            body.reserveCapacity(min(length, 64 * 1024))
            state = .fixedBody(remaining: length)
        case .chunked:
            state = .chunkSizeLine
        }
        return .head(head)
    }

    mutating func finishMessage() -> Event {
        let finished = body
        body = []
        headers = HTTPHeaders()
        sectionBytes = 0
        hasSkippedEmptyLine = false
        state = .requestLine
        return .end(body: finished)
    }

    // MARK: - Lines

    enum LineScan {
        /// A line without its CRLF, as a range of `buffer`; `start` has moved past the CRLF.
        case complete(Range<Int>)
        /// No line feed yet, and the buffered part of the line is within its limit.
        case incomplete
        /// The line has more than the maximum number of bytes before its CRLF.
        case tooLong
    }

    /// Finds the next CRLF-terminated line, rejecting a bare LF or a bare CR (RFC 9112 section 2.2), and returning
    /// `.tooLong` at the first byte that makes the line longer than `maxLength` bytes without its CRLF.
    ///
    /// The checks run byte by byte in order, and a trailing CR waits for the byte after it, so the outcome does not
    /// depend on how the bytes were split across `append` calls. At most `maxLength + 2` bytes of a line are scanned.
    mutating func scanLine(maxLength: Int) throws(RequestRejection) -> LineScan {
        // Until the line has `maxLength` bytes, a byte other than CR or LF needs no check, so such bytes are
        // skipped in bulk. The loop then checks the rest byte by byte.
        var index = firstLineBreakByte(from: start + scanned, before: min(buffer.count, start + maxLength))
        while index < buffer.count {
            let byte = buffer[index]
            if byte == .lineFeed {
                guard index > start && buffer[index - 1] == .carriageReturn else {
                    throw .malformed("A line ends in a bare LF; lines must end in CRLF.")
                }
                let line = start..<(index - 1)
                start = index + 1
                scanned = 0
                return .complete(line)
            }
            // Once the line has `maxLength` bytes, only the CR of its CRLF may come next.
            let position = index - start
            if position > maxLength || (position == maxLength && byte != .carriageReturn) {
                return .tooLong
            }
            if byte == .carriageReturn && index + 1 < buffer.count && buffer[index + 1] != .lineFeed {
                throw .malformed("A line contains a bare CR; CR is allowed only before LF.")
            }
            index += 1
        }
        // A trailing CR of the line is scanned again once the next byte shows whether LF follows it. With no byte of
        // the line buffered, the last byte belongs to what came before, such as a body that ended in CR.
        let pendingCount = buffer.count - start
        let endsInCarriageReturn = pendingCount > 0 && buffer[buffer.count - 1] == .carriageReturn
        scanned = endsInCarriageReturn ? pendingCount - 1 : pendingCount
        return .incomplete
    }

    /// Returns the index of the first CR or LF in `buffer[from..<end]`, or `end` when there is none.
    private func firstLineBreakByte(from: Int, before end: Int) -> Int {
        guard from < end else { return from }
        return buffer.withUnsafeBytes { bytes in
            let base = bytes.baseAddress! + from
            let count = end - from
            let lineFeed = memchr(base, Int32(UInt8.lineFeed), count).map { UnsafeRawPointer($0) - base } ?? count
            let carriageReturn = memchr(base, Int32(UInt8.carriageReturn), lineFeed)
                .map { UnsafeRawPointer($0) - base } ?? lineFeed
            return from + carriageReturn
        }
    }

    private func requestLineTooLong() -> RequestRejection {
        RequestRejection(
            kind: .uriTooLong,
            detail: "The request line exceeds the limit of \(limits.maxRequestLineBytes) bytes."
        )
    }

    private func headerSectionTooLarge() -> RequestRejection {
        RequestRejection(
            kind: .headerFieldsTooLarge,
            detail: "The header section exceeds the limit of \(limits.maxHeaderBytes) bytes."
        )
    }
}
