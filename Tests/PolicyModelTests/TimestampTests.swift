import PolicyModel
import Testing

struct TimestampTests {
    /// Expected values come from GNU `date -u -d TEXT +%s`.
    @Test(arguments: [
        (0 as Int64, "1970-01-01T00:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (1_709_210_096, "2024-02-29T12:34:56Z"),
        (1_796_413_490, "2026-12-04T19:44:50Z"),
        (2_147_483_648, "2038-01-19T03:14:08Z"),
        (4_102_444_800, "2100-01-01T00:00:00Z"),
        (4_107_542_399, "2100-02-28T23:59:59Z"),
        (4_107_542_400, "2100-03-01T00:00:00Z"),
        (-2_203_891_200, "1900-03-01T00:00:00Z"),
        (-62_167_219_200, "0000-01-01T00:00:00Z"),
        (253_402_300_799, "9999-12-31T23:59:59Z"),
    ])
    func timestampRoundTrips(seconds: Int64, text: String) {
        #expect(Timestamp(secondsSinceEpoch: seconds).rfc3339 == text)
        #expect(Timestamp(rfc3339: text) == Timestamp(secondsSinceEpoch: seconds))
    }

    @Test func everyDayOfLeapCycleRoundTrips() {
        // 400 Gregorian years from 2000 cover every leap rule once.
        var seconds: Int64 = 946_684_800
        let end: Int64 = seconds + 146_097 * 86_400
        while seconds < end {
            let timestamp = Timestamp(secondsSinceEpoch: seconds + 86_399)
            #expect(Timestamp(rfc3339: timestamp.rfc3339) == timestamp)
            seconds += 86_400
        }
    }

    @Test(arguments: [
        "2100-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2024-02-30T00:00:00Z",
        "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-01-00T00:00:00Z",
        "2024-01-01T24:00:00Z", "2024-01-01T23:60:00Z", "2024-01-01T23:59:60Z",
    ])
    func invalidDateOrTimeIsRejected(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test(arguments: [
        "2024-01-01T00:00:00+00:00", "2024-01-01T01:00:00+01:00", "2024-01-01T00:00:00-00:00",
        "2024-01-01T00:00:00.5Z", "2024-01-01T00:00:00.000Z", "2024-01-01T00:00:00",
        "2024-01-01t00:00:00z", "2024-01-01 00:00:00Z", "2024-1-01T00:00:00Z", "+2024-01-01T00:00:00Z",
        "2024-01-01T00:00:0aZ", "2024-01-01", "",
    ])
    func otherSpellingIsRejected(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func addingMovesForwardAndOrders() {
        let start = Timestamp(secondsSinceEpoch: 1_000)
        let later = start.adding(seconds: 3_600)
        #expect(later.secondsSinceEpoch == 4_600)
        #expect(start < later)
        #expect(later.adding(seconds: -3_600) == start)
    }
}
