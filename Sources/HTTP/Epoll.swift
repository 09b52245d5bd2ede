import CShim
import Glibc

/// Thin wrappers over epoll(7); argument labels repeat the C names.
///
/// Each registration stores a 64-bit id in `epoll_data.u64` (see `EventLoopCore` for the ids in use), never a
/// pointer, so a stale event for a closed connection finds no entry instead of freed memory.
enum Epoll {
    static let input = EPOLLIN.rawValue
    static let output = EPOLLOUT.rawValue
    static let error = EPOLLERR.rawValue
    static let hangUp = EPOLLHUP.rawValue
    static let add = EPOLL_CTL_ADD
    static let modify = EPOLL_CTL_MOD

    static func create() throws(SystemCallError) -> OwnedDescriptor {
        OwnedDescriptor(try systemCallExpectingResult("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) })
    }

    /// Registers, modifies or removes `fd`; level-triggered because no `EPOLLET` is ever passed.
    static func control(epfd: Int32, op: Int32, fd: Int32, events: UInt32, data: UInt64) throws(SystemCallError) {
        var event = cshim_epoll_event(events, data)
        try systemCallExpectingResult("epoll_ctl") { epoll_ctl(epfd, op, fd, &event) }
    }

    /// Waits for events; `timeout` is in milliseconds and -1 waits without limit.
    static func wait(
        epfd: Int32,
        events: UnsafeMutableBufferPointer<epoll_event>,
        timeout: Int32
    ) throws(SystemCallError) -> Int {
        let count = try systemCallExpectingResult("epoll_wait") {
            epoll_wait(epfd, events.baseAddress, Int32(events.count), timeout)
        }
        return Int(count)
    }

    static func data(of event: epoll_event) -> UInt64 {
        withUnsafePointer(to: event) { cshim_epoll_event_data($0) }
    }
}

/// Thin wrappers over eventfd(2), used to wake a loop from other threads.
enum EventFD {
    static func create() throws(SystemCallError) -> OwnedDescriptor {
        let flags = Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)
        return OwnedDescriptor(try systemCallExpectingResult("eventfd") { eventfd(0, flags) })
    }

    /// Adds 1 to the counter, which makes the descriptor readable.
    static func signal(fd: Int32) {
        var one: UInt64 = 1
        do {
            // Would-block means the counter is near overflow, so the descriptor is already readable.
            _ = try systemCall("write") { write(fd, &one, MemoryLayout<UInt64>.size) }
        } catch {
            preconditionFailure("eventfd \(error)")
        }
    }

    /// Resets the counter so that the level-triggered registration stops reporting it.
    static func drain(fd: Int32) {
        var value: UInt64 = 0
        do {
            _ = try systemCall("read") { read(fd, &value, MemoryLayout<UInt64>.size) }
        } catch {
            preconditionFailure("eventfd \(error)")
        }
    }
}
