/// Normalization of request paths, so that exempt paths match on whole segments whatever the spelling.
///
/// The steps, in order:
/// 1. The query and fragment are dropped (everything from the first `?` or `#`).
/// 2. Percent-encoded unreserved characters (`A-Z a-z 0-9 - . _ ~`, RFC 3986 section 2.3) are decoded,
///    because they mean the same as their plain form (section 6.2.2.2), so `/%63apture` is `/capture`.
///    Every other encoding stays encoded, with upper-case hex digits. In particular `%2F` is kept, so an
///    encoded slash never creates a segment boundary and `/capture%2Fx` is the one segment `capture%2Fx`.
///    A `%` not followed by two hex digits is kept as it is.
/// 3. Empty, `.` and `..` segments are removed, `..` taking the segment before it with it
///    (`//capture`, `/./capture` and `/a/../capture` are all `/capture`). Decoding comes first, so
///    `/%2e%2e/capture` is `/capture` too.
///
/// The input is the request target in origin form (RFC 9112 section 3.2.1): a path with an optional query.
public enum RequestPath {
    /// Returns the normalized path: `/` followed by the segments joined with `/`.
    public static func normalize(_ requestTarget: some StringProtocol) -> String {
        "/" + segments(of: requestTarget).joined(separator: "/")
    }

    /// Returns the segments of the normalized path, decoded as in `normalize`.
    static func segments(of requestTarget: some StringProtocol) -> [String] {
        let bytes = Array(requestTarget.utf8)
        var segments: [String] = []
        var segment: [UInt8] = []

        func finishSegment() {
            switch segment {
            case [], [UInt8(ascii: ".")]:
                break
            case [UInt8(ascii: "."), UInt8(ascii: ".")]:
                _ = segments.popLast()
            default:
                // Only ASCII bytes are added or removed, so the bytes stay valid UTF-8.
                segments.append(String(decoding: segment, as: UTF8.self))
            }
            segment.removeAll(keepingCapacity: true)
        }

        var index = 0
        scan: while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "?"), UInt8(ascii: "#"):
                break scan
            case UInt8(ascii: "/"):
                finishSegment()
            case UInt8(ascii: "%") where index + 2 < bytes.count
                && isHexDigit(bytes[index + 1]) && isHexDigit(bytes[index + 2]):
                let decoded = hexValue(bytes[index + 1]) << 4 | hexValue(bytes[index + 2])
                if isUnreserved(decoded) {
                    segment.append(decoded)
                } else {
                    segment += [byte, upperCased(bytes[index + 1]), upperCased(bytes[index + 2])]
                }
                index += 2
            default:
                segment.append(byte)
            }
            index += 1
        }
        finishSegment()
        return segments
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func upperCased(_ hexDigit: UInt8) -> UInt8 {
        hexDigit >= UInt8(ascii: "a") ? hexDigit - 0x20 : hexDigit
    }
}
