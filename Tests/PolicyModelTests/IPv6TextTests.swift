import PolicyModel
import Testing

/// Canonical IPv6 text as RFC 5952 section 4 defines it.
struct IPv6TextTests {
    @Test(arguments: [
        // Lower case, leading zeros dropped (sections 4.1 and 4.3).
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("ABCD:EF01:0:0:0:0:0:0", "abcd:ef01::"),
        ("0001:0000:0000:0000:0000:0000:0000:0000", "1::"),
        // The whole address and the ends.
        ("0:0:0:0:0:0:0:0", "::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("1:0:0:0:0:0:0:0", "1::"),
        // A single zero group is not compressed (section 4.2.2).
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("1:2:3:4:5:6::8", "1:2:3:4:5:6:0:8"),
        ("0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1"),
        // The longest run is compressed (section 4.2.3) ...
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("0:0:1:0:0:0:0:1", "0:0:1::1"),
        // ... and the first one on a tie.
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("1:0:0:2:3:0:0:4", "1::2:3:0:0:4"),
        // Embedded IPv4 other than mapped is written in hex.
        ("64:ff9b::192.0.2.1", "64:ff9b::c000:201"),
        ("::1.2.3.4", "::102:304"),
    ])
    func canonicalText(text: String, canonical: String) throws {
        #expect(try address(text).description == canonical)
    }

    /// RFC 5952 section 5: IPv4-mapped addresses end in dotted decimal.
    @Test(arguments: [
        ("::ffff:10.1.2.3", "::ffff:10.1.2.3"),
        ("0:0:0:0:0:FFFF:0A01:0203", "::ffff:10.1.2.3"),
        ("::ffff:0:0", "::ffff:0.0.0.0"),
        ("::ffff:ffff:ffff", "::ffff:255.255.255.255"),
    ])
    func mappedAddressEndsInDottedDecimal(text: String, canonical: String) throws {
        #expect(try address(text).description == canonical)
    }

    @Test(arguments: [
        "::", "::1", "1::", "2001:db8::1", "2001:db8:0:1:1:1:1:1", "2001:db8::1:0:0:1",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:10.1.2.3", "64:ff9b::c000:201",
    ])
    func canonicalTextParsesToSameAddress(text: String) throws {
        let parsed = try address(text)
        #expect(parsed.description == text)
        #expect(try address(parsed.description) == parsed)
    }
}
