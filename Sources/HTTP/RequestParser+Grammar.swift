/// The grammar of single lines: the request line and field lines (RFC 9112 sections 3 and 5).
extension RequestParser {
    /// Parses `method SP request-target SP HTTP-version`, with exactly one space between the parts.
    static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(RequestRejection) -> RequestLine {
        guard let firstSpace = line.firstIndex(of: .space) else {
            throw .malformed("The request line must be a method, a target and a version separated by spaces.")
        }
        let method = line[..<firstSpace]
        guard !method.isEmpty, method.allSatisfy(\.isTokenCharacter) else {
            throw .malformed("The method must be a token.")
        }

        let rest = line[(firstSpace + 1)...]
        guard let secondSpace = rest.firstIndex(of: .space) else {
            throw .malformed("The request line must be a method, a target and a version separated by spaces.")
        }
        let version = try parseVersion(rest[(secondSpace + 1)...])
        let methodText = String(decoding: method, as: UTF8.self)
        let target = try parseTarget(rest[..<secondSpace], method: methodText)
        return RequestLine(method: methodText, target: target, version: version)
    }

    /// Accepts `HTTP/1.0` and `HTTP/1.1`; any other well-formed `HTTP/d.d` gets 505.
    static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(RequestRejection) -> HTTPVersion {
        let start = bytes.startIndex
        guard bytes.count == 8, bytes[start] == UInt8(ascii: "H"), bytes[start + 1] == UInt8(ascii: "T"),
              bytes[start + 2] == UInt8(ascii: "T"), bytes[start + 3] == UInt8(ascii: "P"),
              bytes[start + 4] == .slash
        else {
            throw .malformed("The protocol version must have the form HTTP/1.1.")
        }
        let major = bytes[bytes.startIndex + 5]
        let dot = bytes[bytes.startIndex + 6]
        let minor = bytes[bytes.startIndex + 7]
        guard major.isDecimalDigit, dot == UInt8(ascii: "."), minor.isDecimalDigit else {
            throw .malformed("The protocol version must have the form HTTP/1.1.")
        }
        switch (major, minor) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")):
            return .http11
        case (UInt8(ascii: "1"), UInt8(ascii: "0")):
            return .http10
        default:
            throw RequestRejection(kind: .versionNotSupported, detail: "Only HTTP/1.0 and HTTP/1.1 are supported.")
        }
    }

    /// Accepts origin-form (`/path?query`), and `*` for OPTIONS only.
    ///
    /// NOTE: RFC 9112 section 3.2.2 requires servers to accept absolute-form (`http://host/path`) too. This server
    /// rejects it with 400 because it is not a proxy, and clients send absolute-form almost only to proxies.
    static func parseTarget(_ bytes: ArraySlice<UInt8>, method: String) throws(RequestRejection) -> String {
        if bytes.elementsEqual("*".utf8) {
            guard method == "OPTIONS" else {
                throw .malformed("The target * is allowed only with OPTIONS.")
            }
            return "*"
        }
        guard bytes.first == .slash else {
            throw .malformed("The request target must be an absolute path such as /status.")
        }

        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == .percent {
                guard index + 2 < bytes.endIndex,
                      bytes[index + 1].hexDigitValue != nil,
                      bytes[index + 2].hexDigitValue != nil
                else {
                    throw .malformed("The request target has a % that is not followed by two hex digits.")
                }
                index += 3
                continue
            }
            guard byte.isTargetCharacter else {
                throw .malformed("The request target contains a character that must be percent-encoded.")
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `field-name ":" OWS field-value OWS`.
    ///
    /// Field values are decoded as UTF-8 with invalid sequences replaced by U+FFFD; the bytes themselves were
    /// already checked to contain no control character other than HTAB.
    static func parseFieldLine(_ line: ArraySlice<UInt8>) throws(RequestRejection) -> (name: String, value: String) {
        // Every field line of every request passes through here, so it works on the raw bytes without bounds checks.
        let result = line.withUnsafeBufferPointer { bytes in
            Result { () throws(RequestRejection) in try parseFieldLine(bytes) }
        }
        return try result.get()
    }

    private static func parseFieldLine(
        _ line: UnsafeBufferPointer<UInt8>
    ) throws(RequestRejection) -> (name: String, value: String) {
        // RFC 9112 section 5.2: obs-fold, a line starting with whitespace, must be rejected or replaced.
        if let first = line.first, first.isWhitespace {
            throw .malformed("A header field line starts with whitespace (obsolete line folding).")
        }
        var colon = 0
        while colon < line.count && line[colon] != .colon {
            colon += 1
        }
        guard colon < line.count else {
            throw .malformed("A header field line has no colon.")
        }
        let name = UnsafeBufferPointer(rebasing: line[..<colon])
        guard !name.isEmpty else {
            throw .malformed("A header field name is empty.")
        }
        // RFC 9112 section 5.1: whitespace between the name and the colon must be rejected with 400.
        if name[name.count - 1].isWhitespace {
            throw .malformed("A header field has whitespace between its name and the colon.")
        }
        for byte in name where !byte.isTokenCharacter {
            throw .malformed("A header field name is not a token.")
        }
        let nameText = String(decoding: name, as: UTF8.self)

        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd && line[valueStart].isWhitespace {
            valueStart += 1
        }
        while valueEnd > valueStart && line[valueEnd - 1].isWhitespace {
            valueEnd -= 1
        }
        let value = UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd])
        if value.containsFieldControlCharacter() {
            throw .malformed("The value of header field \(nameText) contains a control character.")
        }
        return (nameText, String(decoding: value, as: UTF8.self))
    }
}
