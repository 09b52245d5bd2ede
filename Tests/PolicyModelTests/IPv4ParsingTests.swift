import PolicyModel
import Testing

struct IPv4ParsingTests {
    @Test(arguments: [
        ("0.0.0.0", 0x0000_0000 as UInt32),
        ("1.2.3.4", 0x0102_0304),
        ("10.1.2.3", 0x0A01_0203),
        ("127.0.0.1", 0x7F00_0001),
        ("192.0.2.100", 0xC000_0264),
        ("255.255.255.255", 0xFFFF_FFFF),
    ])
    func dottedDecimalParsesToValue(text: String, value: UInt32) throws {
        #expect(try address(text) == .v4(value))
    }

    @Test(arguments: ["0.0.0.0", "1.2.3.4", "10.0.0.10", "100.64.0.1", "255.255.255.255"])
    func dottedDecimalIsItsOwnCanonicalText(text: String) throws {
        #expect(try address(text).description == text)
    }

    /// Forms that `inet_aton` and other resolvers read as octal, hex, short or integer IPv4.
    @Test(arguments: [
        "010.0.0.0", "0177.0.0.1", "00.0.0.0", "1.2.3.04",
        "127.1", "127.0.1", "10.1",
        "0x7f.0.0.1", "0x7f000001", "1.2.3.0x4",
        "2130706433", "0",
    ])
    func ambiguousFormIsRejected(text: String) {
        #expect(throws: AddressError.ambiguousIPv4(text)) { try IPAddress(parsing: text) }
    }

    @Test(arguments: [
        "256.0.0.1", "1.2.3.256", "999.1.1.1",
        "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.4.",
        "localhost", "example.com", "a.b.c.d", "host",
        " 1.2.3.4", "1.2.3.4 ", "+1.2.3.4", "1.2.3.-4", "1.2.3.4/",
        "\u{FF11}.2.3.4",
    ])
    func malformedTextIsRejected(text: String) {
        #expect(throws: AddressError.self) { try IPAddress(parsing: text) }
    }

    @Test func emptyTextIsRejectedAsEmpty() {
        #expect(throws: AddressError.empty) { try IPAddress(parsing: "") }
    }

    @Test func partAbove255IsNamedInTheError() {
        let error = #expect(throws: AddressError.self) { try IPAddress(parsing: "10.300.0.1") }
        guard case let .invalid(text, reason) = error else {
            Issue.record("expected .invalid, got \(String(describing: error))")
            return
        }
        #expect(text == "10.300.0.1")
        #expect(reason.contains("300"))
    }

    @Test func ambiguousErrorSuggestsDottedDecimal() {
        let error = AddressError.ambiguousIPv4("127.1")
        #expect(error.description.contains("\"127.1\""))
        #expect(error.description.contains("four decimal parts"))
    }

    @Test func ipv4IsItsOwnUnmappedForm() throws {
        let ipv4 = try address("10.1.2.3")
        #expect(ipv4.unmapped == ipv4)
        #expect(ipv4.bitWidth == 32)
    }
}
