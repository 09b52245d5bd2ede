import CShim
import Glibc

/// A joinable POSIX thread that runs one closure.
struct LoopThread: Sendable {
    private final class Body {
        let name: String
        let run: @Sendable () -> Void

        init(name: String, run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }

    private let handle: pthread_t

    /// Starts a thread that runs `body`, named `name` cut to the 15 bytes that Linux keeps.
    static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws(SystemCallError) -> LoopThread {
        let context = Unmanaged.passRetained(Body(name: name, run: body)).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            // A failure only leaves the thread unnamed, so its result is not checked.
            _ = String(decoding: body.name.utf8.prefix(15), as: UTF8.self).withCString { cshim_set_thread_name($0) }
            body.run()
            return nil
        }, context)
        // pthread_create returns the error number instead of setting errno.
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw SystemCallError(call: "pthread_create", errno: result)
        }
        return LoopThread(handle: handle)
    }

    var isCurrent: Bool { pthread_equal(handle, pthread_self()) != 0 }

    /// Waits for the thread to finish.
    func join() {
        let result = pthread_join(handle, nil)
        precondition(result == 0, "pthread_join failed with error \(result)")
    }
}
