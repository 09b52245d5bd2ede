import Foundation
import Testing
@testable import Signing

@Suite struct UTCTimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0),
        ("2000-02-29T12:34:56Z", 951_827_696),
        ("2024-05-01T12:00:00Z", 1_714_564_800),
        ("1969-12-31T23:59:59Z", -1),
        ("2038-01-19T03:14:08Z", 2_147_483_648),
        ("0000-01-01T00:00:00Z", -62_167_219_200),
        ("9999-12-31T23:59:59Z", 253_402_300_799),
    ])
    func convertsKnownTimestamp(text: String, seconds: Int) throws {
        let date = try #require(UTCTimestamp.date(from: text))

        #expect(date.timeIntervalSince1970 == TimeInterval(seconds))
        #expect(UTCTimestamp.string(from: date) == text)
    }

    @Test(arguments: [
        ("1900-02-29T00:00:00Z", false),
        ("2000-02-29T00:00:00Z", true),
        ("2023-02-29T00:00:00Z", false),
        ("2024-02-29T00:00:00Z", true),
        ("2024-04-30T00:00:00Z", true),
        ("2024-04-31T00:00:00Z", false),
        ("2024-12-31T00:00:00Z", true),
    ])
    func acceptsOnlyExistingDays(text: String, exists: Bool) {
        #expect((UTCTimestamp.date(from: text) != nil) == exists)
    }

    @Test(arguments: [
        "",
        "2024-05-01",
        "2024-05-01T12:00:00",
        "2024-05-01T12:00:00z",
        "2024-05-01t12:00:00Z",
        "2024-05-01 12:00:00Z",
        "2024-05-01T12:00:00+00:00",
        "2024-05-01T12:00:00.5Z",
        "2024-5-01T12:00:00Z",
        "2024-00-01T12:00:00Z",
        "2024-13-01T12:00:00Z",
        "2024-05-00T12:00:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:60:00Z",
        "2024-06-30T23:59:60Z",
        "+024-05-01T12:00:00Z",
        "２０２４-05-01T12:00:00Z",
    ])
    func rejectsOtherForms(text: String) {
        #expect(UTCTimestamp.date(from: text) == nil)
    }

    @Test func formattingDropsFractionalSeconds() {
        #expect(UTCTimestamp.string(from: Date(timeIntervalSince1970: 59.999)) == "1970-01-01T00:00:59Z")
        #expect(UTCTimestamp.string(from: Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59Z")
    }

    @Test func formattingClampsYearsOutsideFourDigits() {
        #expect(UTCTimestamp.string(from: Date(timeIntervalSince1970: 1e15)) == "9999-12-31T23:59:59Z")
        #expect(UTCTimestamp.string(from: Date(timeIntervalSince1970: -1e15)) == "0000-01-01T00:00:00Z")
    }

    @Test func matchesISO8601DateFormatter() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")

        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // Whole seconds between 1900 and 2200.
            let seconds = Int.random(in: -2_208_988_800...7_258_118_400, using: &generator)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let expected = formatter.string(from: date)

            #expect(UTCTimestamp.string(from: date) == expected)
            #expect(UTCTimestamp.date(from: expected) == date, "\(expected)")
        }
    }
}
