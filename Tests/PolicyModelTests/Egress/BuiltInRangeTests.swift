import Foundation
@testable import PolicyModel
import Testing

struct BuiltInRangeTests {
    /// Returns the most specific built-in block that covers `address`.
    private func mostSpecificRange(covering address: IPAddress) -> BuiltInRange? {
        BuiltInRanges.ranges.filter { $0.block.contains(address) }.max { $0.block.prefixLength < $1.block.prefixLength }
    }

    /// Returns the last address of `block`.
    private func lastAddress(of block: CIDRBlock) -> IPAddress {
        switch block.network {
        case let .v4(value):
            .v4(block.prefixLength == 0 ? .max : value | ~(~UInt32(0) << (32 - block.prefixLength)))
        case let .v6(value):
            .v6(block.prefixLength == 0 ? .max : value | ~(~UInt128(0) << (128 - block.prefixLength)))
        }
    }

    @Test(arguments: BuiltInRanges.ranges.map(\.block))
    func blockEndsAreDenied(block: CIDRBlock) throws {
        let decider = EgressDecider(policy: EgressPolicy())
        for address in [block.network, lastAddress(of: block)] {
            let decision = decider.decide(host: address.description, port: nil, addresses: [])
            #expect(!decision.allowed, "\(address) was allowed: \(decision.reason)")
            #expect(decision.matched == mostSpecificRange(covering: address)?.matchedText, "\(address): \(decision.reason)")
        }
    }

    @Test(arguments: EgressRangeClass.allCases)
    func everyClassDeniesAnAddress(rangeClass: EgressRangeClass) throws {
        let decider = EgressDecider(policy: EgressPolicy())
        // An address whose most specific block is of this class, not of a narrower block nested inside.
        let candidates = BuiltInRanges.ranges.filter { $0.rangeClass == rangeClass }.flatMap { [$0.block.network, lastAddress(of: $0.block)] }
        let address = try #require(candidates.first { mostSpecificRange(covering: $0)?.rangeClass == rangeClass })
        let decision = decider.decide(host: address.description, port: nil, addresses: [])
        #expect(!decision.allowed)
        #expect(decision.reason.contains("class \(rangeClass.rawValue)"), "reason: \(decision.reason)")
    }

    @Test(arguments: BuiltInRanges.hostNames.map(\.pattern))
    func everyBuiltInNameIsDenied(pattern: HostPattern) throws {
        let host = pattern.kind == .exact ? pattern.name : "app." + pattern.name
        let decision = EgressDecider(policy: EgressPolicy()).decide(url: "http://\(host)/")
        #expect(!decision.allowed)
        #expect(decision.reason.contains("built-in denied name"))
    }

    @Test func everyBlockIsListedOnce() {
        let blocks = BuiltInRanges.ranges.map(\.block)
        #expect(Set(blocks).count == blocks.count)
    }

    @Test func metadataBlocksAreSingleAddresses() {
        for range in BuiltInRanges.ranges where range.rangeClass == .cloudMetadata {
            #expect(range.block.prefixLength == range.block.network.bitWidth, "\(range.block)")
        }
    }

    @Test func everyEntryCitesItsSource() {
        for range in BuiltInRanges.ranges {
            #expect(range.sourceURL.hasPrefix("https://"), "\(range.block)")
            #expect(!range.source.isEmpty, "\(range.block)")
        }
    }

    @Test func documentationPageMatchesTable() throws {
        // Tests/PolicyModelTests/Egress/<this file> → repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let page = try String(contentsOf: root.appendingPathComponent("docs/egress-ranges.md"), encoding: .utf8)
        #expect(page == BuiltInRanges.markdown(), "regenerate docs/egress-ranges.md from BuiltInRanges.markdown()")
    }
}
