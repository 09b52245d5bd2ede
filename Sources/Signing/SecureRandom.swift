import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    public static func bytes(count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let succeeded = bytes.withUnsafeMutableBytes { buffer in
            RAND_bytes(buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(buffer.count))
        }
        // A DRBG that cannot seed must stop the process: a predictable key or token is worse than no service.
        precondition(succeeded == 1, "RAND_bytes failed: the random generator could not be seeded")
        return bytes
    }
}
