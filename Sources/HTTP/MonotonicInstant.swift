import Glibc

/// A point in time on CLOCK_MONOTONIC, the clock epoll_wait measures its timeout on, in nanoseconds.
///
/// The loops compare deadlines after every event. `ContinuousClock.Instant` comes from a module built for library
/// evolution, so every copy and comparison of one goes through its value witness table. This plain integer is
/// compared in one instruction. It is public so that responders can time requests as cheaply.
public struct MonotonicInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since an unspecified start, such as the boot of the machine.
    public let nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public static var now: MonotonicInstant {
        var time = timespec()
        // clock_gettime(2) fails only with EINVAL for an unknown clock or EFAULT for an invalid pointer, and
        // neither can happen here.
        let result = clock_gettime(CLOCK_MONOTONIC, &time)
        precondition(result == 0, "clock_gettime(CLOCK_MONOTONIC) failed with errno \(errno)")
        return MonotonicInstant(nanoseconds: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }

    public var description: String { "\(nanoseconds) ns" }

    /// Returns the time from this instant to `other`, negative when `other` is earlier.
    public func duration(to other: MonotonicInstant) -> Duration {
        .nanoseconds(other.nanoseconds &- nanoseconds)
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// Adds a duration, saturating instead of overflowing for durations of centuries.
    public static func + (instant: MonotonicInstant, duration: Duration) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: instant.nanoseconds.addingSaturated(duration.wholeNanoseconds))
    }

    public static func - (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Duration {
        rhs.duration(to: lhs)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, rounded toward zero and clamped to the range of Int64.
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedSaturated(by: 1_000_000_000).addingSaturated(attoseconds / 1_000_000_000)
    }
}

extension Int64 {
    fileprivate func addingSaturated(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    fileprivate func multipliedSaturated(by factor: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: factor)
        guard overflow else { return product }
        return (self > 0) == (factor > 0) ? .max : .min
    }
}
