import Glibc

/// Accepts every connection of the server on the first loop and hands each to the loop chosen by the caller.
///
/// When the process runs out of descriptors (EMFILE or ENFILE), the acceptor closes a reserved descriptor,
/// accepts and closes the pending connections with the one freed, then reserves it again. If it cannot, or accept
/// fails for another reason such as a lack of memory, it stops watching the listener for 100 ms, so a full
/// descriptor table never makes the loop spin.
final class Acceptor {
    private static let maxAcceptsPerWakeUp = 64
    private static let pauseDuration = Duration.milliseconds(100)
    private static let warningInterval = Duration.seconds(10)

    private let listener: OwnedDescriptor
    private let epoll: Int32
    private let context: ServerContext
    private var reserve: OwnedDescriptor?
    /// When the paused listener is watched again; nil while it is watched.
    private(set) var resumeAt: MonotonicInstant?
    private var lastWarningAt: MonotonicInstant?
    private var suppressedWarningCount = 0

    init(listener: OwnedDescriptor, epoll: Int32, context: ServerContext) {
        self.listener = listener
        self.epoll = epoll
        self.context = context
        self.reserve = Self.openReserve()
    }

    /// Accepts up to `maxAcceptsPerWakeUp` connections and passes each within `maxConnections` to `assign`.
    ///
    /// Connections beyond `maxConnections` are closed at once, so clients see the connection end instead of waiting
    /// in the kernel's queue.
    func acceptConnections(now: MonotonicInstant, assign: (ListeningSocket.Accepted) -> Void) {
        for _ in 0..<Self.maxAcceptsPerWakeUp {
            let result: IOResult<ListeningSocket.Accepted>
            do throws(SystemCallError) {
                result = try ListeningSocket.accept(listener.rawValue)
            } catch {
                guard shouldContinue(after: error, now: now) else { return }
                continue
            }
            guard case .processed(let accepted) = result else { return }

            guard context.reserveConnectionSlot() else {
                closeDescriptor(accepted.descriptor)
                warn("Connection limit reached; closing new connections", now: now, [
                    "connections.max": "\(context.configuration.maxConnections)",
                ])
                continue
            }
            assign(accepted)
        }
    }

    /// Watches the listener again once the pause has passed.
    func resumeIfDue(now: MonotonicInstant) {
        guard let resumeAt, resumeAt <= now else { return }
        self.resumeAt = nil
        setListenerEvents(Epoll.input)
    }

    private func shouldContinue(after error: SystemCallError, now: MonotonicInstant) -> Bool {
        switch error.errno {
        case ECONNABORTED, EPROTO, EPERM, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH:
            // The pending connection failed before accept returned it; accept(2) recommends retrying as for EAGAIN.
            return true
        case EMFILE, ENFILE:
            warn("Accept failed for lack of file descriptors; closing pending connections", now: now, [
                "error": error.description,
            ])
            shedPendingConnections(now: now)
            return false
        default:
            warn("Accept failed; pausing the listener", now: now, ["error": error.description])
            pause(now: now)
            return false
        }
    }

    private func shedPendingConnections(now: MonotonicInstant) {
        guard reserve != nil else {
            pause(now: now)
            return
        }
        reserve = nil

        for _ in 0..<Self.maxAcceptsPerWakeUp {
            let result: IOResult<ListeningSocket.Accepted>
            do {
                result = try ListeningSocket.accept(listener.rawValue)
            } catch {
                break
            }
            guard case .processed(let accepted) = result else { break }
            closeDescriptor(accepted.descriptor)
        }

        reserve = Self.openReserve()
        if reserve == nil {
            pause(now: now)
        }
    }

    private func pause(now: MonotonicInstant) {
        resumeAt = now + Self.pauseDuration
        setListenerEvents(0)
    }

    private func setListenerEvents(_ events: UInt32) {
        do throws(SystemCallError) {
            try Epoll.control(
                epfd: epoll, op: Epoll.modify, fd: listener.rawValue, events: events, data: EventLoopCore.listenerID
            )
        } catch {
            context.log(.error, "Could not change the listener's epoll registration", ["error": error.description])
        }
    }

    /// Logs a warning at most once per `warningInterval`, with the number of warnings left out since the last one.
    private func warn(_ message: String, now: MonotonicInstant, _ metadata: [String: String]) {
        if let lastWarningAt, now < lastWarningAt + Self.warningInterval {
            suppressedWarningCount += 1
            return
        }
        var metadata = metadata
        metadata["log.suppressed"] = "\(suppressedWarningCount)"
        context.log(.warning, message, metadata)
        lastWarningAt = now
        suppressedWarningCount = 0
    }

    private static func openReserve() -> OwnedDescriptor? {
        do throws(SystemCallError) {
            let result = try systemCall("open(/dev/null)") { open("/dev/null", O_RDONLY | O_CLOEXEC) }
            guard case .processed(let descriptor) = result else { return nil }
            return OwnedDescriptor(descriptor)
        } catch {
            return nil
        }
    }
}
