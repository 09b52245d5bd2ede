import Dispatch
import HTTP

/// Reading a client's wish to wait for the next version.
enum LongPoll {
    /// Runs the deadlines of parked polls; each deadline only takes a lock and hands off a response.
    static let deadlineQueue = DispatchQueue(label: "perimeter.long-poll-deadlines")

    /// The seconds asked for by `Prefer: wait=N` (RFC 7240 section 4.3), or else by the `wait` query
    /// parameter; nil when neither is present or the value is not a plain decimal number.
    static func requestedWait(_ request: HTTPRequest) -> Int? {
        for value in request.headers["Prefer"] {
            for preference in value.split(separator: ",") {
                let token = preference.split(separator: ";", maxSplits: 1)[0].trimmingCharacters(in: " \t")
                let parts = token.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "wait" else { continue }
                return seconds(parts[1].trimmingCharacters(in: "\""))
            }
        }
        for parameter in (request.query ?? "").split(separator: "&") {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "wait" { return seconds(parts[1]) }
        }
        return nil
    }

    private static func seconds(_ text: some StringProtocol) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 6, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }
}
