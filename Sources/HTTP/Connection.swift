import Glibc

/// One accepted connection on a loop: its socket, its state machine and the response bytes not yet sent.
final class Connection {
    enum ReadOutcome {
        case received(Int)
        case endOfInput
        case wouldBlock
        case failed(SystemCallError)
    }

    enum WriteOutcome {
        case drained
        case blocked(madeProgress: Bool)
        case failed(SystemCallError)
    }

    /// Buffers handed to one sendmsg call at most; more wait for the next call.
    private static let maxBuffersPerSend = 16

    let id: UInt64
    let peer: SocketAddress
    var machine: ConnectionStateMachine
    /// The epoll events registered for the socket, to skip redundant epoll_ctl calls.
    var registeredEvents: UInt32
    /// The deadline of this connection's earliest entry in the loop's `DeadlineQueue`.
    var scheduledDeadline: MonotonicInstant?
    private let socket: Socket
    /// Output not yet sent, in order: response heads and bodies as they were queued, never copied together, so that
    /// many responses with one bundle share its bytes.
    private var output: [[UInt8]] = []
    /// The first buffer of `output` still to send, and how much of it is already sent.
    private var outputIndex = 0
    private var sentOfFirst = 0

    init(id: UInt64, peer: SocketAddress, socket: Socket, machine: ConnectionStateMachine, registeredEvents: UInt32) {
        self.id = id
        self.peer = peer
        self.socket = socket
        self.machine = machine
        self.registeredEvents = registeredEvents
    }

    var isClosed: Bool { socket.isClosed }

    var hasOutput: Bool { outputIndex < output.count }

    var descriptor: Int32 { socket.rawDescriptor }

    func read(into buffer: inout [UInt8]) -> ReadOutcome {
        let outcome = buffer.withUnsafeMutableBytes { bytes in
            Result { () throws(SystemCallError) in try socket.read(into: bytes) }
        }
        let result: IOResult<Int>
        switch outcome {
        case .success(let value): result = value
        case .failure(let error): return .failed(error)
        }
        switch result {
        case .processed(0): return .endOfInput
        case .processed(let count): return .received(count)
        case .wouldBlock: return .wouldBlock
        }
    }

    func enqueue(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        // A client that keeps the queue from ever draining would otherwise grow it by one sent slot per buffer.
        if outputIndex >= Self.maxBuffersPerSend && outputIndex * 2 >= output.count {
            output.removeFirst(outputIndex)
            outputIndex = 0
        }
        output.append(bytes)
    }

    /// Sends queued output until it is all written or the socket would block.
    func flush() -> WriteOutcome {
        var madeProgress = false
        while outputIndex < output.count {
            let outcome = sendQueued()
            let sent: Int
            switch outcome {
            case .success(.processed(let count)):
                sent = count
            case .success(.wouldBlock):
                return .blocked(madeProgress: madeProgress)
            case .failure(let error):
                return .failed(error)
            }
            madeProgress = true
            consume(sent)
        }
        output.removeAll(keepingCapacity: output.capacity <= Self.maxBuffersPerSend)
        outputIndex = 0
        sentOfFirst = 0
        return .drained
    }

    /// Sends as many queued buffers as one sendmsg call takes.
    private func sendQueued() -> Result<IOResult<Int>, SystemCallError> {
        let count = min(output.count - outputIndex, Self.maxBuffersPerSend)
        if count == 1 {
            // One buffer, such as a 304's head, needs no vector.
            let skipped = sentOfFirst
            return output[outputIndex].withUnsafeBytes { bytes in
                Result { () throws(SystemCallError) in try socket.send(UnsafeRawBufferPointer(rebasing: bytes[skipped...])) }
            }
        }
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { vectors in
            // The pointers stay valid during the call, because `output` keeps the arrays alive and nothing here
            // changes it.
            for position in 0..<count {
                output[outputIndex + position].withUnsafeBytes { bytes in
                    let skipped = position == 0 ? sentOfFirst : 0
                    vectors[position] = iovec(
                        iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress! + skipped),
                        iov_len: bytes.count - skipped
                    )
                }
            }
            return Result { () throws(SystemCallError) in try socket.send(vectors) }
        }
    }

    /// Drops `count` sent bytes from the front of the queue, releasing the buffers sent in full.
    private func consume(_ count: Int) {
        var remaining = count
        while remaining > 0 && outputIndex < output.count {
            let left = output[outputIndex].count - sentOfFirst
            if remaining < left {
                sentOfFirst += remaining
                return
            }
            remaining -= left
            output[outputIndex] = []
            outputIndex += 1
            sentOfFirst = 0
        }
    }

    func shutdownOutput() throws(SystemCallError) {
        try socket.shutdownOutput()
    }

    func close() {
        socket.close()
    }
}
