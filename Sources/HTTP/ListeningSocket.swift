import CShim
import Glibc

/// The listening TCP socket and the accept call on it.
enum ListeningSocket {
    /// A connection taken from the accept queue, already non-blocking and close-on-exec.
    struct Accepted {
        let descriptor: Int32
        let peer: SocketAddress
    }

    /// Opens a non-blocking socket bound to `host` and `port` and listening, and returns it with the bound port.
    static func open(host: String, port: UInt16, backlog: Int32) throws(HTTPServerError) -> (OwnedDescriptor, UInt16) {
        guard let (storage, length) = SocketAddress.makeStorage(host: host, port: port) else {
            throw .invalidHost(host)
        }
        var address = storage

        do throws(SystemCallError) {
            let family = Int32(address.ss_family)
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
            let listener = OwnedDescriptor(try systemCallExpectingResult("socket") { socket(family, type, 0) })
            let fd = listener.rawValue

            // SO_REUSEADDR lets a restarted server bind while old connections sit in TIME_WAIT.
            try setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1, call: "setsockopt(SO_REUSEADDR)")
            try withUnsafePointer(to: &address) { (pointer) throws(SystemCallError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (socketAddress) throws(SystemCallError) in
                    _ = try systemCallExpectingResult("bind") { bind(fd, socketAddress, length) }
                }
            }
            try systemCallExpectingResult("listen") { listen(fd, backlog) }

            var bound = sockaddr_storage()
            var boundLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            try withUnsafeMutablePointer(to: &bound) { (pointer) throws(SystemCallError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (socketAddress) throws(SystemCallError) in
                    _ = try systemCallExpectingResult("getsockname") { getsockname(fd, socketAddress, &boundLength) }
                }
            }
            guard let boundAddress = SocketAddress(bound) else {
                throw SystemCallError(call: "getsockname", errno: EAFNOSUPPORT)
            }
            return (listener, boundAddress.port)
        } catch {
            throw .systemCallFailed(call: error.call, errno: error.errno)
        }
    }

    /// Takes one connection from the accept queue; `.wouldBlock` when the queue is empty.
    static func accept(_ listener: Int32) throws(SystemCallError) -> IOResult<Accepted> {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let result = try withUnsafeMutablePointer(to: &address) { (pointer) throws(SystemCallError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (socketAddress) throws(SystemCallError) in
                try systemCall("accept4") { cshim_accept4(listener, socketAddress, &length, flags) }
            }
        }
        guard case .processed(let descriptor) = result else {
            return .wouldBlock
        }
        // A TCP listener only yields IPv4 or IPv6 peers; the fallback keeps a surprise from leaking the descriptor.
        let peer = SocketAddress(address) ?? SocketAddress(host: "unknown", port: 0)
        return .processed(Accepted(descriptor: descriptor, peer: peer))
    }
}
