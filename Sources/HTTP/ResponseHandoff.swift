import Synchronization

/// Carries one request's response back to the loop that owns its connection.
///
/// Most responses are made while `HTTPResponder.handle` is still running on the loop thread. The loop takes
/// those directly when `handle` returns and writes them in the same pass, which saves a task, a wake-up and a
/// second pass over the connection. A response made later, or on another thread, is queued on the loop as a task.
final class ResponseHandoff: Sendable {
    private enum State {
        case handling
        case answeredDuringHandling(HTTPResponse)
        case handled
    }

    private let loop: EventLoop
    private let sequence: UInt64
    private let connectionID: UInt64
    private let state = Mutex(State.handling)

    init(loop: EventLoop, sequence: UInt64, connectionID: UInt64) {
        self.loop = loop
        self.sequence = sequence
        self.connectionID = connectionID
    }

    /// Delivers the response. This is the `respond` closure given to the responder, and it may run on any thread.
    func respond(_ response: HTTPResponse) {
        let isTakenByHandler = state.withLock { state in
            guard case .handling = state else { return false }
            state = .answeredDuringHandling(response)
            return true
        }
        guard !isTakenByHandler else { return }
        let (sequence, connectionID) = (self.sequence, self.connectionID)
        loop.execute { core in
            core.deliver(response, sequence: sequence, connectionID: connectionID)
        }
    }

    /// Marks `handle` as returned and gives back the response made during it, if any; called on the loop thread.
    func finishHandling() -> HTTPResponse? {
        state.withLock { state in
            defer { state = .handled }
            if case .answeredDuringHandling(let response) = state {
                return response
            }
            return nil
        }
    }
}
