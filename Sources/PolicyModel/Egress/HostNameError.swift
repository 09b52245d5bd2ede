/// A reason that text is not an acceptable host name or host rule. Each case reads as advice to an operator.
public enum HostNameError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    /// A name with non-ASCII characters. `suggestion` is its Punycode (`xn--`) spelling when one could be computed.
    case notASCII(String, suggestion: String?)
    case invalidCharacter(String, character: String)
    case emptyLabel(String)
    case labelTooLong(String, label: String)
    case hyphenAtLabelEdge(String, label: String)
    case tooLong(String, maximum: Int)
    /// The last label is a number (`example.123`, `a.0x1f`), so URL parsers read the host as an IPv4 address.
    case endsInNumber(String)
    /// A wildcard other than one leading `*.` label: `*`, `a.*.b`, `*foo.com`, `example.*`, `**.a.com`.
    case unsupportedWildcard(String)
    /// An IP address given where a host rule was expected; `list` names the range list it belongs in.
    case addressInHostList(String, list: String)
    /// `*.com` and other globs over a single label, which would match every name under a top-level domain.
    case wildcardOverTopLevelDomain(String)

    public var description: String {
        switch self {
        case .empty:
            "empty host name; remove the entry or give a name"
        case let .notASCII(text, suggestion?):
            "\"\(text)\" is not ASCII; write its Punycode spelling \(suggestion)"
        case let .notASCII(text, nil):
            "\"\(text)\" is not ASCII; write its Punycode (xn--) spelling"
        case let .invalidCharacter(text, character):
            "\"\(text)\" contains \"\(character)\"; host names use only letters, digits, hyphens and dots (RFC 1123)"
        case let .emptyLabel(text):
            "\"\(text)\" has an empty label; remove the extra dot"
        case let .labelTooLong(text, label):
            "\"\(text)\" has the label \"\(label)\" of more than 63 characters"
        case let .hyphenAtLabelEdge(text, label):
            "\"\(text)\" has the label \"\(label)\", which starts or ends with a hyphen"
        case let .tooLong(text, maximum):
            "\"\(text)\" is longer than \(maximum) characters"
        case let .endsInNumber(text):
            "\"\(text)\" ends in a numeric label, so URL parsers read it as an IPv4 address; "
                + "write a host name, or an address as four decimal parts such as 192.0.2.1"
        case let .unsupportedWildcard(text):
            "\"\(text)\" is not a supported pattern; write an exact name such as example.com, "
                + "or *.example.com for every subdomain of example.com"
        case let .addressInHostList(text, list):
            "\"\(text)\" is an IP address; put it in \(list) instead"
        case let .wildcardOverTopLevelDomain(text):
            "\"\(text)\" would match every name under a top-level domain; list the domains themselves"
        }
    }
}
