import CShim
import Glibc

/// The loop-thread side of an event loop: its connections, their deadlines and, on the first loop, the acceptor.
///
/// Only the thread that calls `run()` touches this object. It sleeps in epoll_wait with level-triggered
/// registrations: a connection is registered for input only while its state machine reads, and for output only
/// while response bytes wait to be sent, so a readiness that is not wanted is never reported. Each wait ends at the
/// earliest connection deadline, listener pause or shutdown deadline.
///
/// Registrations carry these ids in `epoll_data.u64`: `wakeUpID` for the eventfd, `listenerID` for the listening
/// socket, and from `firstConnectionID` up one id per connection, never reused by this loop.
final class EventLoopCore {
    static let wakeUpID: UInt64 = 0
    static let listenerID: UInt64 = 1
    private static let firstConnectionID: UInt64 = 2
    private static let readBufferSize = 64 * 1024
    private static let maxEventsPerWait = 256

    let loop: EventLoop
    let context: ServerContext
    var acceptor: Acceptor?
    var connections: [UInt64: Connection] = [:]
    var deadlines = DeadlineQueue()
    var dates = HTTPDateCache()
    var readBuffer = [UInt8](repeating: 0, count: readBufferSize)
    private var nextConnectionID = firstConnectionID
    private var nextLoopIndex = 0
    private var shutdownDeadline: MonotonicInstant?
    private var isStopped = false

    init(loop: EventLoop, context: ServerContext) {
        self.loop = loop
        self.context = context
    }

    var log: ServerLogger { context.log }

    /// Runs the loop until shutdown has closed every connection or its grace period has passed.
    func run() {
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: Self.maxEventsPerWait)
        defer { events.deallocate() }

        while true {
            let now = MonotonicInstant.now
            if let shutdownDeadline {
                if connections.isEmpty { break }
                if now >= shutdownDeadline {
                    closeAllConnections()
                    break
                }
            }

            let count: Int
            do throws(SystemCallError) {
                count = try Epoll.wait(epfd: loop.epoll.rawValue, events: events, timeout: waitTimeout(now: now))
            } catch {
                // epoll_wait fails only with EBADF, EFAULT, EINTR or EINVAL, so anything thrown here is a bug.
                preconditionFailure("\(error)")
            }

            let woken = MonotonicInstant.now
            for event in events.prefix(count) {
                switch Epoll.data(of: event) {
                case Self.wakeUpID:
                    EventFD.drain(fd: loop.wakeUp.rawValue)
                case Self.listenerID:
                    acceptConnections(now: woken)
                case let id:
                    if let connection = connections[id] {
                        handle(events: event.events, on: connection, now: woken)
                    }
                }
            }
            for task in loop.takeTasks() {
                task(self)
            }
            fireDeadlines(now: MonotonicInstant.now)
            acceptor?.resumeIfDue(now: MonotonicInstant.now)
        }

