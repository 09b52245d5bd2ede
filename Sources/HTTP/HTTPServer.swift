import Glibc
import Synchronization

/// An HTTP/1.1 server on non-blocking POSIX sockets, with `loopCount` threads that each run one epoll loop.
///
/// - Accepting: one listening socket, watched by the first loop, which accepts every connection and hands each to
///   the loops in turn through their task queues. A single acceptor keeps `maxConnections` exact and handles
///   descriptor exhaustion in one place. SO_REUSEPORT would let the kernel spread accepts instead, but it also lets
///   any process of the same user bind the same port.
/// - Readiness: level-triggered epoll, registered only for the events a connection currently wants.
/// - Deadlines: each loop keeps a min-heap of connection deadlines, and epoll_wait sleeps until the earliest.
/// - Responses: `HTTPResponder.handle` runs on the loop thread. A response made before `handle` returns is written
///   in the same pass. The `respond` closure may also run later, on any thread; it then queues the response on the
///   connection's loop and signals that loop's eventfd.
///
/// The loop threads run until `shutdown(gracePeriod:)`; releasing a running server does not stop them.
public final class HTTPServer: Sendable {
    private enum State {
        case idle
        case running(loops: [EventLoop], threads: [LoopThread], context: ServerContext)
        case stopped
    }

    private let configuration: HTTPServerConfiguration
    private let responder: any HTTPResponder
    private let log: ServerLogger
    private let state = Mutex(State.idle)
    private let port = Atomic<UInt16>(0)

    public init(configuration: HTTPServerConfiguration, responder: some HTTPResponder) {
        self.configuration = configuration
        self.responder = responder
        self.log = ServerLogger(handler: configuration.logHandler)
    }

    /// The port the server listens on, which differs from the configured one when that is 0; 0 before `start()`.
    public var boundPort: UInt16 { port.load(ordering: .acquiring) }

    /// Client connections open now; 0 when the server is not running.
    public var openConnectionCount: Int {
        state.withLock { state in
            guard case .running(_, _, let context) = state else { return 0 }
            return context.openConnectionCount
        }
    }

    /// Binds and listens, starts the loop threads and returns; a second call throws `alreadyStarted`.
    public func start() throws(HTTPServerError) {
        try state.withLock { (state) throws(HTTPServerError) in
            guard case .idle = state else { throw .alreadyStarted }
            try Self.validate(configuration)

            let (listener, boundPort) = try ListeningSocket.open(
                host: configuration.host, port: configuration.port, backlog: SOMAXCONN
            )
            var loops: [EventLoop] = []
            do throws(SystemCallError) {
                for index in 0..<configuration.loopCount {
                    loops.append(try EventLoop(index: index))
                }
                try Epoll.control(
                    epfd: loops[0].epoll.rawValue, op: Epoll.add, fd: listener.rawValue,
                    events: Epoll.input, data: EventLoopCore.listenerID
                )
            } catch {
                throw .systemCallFailed(call: error.call, errno: error.errno)
            }

            let context = ServerContext(configuration: configuration, responder: responder, loops: loops)
            // The task is the listener's only other owner, so once it has run, the acceptor alone can close it.
            loops[0].execute { core in core.startAccepting(listener) }

            var threads: [LoopThread] = []
            for loop in loops {
                do throws(SystemCallError) {
                    threads.append(try LoopThread.spawn(name: "http-loop-\(loop.index)") {
                        EventLoopCore(loop: loop, context: context).run()
                    })
                } catch {
                    for started in loops.prefix(threads.count) {
                        started.execute { core in core.beginShutdown(deadline: .now) }
                    }
                    threads.forEach { $0.join() }
                    throw .systemCallFailed(call: error.call, errno: error.errno)
                }
            }

            port.store(boundPort, ordering: .releasing)
            state = .running(loops: loops, threads: threads, context: context)
        }
        log(.info, "HTTP server started", [
            "listen.host": configuration.host, "listen.port": "\(boundPort)", "loops": "\(configuration.loopCount)",
        ])
    }

    /// Stops accepting, lets requests in progress finish for up to `gracePeriod`, closes every connection and
    /// waits for the loop threads to end.
    ///
    /// Idle connections close at once; the others get `Connection: close` on their last response. A call on a
    /// server that is not running, or a second concurrent call, returns at once. It must not be called on a loop
    /// thread, such as from inside `HTTPResponder.handle`, because it waits for those threads.
    public func shutdown(gracePeriod: Duration) {
        let running: (loops: [EventLoop], threads: [LoopThread])? = state.withLock { state in
            guard case .running(let loops, let threads, _) = state else { return nil }
            state = .stopped
            return (loops, threads)
        }
        guard let running else { return }
        precondition(
            !running.threads.contains(where: \.isCurrent),
            "HTTPServer.shutdown was called on an event-loop thread, which it would wait for forever"
        )

        let deadline = MonotonicInstant.now + gracePeriod
        for loop in running.loops {
            loop.execute { core in core.beginShutdown(deadline: deadline) }
        }
        for thread in running.threads {
            thread.join()
        }
        log(.info, "HTTP server stopped", ["listen.port": "\(boundPort)"])
    }

    private static func validate(_ configuration: HTTPServerConfiguration) throws(HTTPServerError) {
        guard configuration.loopCount >= 1 else {
            throw .invalidConfiguration("loopCount is \(configuration.loopCount); it must be at least 1")
        }
        guard configuration.maxConnections >= 1 else {
            throw .invalidConfiguration("maxConnections is \(configuration.maxConnections); it must be at least 1")
        }
        let limits = configuration.limits
        guard limits.maxPipelinedRequests >= 1 else {
            throw .invalidConfiguration("limits.maxPipelinedRequests is \(limits.maxPipelinedRequests); it must be at least 1")
        }
        let sizes = [
            limits.maxRequestLineBytes, limits.maxHeaderCount, limits.maxHeaderBytes, limits.maxBodyBytes,
            limits.maxChunkExtensionBytes, limits.maxTrailerBytes,
        ]
        guard sizes.allSatisfy({ $0 >= 0 }) else {
            throw .invalidConfiguration("a size limit is negative; every HTTPLimits value must be 0 or more")
        }
        let timeouts = configuration.timeouts
        guard [timeouts.head, timeouts.body, timeouts.idle, timeouts.write].allSatisfy({ $0 > .zero }) else {
            throw .invalidConfiguration("a timeout is zero or negative; every HTTPTimeouts value must be positive")
        }
    }
}
