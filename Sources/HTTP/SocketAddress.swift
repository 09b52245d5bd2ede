import Glibc

/// A numeric IP address and port, such as the peer of a connection.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address in numeric form; IPv6 without brackets.
    public let host: String
    public let port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// `192.0.2.1:8080`, or `[2001:db8::1]:8080` for IPv6.
    public var description: String {
        host.utf8.contains(.colon) ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension SocketAddress {
    /// Reads an AF_INET or AF_INET6 address; nil for any other family.
    init?(_ storage: sockaddr_storage) {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = Int32(storage.ss_family)
        let converted: (host: UnsafePointer<CChar>?, port: UInt16)? = withUnsafePointer(to: &storage) { pointer in
            switch family {
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var bytes = address.pointee.sin_addr
                    return (inet_ntop(AF_INET, &bytes, &text, socklen_t(text.count)), UInt16(bigEndian: address.pointee.sin_port))
                }
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var bytes = address.pointee.sin6_addr
                    return (inet_ntop(AF_INET6, &bytes, &text, socklen_t(text.count)), UInt16(bigEndian: address.pointee.sin6_port))
                }
            default:
                return nil
            }
        }
        guard let converted, converted.host != nil else { return nil }
        let utf8 = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self.init(host: String(decoding: utf8, as: UTF8.self), port: converted.port)
    }

    /// Builds the socket address for a numeric IPv4 or IPv6 host; nil when `host` is neither.
    static func makeStorage(host: String, port: UInt16) -> (storage: sockaddr_storage, length: socklen_t)? {
        var storage = sockaddr_storage()

        var ipv4 = sockaddr_in()
        if inet_pton(AF_INET, host, &ipv4.sin_addr) == 1 {
            ipv4.sin_family = sa_family_t(AF_INET)
            ipv4.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage) { target in
                withUnsafeBytes(of: ipv4) { target.copyMemory(from: $0) }
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size))
        }

        var ipv6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &ipv6.sin6_addr) == 1 {
            ipv6.sin6_family = sa_family_t(AF_INET6)
            ipv6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage) { target in
                withUnsafeBytes(of: ipv6) { target.copyMemory(from: $0) }
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }

        return nil
    }
}
