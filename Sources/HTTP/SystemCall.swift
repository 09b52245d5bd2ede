import Glibc

/// The result of a non-blocking system call: its value, or the sign that it would have blocked.
enum IOResult<Value> {
    case processed(Value)
    case wouldBlock
}

/// A failed system call and the `errno` it set.
struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    let call: String
    let errno: Int32

    var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Runs `body`, a libc call that returns -1 and sets `errno` on failure, retrying when it is interrupted (EINTR).
///
/// EAGAIN and EWOULDBLOCK come back as `.wouldBlock`. EBADF and EFAULT trap: they can only mean a descriptor or
/// pointer bug in this module, and carrying on could act on a descriptor that now belongs to another connection.
/// Every other `errno` is thrown with the call's name.
@inline(__always)
func systemCall<Value: FixedWidthInteger & SignedInteger>(
    _ name: StaticString,
    _ body: () -> Value
) throws(SystemCallError) -> IOResult<Value> {
    while true {
        let result = body()
        if result != -1 {
            return .processed(result)
        }
        let code = errno
        if code == EINTR {
            continue
        }
        if code == EAGAIN || code == EWOULDBLOCK {
            return .wouldBlock
        }
        if code == EBADF || code == EFAULT {
            preconditionFailure("\(name) failed with errno \(code): a descriptor or pointer bug in the HTTP module")
        }
        throw SystemCallError(call: "\(name)", errno: code)
    }
}

/// Runs a call that never reports would-block, such as `bind` or `epoll_ctl`, and returns its value.
@inline(__always)
@discardableResult
func systemCallExpectingResult<Value: FixedWidthInteger & SignedInteger>(
    _ name: StaticString,
    _ body: () -> Value
) throws(SystemCallError) -> Value {
    switch try systemCall(name, body) {
    case .processed(let value):
        return value
    case .wouldBlock:
        throw SystemCallError(call: "\(name)", errno: EAGAIN)
    }
}

/// Closes `descriptor` without retrying.
///
/// Linux releases the descriptor even when close(2) reports EINTR, so a retry could close a descriptor that another
/// thread has opened since. Other errors such as EIO carry nothing a socket owner can act on, so they are ignored.
func closeDescriptor(_ descriptor: Int32) {
    if Glibc.close(descriptor) == -1 && errno == EBADF {
        preconditionFailure("close(\(descriptor)) failed with EBADF: a descriptor was closed twice")
    }
}

/// A descriptor that belongs to this object for its whole life and is closed in `deinit`.
final class OwnedDescriptor: Sendable {
    let rawValue: Int32

    init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    deinit {
        closeDescriptor(rawValue)
    }
}
