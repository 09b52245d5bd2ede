import Testing
@testable import Signing

@Suite struct SealingKeyTests {
    let key = SealingKey.generate()
    let associatedData = [UInt8](utf8: "signing_keys/3")

    @Test(arguments: [0, 1, 15, 16, 17, 1_000, 1 << 20])
    func roundTripsPlaintext(length: Int) throws {
        let plaintext = SecureRandom.bytes(count: length)

        let sealed = try key.seal(plaintext, associatedData: associatedData)

        #expect(sealed.count == 1 + 12 + length + 16)
        #expect(sealed.first == 0x01)
        #expect(try key.open(sealed, associatedData: associatedData) == plaintext)
    }

    @Test func roundTripsWithEmptyAssociatedData() throws {
        let sealed = try key.seal([1, 2, 3], associatedData: [])

        #expect(try key.open(sealed, associatedData: []) == [1, 2, 3])
        #expect(throws: SigningError.sealedDataRejected) {
            try key.open(sealed, associatedData: [0])
        }
    }

    @Test func sealsWithFreshNonceEachTime() throws {
        let plaintext = [UInt8](utf8: "same secret")

        let first = try key.seal(plaintext, associatedData: associatedData)
        let second = try key.seal(plaintext, associatedData: associatedData)

        #expect(first[1..<13] != second[1..<13])
        #expect(first != second)
    }

    @Test func rejectsWrongAssociatedData() throws {
        let sealed = try key.seal([UInt8](utf8: "secret"), associatedData: associatedData)

        #expect(throws: SigningError.sealedDataRejected) {
            try key.open(sealed, associatedData: [UInt8](utf8: "signing_keys/4"))
        }
    }

    @Test func rejectsWrongKey() throws {
        let sealed = try key.seal([UInt8](utf8: "secret"), associatedData: associatedData)

        #expect(throws: SigningError.sealedDataRejected) {
            try SealingKey.generate().open(sealed, associatedData: associatedData)
        }
    }

    @Test func rejectsTruncatedInput() throws {
        let sealed = try key.seal([UInt8](utf8: "secret"), associatedData: associatedData)

        for length in [0, 1, 13, 28, 29, sealed.count - 1] {
            #expect(throws: SigningError.sealedDataRejected, "truncated to \(length) bytes") {
                try key.open(Array(sealed.prefix(length)), associatedData: associatedData)
            }
        }
    }

    @Test func rejectsAppendedByte() throws {
        let sealed = try key.seal([UInt8](utf8: "secret"), associatedData: associatedData)

        #expect(throws: SigningError.sealedDataRejected) {
            try key.open(sealed + [0], associatedData: associatedData)
        }
    }

    @Test func rejectsAnyFlippedBit() throws {
        let sealed = try key.seal([UInt8](utf8: "secret"), associatedData: associatedData)

        for bit in 0..<(sealed.count * 8) {
            var altered = sealed
            altered[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(throws: SigningError.sealedDataRejected, "bit \(bit) flipped") {
                try key.open(altered, associatedData: associatedData)
            }
        }
    }

    @Test(arguments: [0x00, 0x02, 0xff] as [UInt8])
    func rejectsUnknownVersionByte(version: UInt8) throws {
        var sealed = try key.seal([UInt8](utf8: "secret"), associatedData: associatedData)
        sealed[0] = version

        #expect(throws: SigningError.sealedDataRejected) {
            try key.open(sealed, associatedData: associatedData)
        }
    }

    @Test(arguments: [0, 16, 31, 33, 64])
    func rejectsKeyOfWrongLength(length: Int) {
        #expect(throws: SigningError.invalidKeyLength(kind: "sealing key", expected: 32, actual: length)) {
            try SealingKey(bytes: [UInt8](repeating: 1, count: length))
        }
    }

    @Test func keyRoundTripsThroughBytes() throws {
        let restored = try SealingKey(bytes: key.bytes)
        let sealed = try key.seal([UInt8](utf8: "secret"), associatedData: associatedData)

        #expect(try restored.open(sealed, associatedData: associatedData) == [UInt8](utf8: "secret"))
    }

    @Test func generatedKeysAreDistinct() {
        var keys = Set<[UInt8]>()
        for _ in 0..<1_000 {
            keys.insert(SealingKey.generate().bytes)
        }

        #expect(keys.count == 1_000)
    }

    @Test func opensKnownAnswer() throws {
        // Test case 14 of the GCM specification by McGrew and Viega (gcm-revised-spec.pdf): a zero 256-bit key,
        // a zero 96-bit nonce and 16 zero bytes of plaintext.
        let zeroKey = try SealingKey(bytes: [UInt8](repeating: 0, count: 32))
        let sealed = [0x01] + [UInt8](repeating: 0, count: 12)
            + [UInt8](hex: "cea7403d4d606b6e074ec5d3baf39d18") + [UInt8](hex: "d0d1c8a799996bf0265b98b5d48ab919")

        #expect(try zeroKey.open(sealed, associatedData: []) == [UInt8](repeating: 0, count: 16))
    }
}
