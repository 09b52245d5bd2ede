import PolicyModel
import Testing

struct RequestPathTests {
    @Test(arguments: [
        ("/capture", "/capture"),
        ("/capture/", "/capture"),
        ("//capture", "/capture"),
        ("/./capture", "/capture"),
        ("/a/../capture", "/capture"),
        ("/../capture", "/capture"),
        ("/capture/x/..", "/capture"),
        ("/capture?x=1", "/capture"),
        ("/capture#top", "/capture"),
        ("/capture?next=/admin#x", "/capture"),
        ("/", "/"),
        ("", "/"),
        ("?x", "/"),
        ("/a/b/c", "/a/b/c"),
        ("/a/...", "/a/..."),
    ])
    func dotAndEmptySegmentsAreRemoved(target: String, normalized: String) {
        #expect(RequestPath.normalize(target) == normalized)
    }

    @Test(arguments: [
        ("/%63apture", "/capture"),
        ("/%43apture", "/Capture"),
        ("/cap%74ure", "/capture"),
        ("/%2e/capture", "/capture"),
        ("/%2E%2E/capture", "/capture"),
        ("/a/%2e%2e/capture", "/capture"),
        ("/%7Euser", "/~user"),
        ("/%2D%2E%5F%7E", "/-._~"),
        ("/%30%39%41%5A%61%7A", "/09AZaz"),
    ])
    func unreservedEncodingsAreDecoded(target: String, normalized: String) {
        #expect(RequestPath.normalize(target) == normalized)
    }

    @Test(arguments: [
        ("/capture%2Fx", "/capture%2Fx"),
        ("/capture%2fx", "/capture%2Fx"),
        ("/a%2F..%2Fcapture", "/a%2F..%2Fcapture"),
        ("/%252E%252E/capture", "/%252E%252E/capture"),
        ("/a%3Fb", "/a%3Fb"),
        ("/a%23b", "/a%23b"),
        ("/a%20b", "/a%20b"),
        ("/caf%C3%A9", "/caf%C3%A9"),
        ("/a%zzb", "/a%zzb"),
        ("/a%2", "/a%2"),
        ("/a%", "/a%"),
    ])
    func otherEncodingsStayEncoded(target: String, normalized: String) {
        #expect(RequestPath.normalize(target) == normalized)
    }
}
