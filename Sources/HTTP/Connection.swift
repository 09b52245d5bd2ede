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

    /// Output beyond this size is compacted or released rather than kept for the life of the connection.
    private static let retainedOutputCapacity = 64 * 1024

    let id: UInt64
    let peer: SocketAddress
    var machine: ConnectionStateMachine
    /// The epoll events registered for the socket, to skip redundant epoll_ctl calls.
    var registeredEvents: UInt32
    /// The deadline of this connection's earliest entry in the loop's `DeadlineQueue`.
    var scheduledDeadline: MonotonicInstant?
    private let socket: Socket
    private var output: [UInt8] = []
    private var outputStart = 0

    init(id: UInt64, peer: SocketAddress, socket: Socket, machine: ConnectionStateMachine, registeredEvents: UInt32) {
        self.id = id
        self.peer = peer
        self.socket = socket
        self.machine = machine
        self.registeredEvents = registeredEvents
    }

    var isClosed: Bool { socket.isClosed }

    var hasOutput: Bool { outputStart < output.count }

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
        if outputStart == output.count {
            // With nothing pending, the encoded response becomes the buffer instead of being copied into it.
            output = bytes
            outputStart = 0
            return
        }
        output.append(contentsOf: bytes)
    }

    /// Sends buffered output until it is all written or the socket would block.
    func flush() -> WriteOutcome {
        var madeProgress = false
        while outputStart < output.count {
            let start = outputStart
            let outcome = output.withUnsafeBytes { bytes in
                Result { () throws(SystemCallError) in try socket.send(UnsafeRawBufferPointer(rebasing: bytes[start...])) }
            }
            let result: IOResult<Int>
            switch outcome {
            case .success(let value): result = value
            case .failure(let error): return .failed(error)
            }
            switch result {
            case .processed(let count):
                outputStart += count
                madeProgress = true
            case .wouldBlock:
                if outputStart >= Self.retainedOutputCapacity {
                    output.removeFirst(outputStart)
                    outputStart = 0
                }
                return .blocked(madeProgress: madeProgress)
            }
        }

        if output.capacity > Self.retainedOutputCapacity {
            output = []
        } else {
            output.removeAll(keepingCapacity: true)
        }
        outputStart = 0
        return .drained
    }

    func shutdownOutput() throws(SystemCallError) {
        try socket.shutdownOutput()
    }

    func close() {
        socket.close()
    }
}
