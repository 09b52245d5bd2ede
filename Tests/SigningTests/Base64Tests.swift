import Foundation
import Testing
@testable import Signing

@Suite struct Base64Tests {
    /// RFC 4648 section 10.
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func matchesRFC4648Vector(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func matchesFoundationForRandomBytes() {
        for length in 0..<100 {
            let bytes = SecureRandom.bytes(count: length)
            let foundation = Data(bytes).base64EncodedString()

            #expect(Base64.encode(bytes) == foundation)
            #expect(Base64.decode(foundation) == bytes)
        }
    }

    @Test(arguments: [
        ("+/8=", [0xfb, 0xff]),
        ("-_8=", [0xfb, 0xff]),
        ("-_8", [0xfb, 0xff]),
        ("Zg", [0x66]),
        ("Zm8", [0x66, 0x6f]),
    ] as [(String, [UInt8])])
    func decodesBothAlphabetsWithOrWithoutPadding(encoded: String, bytes: [UInt8]) {
        #expect(Base64.decode(encoded) == bytes)
    }

    @Test(arguments: [
        "+_8=",        // both alphabets
        "Zg=",         // padding that does not complete a group
        "Z===",        // too much padding
        "Z",           // one symbol cannot encode a byte
        "Zg==Zg==",    // padding in the middle
        "Zh==",        // non-zero bits after the last byte
        "Zm9=",        // non-zero bits after the last byte
        "Zm9v\n",      // whitespace
        " Zm9v",
        "Zm9v!",
        "Zm9vé",
    ])
    func rejectsInvalidText(encoded: String) {
        #expect(Base64.decode(encoded) == nil)
    }
}
