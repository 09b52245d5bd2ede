import COpenSSL

extension SigningError {
    /// Builds an `.openSSLFailure` for `call` from the first entry of this thread's OpenSSL error queue,
    /// then clears the queue so that a later failure does not report a stale entry.
    static func openSSL(_ call: String) -> SigningError {
        .openSSLFailure(call: call, reason: OpenSSLErrorQueue.takeFirstMessage())
    }
}

/// Access to OpenSSL's per-thread error queue.
enum OpenSSLErrorQueue {
    /// Returns the message of the earliest queued error and empties the queue.
    static func takeFirstMessage() -> String {
        let code = ERR_get_error()
        defer { ERR_clear_error() }
        guard code != 0 else {
            return "OpenSSL queued no error"
        }

        // ERR_error_string_n truncates to the buffer and always writes a terminating NUL. 256 bytes is the
        // buffer size that the older ERR_error_string requires, so messages fit.
        var message = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &message, message.count)
        return String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Empties the queue after a failure that is reported as a value (such as a signature that does not
    /// verify), so that the entries do not surface in an unrelated later error.
    static func clear() {
        ERR_clear_error()
    }
}