        finish()
    }

    /// Takes over the listening socket, already registered with this loop's epoll under `listenerID`.
    func startAccepting(_ listener: OwnedDescriptor) {
        guard shutdownDeadline == nil else { return }
        acceptor = Acceptor(listener: listener, epoll: loop.epoll.rawValue, context: context)
    }

    /// Stops accepting and tells every connection to finish its current request; `run()` returns when all are closed
    /// or at `deadline`.
    func beginShutdown(deadline: MonotonicInstant) {
        shutdownDeadline = deadline
        // Releasing the acceptor closes the listening socket, which also removes it from epoll.
        acceptor = nil
        let now = MonotonicInstant.now
        for connection in Array(connections.values) {
            perform(connection.machine.shutdownRequested(now: now), on: connection, now: now)
            refresh(connection, now: now)
        }
    }

    /// Starts serving a socket accepted by the first loop.
    func adopt(descriptor: Int32, peer: SocketAddress) {
        let socket = Socket(descriptor: descriptor)
        guard !isStopped && shutdownDeadline == nil else {
            socket.close()
            context.releaseConnectionSlot()
            return
        }
        do throws(SystemCallError) {
            try socket.disableNagle()
        } catch {
            log(.debug, "Could not disable Nagle's algorithm", ["connection.peer": peer.description, "error": "\(error)"])
        }

        let id = nextConnectionID
        nextConnectionID += 1
        do throws(SystemCallError) {
            try Epoll.control(epfd: loop.epoll.rawValue, op: Epoll.add, fd: descriptor, events: Epoll.input, data: id)
        } catch {
            log(.warning, "Could not register a connection with epoll; closing it", [
                "connection.peer": peer.description, "error": error.description,
            ])
            socket.close()
            context.releaseConnectionSlot()
            return
        }

        let machine = ConnectionStateMachine(
            peer: peer, loopIndex: loop.index, limits: context.configuration.limits, timeouts: context.configuration.timeouts,
            now: MonotonicInstant.now
        )
        let connection = Connection(id: id, peer: peer, socket: socket, machine: machine, registeredEvents: Epoll.input)
        connections[id] = connection
        scheduleDeadline(of: connection)
    }

    /// Applies a response produced by the responder, possibly on another thread.
    func deliver(_ response: HTTPResponse, sequence: UInt64, connectionID: UInt64) {
        // The connection may have closed while the responder worked; the response is then dropped.
        guard let connection = connections[connectionID] else { return }
        let now = MonotonicInstant.now
        perform(connection.machine.responseReady(response, sequence: sequence, now: now), on: connection, now: now)
        refresh(connection, now: now)
    }

    // MARK: - Accepting

    private func acceptConnections(now: MonotonicInstant) {
        acceptor?.acceptConnections(now: now) { accepted in
            let target = context.loops[nextLoopIndex]
            nextLoopIndex = (nextLoopIndex + 1) % context.loops.count
            if target === loop {
                adopt(descriptor: accepted.descriptor, peer: accepted.peer)
                return
            }
            let handedOver = target.execute { core in
                core.adopt(descriptor: accepted.descriptor, peer: accepted.peer)
            }
            if !handedOver {
                closeDescriptor(accepted.descriptor)
                context.releaseConnectionSlot()
            }
        }
    }

    // MARK: - Deadlines

    private func waitTimeout(now: MonotonicInstant) -> Int32 {
        var earliest = deadlines.earliest
        if let resumeAt = acceptor?.resumeAt, earliest.map({ resumeAt < $0 }) ?? true {
            earliest = resumeAt
        }
        if let shutdownDeadline, earliest.map({ shutdownDeadline < $0 }) ?? true {
            earliest = shutdownDeadline
        }
        guard let earliest else { return -1 }
        let remaining = earliest.nanoseconds - now.nanoseconds
        guard remaining > 0 else { return 0 }
        // Round up, so the loop does not wake a little early and wait again with a zero timeout.
        return Int32(clamping: (remaining + 999_999) / 1_000_000)
    }

    func scheduleDeadline(of connection: Connection) {
        guard let deadline = connection.machine.nextDeadline else { return }
        if let scheduled = connection.scheduledDeadline, scheduled <= deadline { return }
        deadlines.insert(DeadlineQueue.Entry(deadline: deadline, connectionID: connection.id))
        connection.scheduledDeadline = deadline
    }

    private func fireDeadlines(now: MonotonicInstant) {
        var expired: [DeadlineQueue.Entry] = []
        while let entry = deadlines.popExpired(now: now) {
            expired.append(entry)
        }
        for entry in expired {
            // An entry is stale when its connection has closed or queued an earlier deadline since.
            guard let connection = connections[entry.connectionID], connection.scheduledDeadline == entry.deadline else {
                continue
            }
            connection.scheduledDeadline = nil
            if let deadline = connection.machine.nextDeadline, deadline <= now {
                perform(connection.machine.deadlineReached(now: now), on: connection, now: now)
            }
            refresh(connection, now: now)
        }
    }

    // MARK: - Stopping

    private func closeAllConnections() {
        for connection in Array(connections.values) {
            close(connection)
        }
    }

    private func finish() {
        acceptor = nil
        closeAllConnections()
        isStopped = true
        // Tasks queued before the stop still run: an adopted socket is closed and a late response is dropped.
        for task in loop.stop() {
            task(self)
        }
    }
}
