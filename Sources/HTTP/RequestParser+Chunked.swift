/// The chunked transfer coding (RFC 9112 section 7.1).
extension RequestParser {
    /// At most this many hex digits in a chunk size; more cannot describe a body within any sane limit.
    static let maxChunkSizeDigits = 16

    mutating func advanceChunkedBody() throws(RequestRejection) -> Event? {
        switch state {
        case .chunkSizeLine:
            let maxLength = Self.maxChunkSizeDigits + limits.maxChunkExtensionBytes
            switch try scanLine(maxLength: maxLength) {
            case .incomplete:
                return .needMoreBytes
            case .tooLong:
                throw .malformed("A chunk-size line is too long.")
            case .complete(let line):
                let size = try parseChunkSize(buffer[line])
                state = size == 0 ? .trailerLines : .chunkData(remaining: size)
                return nil
            }

        case .chunkData(let remaining):
            let count = min(remaining, buffer.count - start)
            body.append(contentsOf: buffer[start..<(start + count)])
            start += count
            if count == remaining {
                state = .chunkDataEnd
                return nil
            }
            state = .chunkData(remaining: remaining - count)
            return .needMoreBytes

        case .chunkDataEnd:
            let available = buffer.count - start
            if available >= 1 && buffer[start] != .carriageReturn
                || available >= 2 && buffer[start + 1] != .lineFeed {
                throw .malformed("Chunk data is not followed by CRLF.")
            }
            guard available >= 2 else {
                return .needMoreBytes
            }
            start += 2
            state = .chunkSizeLine
            return nil

        case .trailerLines:
            let maxLength = limits.maxTrailerBytes - sectionBytes - 2
            switch try scanLine(maxLength: maxLength) {
            case .incomplete:
                return .needMoreBytes
            case .tooLong:
                throw trailerSectionTooLarge()
            case .complete(let line):
                sectionBytes += line.count + 2
                if line.isEmpty {
                    return finishMessage()
                }
                // Trailer fields are checked like header fields, then dropped, as RFC 9112 section 7.1.2 allows.
                _ = try Self.parseFieldLine(buffer[line])
                return nil
            }

        default:
            preconditionFailure("advanceChunkedBody called in state \(state)")
        }
    }

    /// Parses `chunk-size [ chunk-ext ]`, checking the size against what is left of `maxBodyBytes`.
    private func parseChunkSize(_ line: ArraySlice<UInt8>) throws(RequestRejection) -> Int {
        let budget = limits.maxBodyBytes - body.count
        var size = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = line[index].hexDigitValue {
            guard index - line.startIndex < Self.maxChunkSizeDigits else {
                throw .malformed("A chunk size has more than \(Self.maxChunkSizeDigits) hex digits.")
            }
            let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
            size = shifted + digit
            if overflow || size > budget {
                throw RequestRejection(
                    kind: .payloadTooLarge,
                    detail: "The chunked body exceeds the limit of \(limits.maxBodyBytes) bytes."
                )
            }
            index += 1
        }
        guard index > line.startIndex else {
            throw .malformed("A chunk size is not a hexadecimal number.")
        }

        // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-value ] ); only its length and bytes are checked.
        let extensions = line[index...]
        guard !extensions.isEmpty else {
            return size
        }
        guard extensions.count <= limits.maxChunkExtensionBytes else {
            throw .malformed("A chunk extension exceeds the limit of \(limits.maxChunkExtensionBytes) bytes.")
        }
        guard extensions.drop(while: \.isWhitespace).first == .semicolon else {
            throw .malformed("A chunk size is not a hexadecimal number.")
        }
        guard extensions.allSatisfy(\.isFieldValueCharacter) else {
            throw .malformed("A chunk extension contains a control character.")
        }
        return size
    }

    private func trailerSectionTooLarge() -> RequestRejection {
        RequestRejection(
            kind: .headerFieldsTooLarge,
            detail: "The trailer section exceeds the limit of \(limits.maxTrailerBytes) bytes."
        )
    }
}
