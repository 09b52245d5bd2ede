@testable import PolicyModel
import Testing

struct PunycodeTests {
    @Test(arguments: [
        ("bücher", "bcher-kva"),
        ("münchen", "mnchen-3ya"),
        ("ü", "tda"),
        ("abc", "abc-"),
        // RFC 3492 section 7.1, samples (B) Chinese (simplified) and (Q) Japanese.
        ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
        ("パフィーdeルンバ", "de-jg4avhby1noc0d"),
        ("そのスピードで", "d9juau41awczczp"),
    ])
    func labelEncodesToRFC3492Output(label: String, encoded: String) {
        #expect(Punycode.encode(label) == encoded)
    }

    @Test(arguments: [
        ("bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.Example", "xn--bcher-kva.example"),
        ("münchen.bücher.de", "xn--mnchen-3ya.xn--bcher-kva.de"),
    ])
    func nameGetsPunycodeSpelling(name: String, spelling: String) {
        #expect(EgressHostName.punycodeSpelling(of: name) == spelling)
    }
}
