@testable import HTTP

/// A parsed request as the tests inspect it.
struct ParsedRequest {
    let head: RequestHead
    let body: [UInt8]
}

/// The outcome of feeding bytes to a fresh parser.
struct ParseOutcome {
    var requests: [ParsedRequest] = []
    var rejection: RequestRejection?
    /// Whether the parser stopped in the middle of a message, waiting for more bytes.
    var isWaitingInsideMessage = false

    var status: Int? { rejection?.status }
}

/// Feeds `text` in pieces of `pieceSize` bytes (all at once when nil) and collects every event.
func parse(_ text: String, limits: HTTPLimits = HTTPLimits(), pieceSize: Int? = nil) -> ParseOutcome {
    parse(bytes: Array(text.utf8), limits: limits, pieceSize: pieceSize)
}

func parse(bytes: [UInt8], limits: HTTPLimits = HTTPLimits(), pieceSize: Int? = nil) -> ParseOutcome {
    var parser = RequestParser(limits: limits)
    var outcome = ParseOutcome()
    var head: RequestHead?
    let size = max(1, pieceSize ?? bytes.count)
    var offset = 0
    repeat {
        let end = min(offset + size, bytes.count)
        parser.append(bytes[offset..<end])
        offset = end
        events: while true {
            switch parser.next() {
            case .needMoreBytes:
                break events
            case .head(let parsed):
                head = parsed
            case .end(let body):
                outcome.requests.append(ParsedRequest(head: head!, body: body))
                head = nil
            case .rejected(let rejection):
                outcome.rejection = rejection
                return outcome
            }
        }
    } while offset < bytes.count
    outcome.isWaitingInsideMessage = parser.phase != .idle
    return outcome
}
