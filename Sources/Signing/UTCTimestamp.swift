import Foundation

/// RFC 3339 timestamps in the one form bundles use: `yyyy-MM-ddTHH:mm:ssZ`, UTC, whole seconds.
///
/// The conversion is plain calendar arithmetic on the proleptic Gregorian calendar, so it does not
/// depend on the locale, the time zone database or `DateFormatter`.
public enum UTCTimestamp {
    /// Parses exactly `yyyy-MM-ddTHH:mm:ssZ` with an upper-case `T` and `Z`.
    ///
    /// Returns nil for any other form (offsets, fractions, lower case, spaces) and for dates that do not
    /// exist, such as `2023-02-29T00:00:00Z`. Leap seconds (`:60`) are rejected because `Date` cannot
    /// represent them.
    public static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20,
              bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              bytes[19] == UInt8(ascii: "Z") else {
            return nil
        }

        guard let year = number(bytes[0..<4]),
              let month = number(bytes[5..<7]),
              let day = number(bytes[8..<10]),
              let hour = number(bytes[11..<13]),
              let minute = number(bytes[14..<16]),
              let second = number(bytes[17..<19]) else {
            return nil
        }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60 else {
            return nil
        }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Formats `date` as `yyyy-MM-ddTHH:mm:ssZ`, dropping fractions of a second (rounding down).
    ///
    /// Years outside 0000...9999 do not fit the form and are clamped to its first or last second.
    public static func string(from date: Date) -> String {
        let earliest = -62_167_219_200  // 0000-01-01T00:00:00Z
        let latest = 253_402_300_799  // 9999-12-31T23:59:59Z
        let rounded = date.timeIntervalSince1970.rounded(.down)
        let seconds = rounded.isNaN ? 0 : Int(max(Double(earliest), min(Double(latest), rounded)))

        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)

        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(secondOfDay / 3_600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
            + "Z"
    }

    // MARK: - Calendar arithmetic

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else {
                return nil
            }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let isLeapYear = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return isLeapYear ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    // The two conversions below are Howard Hinnant's `days_from_civil` and `civil_from_days`
    // (http://howardhinnant.github.io/date_algorithms.html), which count in 400-year eras of 146,097 days
    // with years starting on 1 March, so that the leap day falls at the end of a year.

    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilDate(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
