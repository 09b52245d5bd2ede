import CShim
import Glibc

/// A connected non-blocking TCP socket; it owns its descriptor until `close()` or `deinit`.
final class Socket {
    private var descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close()
    }

    var isClosed: Bool { descriptor < 0 }

    /// The descriptor for registering with epoll; only valid while the socket is open.
    var rawDescriptor: Int32 {
        precondition(!isClosed, "use of a closed socket")
        return descriptor
    }

    func close() {
        guard descriptor >= 0 else { return }
        closeDescriptor(descriptor)
        descriptor = -1
    }

    /// Reads up to `buffer.count` bytes; `.processed(0)` means the peer has closed its sending side.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> IOResult<Int> {
        let fd = rawDescriptor
        return try systemCall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Sends bytes with MSG_NOSIGNAL, so a closed peer yields EPIPE rather than SIGPIPE.
    func send(_ bytes: UnsafeRawBufferPointer) throws(SystemCallError) -> IOResult<Int> {
        let fd = rawDescriptor
        return try systemCall("send") { Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Sends the buffers in order with one sendmsg call and MSG_NOSIGNAL; returns the number of bytes sent, which
    /// may end inside any buffer.
    func send(_ buffers: UnsafeMutableBufferPointer<iovec>) throws(SystemCallError) -> IOResult<Int> {
        let fd = rawDescriptor
        var message = msghdr()
        message.msg_iov = buffers.baseAddress
        message.msg_iovlen = buffers.count
        return try systemCall("sendmsg") { sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) }
    }

    /// Sends FIN and keeps the receiving side open.
    func shutdownOutput() throws(SystemCallError) {
        let fd = rawDescriptor
        try systemCallExpectingResult("shutdown") { Glibc.shutdown(fd, Int32(SHUT_WR)) }
    }

    /// Turns off Nagle's algorithm, because responses are written whole and should leave at once.
    func disableNagle() throws(SystemCallError) {
        let fd = rawDescriptor
        try setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1, call: "setsockopt(TCP_NODELAY)")
    }
}

/// Sets an integer socket option.
func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32, call: StaticString) throws(SystemCallError) {
    var value = value
    try systemCallExpectingResult(call) {
        setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }
}
