import Signing
import Synchronization

/// Request ids: a random prefix per process and a counter, so ids are unique across restarts and cheap to make.
enum RequestID {
    /// The random prefix and its dash, joined once so that each id costs a single append.
    private static let prefix = Hex.encode(SecureRandom.bytes(count: 4)) + "-"
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        return prefix + String(number, radix: 16)
    }
}

/// Formats a number with three decimals without Foundation.
func format3(_ value: Double) -> String {
    let thousandths = Int((value * 1000).rounded())
    let whole = thousandths / 1000
    let fraction = thousandths % 1000
    return "\(whole)." + String(repeating: "0", count: 3 - String(fraction).count) + String(fraction)
}
