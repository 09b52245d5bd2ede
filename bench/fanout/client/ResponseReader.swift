/// One HTTP/1.1 response: status code, header fields in wire order, and body.
struct Response {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    /// Returns the value of the first field named `name`, compared without regard to case.
    func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// Collects the bytes of one response and parses it once its head and `Content-Length` body are in.
///
/// perimeterd frames every response with `Content-Length`, so chunked bodies are reported as an error
/// rather than decoded.
struct ResponseReader {
    enum ParseError: Error, CustomStringConvertible {
        case malformedStatusLine(String)
        case malformedContentLength(String)
        case unsupportedTransferEncoding(String)

        var description: String {
            switch self {
            case let .malformedStatusLine(line): "malformed status line \"\(line)\""
            case let .malformedContentLength(value): "malformed Content-Length \"\(value)\""
            case let .unsupportedTransferEncoding(value): "unsupported Transfer-Encoding \"\(value)\""
            }
        }
    }

    private(set) var bytes: [UInt8] = []
    /// The head, parsed once its empty line has arrived.
    private var head: (status: Int, headers: [(name: String, value: String)], bodyStart: Int, bodyLength: Int)?

    mutating func append(_ chunk: ArraySlice<UInt8>) {
        bytes.append(contentsOf: chunk)
    }

    /// Returns the whole response, or nil while bytes are still missing.
    mutating func response() throws(ParseError) -> Response? {
        if head == nil {
            guard let headEnd = Self.endOfHead(in: bytes) else { return nil }
            head = try Self.parseHead(bytes[0..<headEnd], bodyStart: headEnd + 4)
        }
        guard let head, bytes.count >= head.bodyStart + head.bodyLength else { return nil }
        let body = Array(bytes[head.bodyStart..<(head.bodyStart + head.bodyLength)])
        return Response(status: head.status, headers: head.headers, body: body)
    }

    /// Returns the index of the CRLF CRLF that ends the head.
    private static func endOfHead(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func parseHead(_ head: ArraySlice<UInt8>, bodyStart: Int)
        throws(ParseError) -> (status: Int, headers: [(name: String, value: String)], bodyStart: Int, bodyLength: Int)
    {
        // Swift reads CR LF as one Character, so this splits the head into its lines.
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = String(lines[0])
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .malformedStatusLine(statusLine)
        }

        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = trimmingWhitespace(line[line.index(after: colon)...])
            headers.append((String(line[..<colon]), value))
        }
        let response = Response(status: status, headers: headers, body: [])

        if let encoding = response.header("Transfer-Encoding") { throw .unsupportedTransferEncoding(encoding) }
        var bodyLength = 0
        // A 204 or 304 response ends with its head, whatever its Content-Length (RFC 9112, section 6.3).
        if status != 304, status != 204, let text = response.header("Content-Length") {
            guard let length = Int(text), length >= 0 else { throw .malformedContentLength(text) }
            bodyLength = length
        }
        return (status, headers, bodyStart, bodyLength)
    }
}

/// Returns `text` without the spaces and tabs around it, which HTTP allows around a field's value.
private func trimmingWhitespace(_ text: Substring) -> String {
    let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let first = text.firstIndex(where: { !isWhitespace($0) }),
          let last = text.lastIndex(where: { !isWhitespace($0) }) else { return "" }
    return String(text[first...last])
}
