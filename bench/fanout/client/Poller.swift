import Glibc

/// One parked long poll: its connection, the bytes of its response so far, and how it ended.
struct Poller {
    enum Outcome {
        case waiting
        /// A complete response, with the time it was read.
        case answered(status: Int, etag: String?, at: ContinuousClock.Instant)
        case closedWithoutResponse
        case failed(String)
    }

    let socket: LoopbackSocket
    var reader = ResponseReader()
    var outcome = Outcome.waiting
    /// Whether the response or the close came before the change was sent.
    var endedBeforeChange = false
    private(set) var isClosed = false

    var isWaiting: Bool {
        if case .waiting = outcome { return true }
        return false
    }

    /// Reads what has arrived and records the outcome once the response is complete or the connection is gone.
    /// The time is taken right after the read that completes the response.
    ///
    /// A connection that received its response stays open until `close()`. Real pollers keep their connection
    /// for the next poll, so the server's work of closing it stays out of the measured time.
    mutating func readAvailable(scratch: inout [UInt8]) {
        do {
            let isOpen = try socket.readAvailable(into: &reader, scratch: &scratch)
            if let response = try reader.response() {
                outcome = .answered(status: response.status, etag: response.header("ETag"), at: ContinuousClock.now)
                reader = ResponseReader()
                return
            }
            guard !isOpen else { return }
            outcome = .closedWithoutResponse
        } catch {
            outcome = .failed("\(error)")
        }
        close()
    }

    mutating func close() {
        guard !isClosed else { return }
        socket.close()
        isClosed = true
        reader = ResponseReader()
    }
}
