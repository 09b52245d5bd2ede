import Glibc

/// A failed system call, with its name and errno.
struct SocketError: Error, CustomStringConvertible {
    let call: String
    let code: Int32

    init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    var description: String { "\(call) failed: \(String(cString: strerror(code))) (errno \(code))" }
}

/// A TCP socket connected, or connecting, to a port on 127.0.0.1. The owner calls `close()` once.
struct LoopbackSocket {
    let descriptor: Int32

    /// Opens a non-blocking socket and starts connecting. `isConnected` is false while the handshake is in flight.
    static func startConnecting(port: UInt16) throws -> (socket: LoopbackSocket, isConnected: Bool) {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
            | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError("socket") }
        let socket = LoopbackSocket(descriptor: descriptor)

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                Glibc.connect(descriptor, address, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 { return (socket, true) }
        let code = errno
        guard code == EINPROGRESS else {
            socket.close()
            throw SocketError("connect", code: code)
        }
        return (socket, false)
    }

    /// Opens a connection and waits up to `timeoutMilliseconds` for the handshake to finish.
    static func connect(port: UInt16, timeoutMilliseconds: Int32) throws -> LoopbackSocket {
        let (socket, isConnected) = try startConnecting(port: port)
        if !isConnected {
            var entry = pollfd(fd: socket.descriptor, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&entry, 1, timeoutMilliseconds)
            guard ready == 1 else {
                socket.close()
                throw SocketError("connect (poll)", code: ready == 0 ? ETIMEDOUT : errno)
            }
            let code = socket.pendingError()
            guard code == 0 else {
                socket.close()
                throw SocketError("connect", code: code)
            }
        }
        return socket
    }

    /// Returns the socket's `SO_ERROR`, which is 0 after a non-blocking connect succeeded and otherwise its errno.
    func pendingError() -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    /// Writes all of `bytes`, waiting with poll while the send buffer is full.
    func writeAll(_ bytes: [UInt8], timeoutMilliseconds: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written > 0 {
                offset += written
                continue
            }
            let code = errno
            guard written < 0, code == EAGAIN || code == EINTR else { throw SocketError("write", code: code) }
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            guard poll(&entry, 1, timeoutMilliseconds) == 1 else { throw SocketError("write (poll)", code: ETIMEDOUT) }
        }
    }

    /// Reads what has arrived into `reader`, and returns false once the peer has closed the connection.
    func readAvailable(into reader: inout ResponseReader, scratch: inout [UInt8]) throws -> Bool {
        while true {
            let count = scratch.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress!, buffer.count)
            }
            if count > 0 {
                reader.append(scratch[0..<count])
                continue
            }
            if count == 0 { return false }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN { return true }
            throw SocketError("read", code: code)
        }
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}
