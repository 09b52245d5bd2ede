/// Punycode encoding (RFC 3492), used to suggest the ASCII spelling of an internationalized host name.
enum Punycode {
    // Bootstring parameters for Punycode (RFC 3492 section 5).
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 128

    /// Encodes one label (RFC 3492 section 6.3), without the `xn--` prefix.
    ///
    /// Returns nil when the label is too long for the encoder's integer arithmetic, which no label
    /// within the 63-octet DNS limit reaches.
    static func encode(_ label: String) -> String? {
        let scalars = label.unicodeScalars.map { Int($0.value) }
        var output = scalars.filter { $0 < 0x80 }.map { Character(Unicode.Scalar(UInt8($0))) }
        let basicCount = output.count
        if basicCount > 0 { output.append("-") }

        var n = initialN
        var delta = 0
        var bias = initialBias
        var handled = basicCount
        while handled < scalars.count {
            // The smallest code point not yet handled; it exists because handled < scalars.count.
            let next = scalars.filter { $0 >= n }.min()!
            let (product, productOverflow) = (next - n).multipliedReportingOverflow(by: handled + 1)
            let (sum, sumOverflow) = delta.addingReportingOverflow(product)
            guard !productOverflow, !sumOverflow else { return nil }
            delta = sum
            n = next

            for scalar in scalars {
                if scalar < n {
                    delta += 1
                    guard delta < Int.max / 2 else { return nil }
                }
                guard scalar == n else { continue }

                // Write delta as a generalized variable-length integer.
                var q = delta
                var k = base
                while true {
                    let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta: delta, pointCount: handled + 1, isFirst: handled == basicCount)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return String(output)
    }

    /// Bias adaptation (RFC 3492 section 6.1).
    private static func adapt(delta: Int, pointCount: Int, isFirst: Bool) -> Int {
        var delta = isFirst ? delta / damp : delta / 2
        delta += delta / pointCount
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    /// Returns the basic code point for a digit value: `a`–`z` for 0–25, `0`–`9` for 26–35.
    private static func digit(_ value: Int) -> Character {
        let scalar = value < 26 ? 0x61 + value : 0x30 + value - 26
        return Character(Unicode.Scalar(UInt8(scalar)))
    }
}
