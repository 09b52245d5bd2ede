/// The facts about a request that decide how its response is framed.
struct ResponseContext: Sendable, Equatable {
    /// Whether the request was `HEAD`, so the body is left out but its length is still sent.
    var isHeadRequest: Bool
    var requestVersion: HTTPVersion
    /// Whether the connection closes after this response, announced with `Connection: close`.
    var closesConnection: Bool
}

/// A response the server must not send as given.
struct InvalidResponseError: Error, Sendable, Equatable, CustomStringConvertible {
    let description: String
}

/// A response ready to send: the encoded head, then the body.
struct EncodedResponse {
    let head: [UInt8]
    /// The responder's body itself, not a copy, so that responses carrying the same bundle share its storage. It is
    /// empty when the response has none, such as for `HEAD`, 204 and 304.
    let body: [UInt8]
}

/// Serializes responses into HTTP/1.1 bytes.
enum ResponseEncoder {
    static let continueBytes = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    // Fields that the server sets itself (Content-Length, Transfer-Encoding, Connection, Keep-Alive) are
    // dropped from a responder's headers; see isServerField.

    /// Encodes the status line, the responder's fields, `Date`, `Content-Length` and `Connection`, and passes the
    /// body on.
    ///
    /// 204 and 304 responses get neither a body nor `Content-Length`. A `HEAD` response gets the `Content-Length`
    /// of the body it was given but not the body (RFC 9110 section 9.3.2).
    static func encode(
        _ response: HTTPResponse,
        context: ResponseContext,
        date: String
    ) throws(InvalidResponseError) -> EncodedResponse {
        let status = response.status
        guard (200...999).contains(status) else {
            throw InvalidResponseError(description: "status \(status) is not a final status from 200 to 999")
        }
        let statusLine = HTTPStatus.statusLine(for: status)
        let hasContent = status != 204 && status != 304
        let includesBody = hasContent && !context.isHeadRequest
        let contentLength = hasContent ? String(response.body.count) : nil
        var connection: String?
        if context.closesConnection {
            connection = "close"
        } else if context.requestVersion == .http10 {
            connection = "keep-alive"
        }

        // The size of the head is counted first, and the bytes are then copied into a buffer of exactly that size.
        // This runs for every response, and growing a buffer field by field was a measurable share of a 304's cost.
        var size = statusLine.utf8.count + 2
        var hasDate = response.encodedFields?.includesDate ?? false
        size += response.encodedFields?.bytes.count ?? 0
        let fields = response.headers.fields
        for index in fields.indices {
            try validateField(fields[index].name, fields[index].value)
            if isServerField(fields[index].name) { continue }
            if !hasDate, fields[index].name.equalsIgnoringASCIICase("Date") { hasDate = true }
            size += fieldSize(fields[index].name, fields[index].value)
        }
        if !hasDate { size += fieldSize("Date", date) }
        if let contentLength { size += fieldSize("Content-Length", contentLength) }
        if let connection { size += fieldSize("Connection", connection) }

        let head = [UInt8](unsafeUninitializedCapacity: size) { buffer, initializedCount in
            var writer = ByteWriter(buffer: buffer)
            writer.append(statusLine)
            if let encodedFields = response.encodedFields {
                encodedFields.bytes.withUnsafeBufferPointer { writer.append($0) }
            }
            for index in fields.indices where !isServerField(fields[index].name) {
                writer.appendField(fields[index].name, fields[index].value)
            }
            if !hasDate { writer.appendField("Date", date) }
            if let contentLength { writer.appendField("Content-Length", contentLength) }
            if let connection { writer.appendField("Connection", connection) }
            writer.append("\r\n")
            precondition(writer.count == size, "the response encoder counted \(size) bytes but wrote \(writer.count)")
            initializedCount = writer.count
        }
        return EncodedResponse(head: head, body: includesBody ? response.body : [])
    }

    /// Returns the byte count of `name: value` and its CRLF.
    private static func fieldSize(_ name: String, _ value: String) -> Int {
        name.utf8.count + 2 + value.utf8.count + 2
    }

    /// Returns whether the server sets this field itself; the length check skips most names without comparing.
    static func isServerField(_ name: String) -> Bool {
        switch name.utf8.count {
        case 10: name.equalsIgnoringASCIICase("Connection") || name.equalsIgnoringASCIICase("Keep-Alive")
        case 14: name.equalsIgnoringASCIICase("Content-Length")
        case 17: name.equalsIgnoringASCIICase("Transfer-Encoding")
        default: false
        }
    }

    /// Rejects what would corrupt the framing or inject fields: a name that is not a token, or a value with a control
    /// character other than HTAB (CR and LF included). Fields the server drops are checked too, since a responder
    /// that builds them from input has the same fault in its other fields.
    private static func validateField(_ name: String, _ value: String) throws(InvalidResponseError) {
        guard isValidFieldName(name) else {
            throw InvalidResponseError(description: "header field name \"\(name)\" is not a token")
        }
        guard isValidFieldValue(value) else {
            throw InvalidResponseError(description: "value of header field \(name) contains a control character")
        }
    }

    static func isValidField(_ name: String, _ value: String) -> Bool {
        isValidFieldName(name) && isValidFieldValue(value)
    }

    private static func isValidFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.allUTF8Bytes(satisfy: { $0.isTokenCharacter })
    }

    private static func isValidFieldValue(_ value: String) -> Bool {
        !value.withUTF8Bytes { $0.containsFieldControlCharacter() }
    }
}

/// Copies bytes into a buffer sized for them in advance; writing past its end stops the process rather than
/// corrupting memory.
private struct ByteWriter {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count <= buffer.count - count, "response bytes overflow their counted size")
        guard let source = bytes.baseAddress, let target = buffer.baseAddress else { return }
        (target + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: String) {
        text.withUTF8Bytes { append($0) }
    }

    mutating func appendField(_ name: String, _ value: String) {
        append(name)
        append(": ")
        append(value)
        append("\r\n")
    }
}
