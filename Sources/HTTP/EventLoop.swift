import Glibc
import Synchronization

/// The thread-safe handle of one event loop: its epoll instance, its wake-up eventfd and its task queue.
///
/// Any thread may `execute` a task; the loop thread runs it with the loop's `EventLoopCore`, which only that thread
/// touches. The handle owns both descriptors and closes them in `deinit`, so a respond closure that outlives the
/// loop still signals a valid eventfd rather than a reused descriptor.
final class EventLoop: Sendable {
    typealias Task = @Sendable (EventLoopCore) -> Void

    private struct TaskQueue {
        var tasks: [Task] = []
        /// Whether the eventfd has been signalled since the loop last took the queue, to save redundant writes.
        var isWakeUpPending = false
        var isStopped = false
    }

    let index: Int
    let epoll: OwnedDescriptor
    let wakeUp: OwnedDescriptor
    private let queue = Mutex(TaskQueue())

    init(index: Int) throws(SystemCallError) {
        self.index = index
        epoll = try Epoll.create()
        wakeUp = try EventFD.create()
        try Epoll.control(
            epfd: epoll.rawValue, op: Epoll.add, fd: wakeUp.rawValue,
            events: Epoll.input, data: EventLoopCore.wakeUpID
        )
    }

    /// Queues `task` for the loop thread and wakes the loop; returns false, without queueing, once the loop has
    /// stopped.
    @discardableResult
    func execute(_ task: @escaping Task) -> Bool {
        let shouldSignal: Bool? = queue.withLock { queue in
            guard !queue.isStopped else { return nil }
            queue.tasks.append(task)
            defer { queue.isWakeUpPending = true }
            return !queue.isWakeUpPending
        }
        guard let shouldSignal else { return false }
        if shouldSignal {
            EventFD.signal(fd: wakeUp.rawValue)
        }
        return true
    }

    /// Removes and returns the queued tasks; called by the loop thread.
    func takeTasks() -> [Task] {
        queue.withLock { queue in
            queue.isWakeUpPending = false
            let tasks = queue.tasks
            queue.tasks = []
            return tasks
        }
    }

    /// Refuses every later task and returns those still queued; called by the loop thread as it exits.
    func stop() -> [Task] {
        queue.withLock { queue in
            queue.isStopped = true
            let remaining = queue.tasks
            queue.tasks = []
            return remaining
        }
    }
}
