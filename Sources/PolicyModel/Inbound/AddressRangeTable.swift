/// Address ranges of one family, sorted and disjoint, each labelled with the most specific block that covers it.
///
/// CIDR blocks either nest or do not overlap, so flattening them leaves at most `2n + 1` ranges for `n`
/// blocks: each block opens a range at its first address and may reopen its parent's (or the gap's)
/// range after its last address. A lookup is a binary search for the last range that starts at or
/// before the address.
struct AddressRangeTable<Value: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    /// First address of each range, ascending. The first entry is always 0, so every address is in a range.
    private let lowerBounds: [Value]
    /// For each range, the index of its most specific block in the owner's block list, or -1 for none.
    private let blockIndices: [Int32]

    /// Flattens `spans`, which must be sorted by first address and then by size, largest first, so that a
    /// block comes before the blocks nested in it. Identical spans must already be removed.
    init(spans: [(first: Value, last: Value, blockIndex: Int32)]) {
        var lowerBounds: [Value] = [0]
        var blockIndices: [Int32] = [-1]
        // The blocks that cover the current position, outermost first.
        var enclosing: [(last: Value, blockIndex: Int32)] = []

        // A range that starts where the previous one starts replaces it: the later block is nested, so more specific.
        func startRange(at lowerBound: Value, blockIndex: Int32) {
            if lowerBounds[lowerBounds.count - 1] == lowerBound {
                blockIndices[blockIndices.count - 1] = blockIndex
            } else {
                lowerBounds.append(lowerBound)
                blockIndices.append(blockIndex)
            }
        }

        // After a block ends, the addresses that follow belong to the block around it, or to no block.
        func closeBlocks(endingBefore position: Value?) {
            while let innermost = enclosing.last {
                if let position, innermost.last >= position { return }
                enclosing.removeLast()
                if innermost.last != Value.max {
                    startRange(at: innermost.last + 1, blockIndex: enclosing.last?.blockIndex ?? -1)
                }
            }
        }

        for span in spans {
            closeBlocks(endingBefore: span.first)
            startRange(at: span.first, blockIndex: span.blockIndex)
            enclosing.append((span.last, span.blockIndex))
        }
        closeBlocks(endingBefore: nil)

        self.lowerBounds = lowerBounds
        self.blockIndices = blockIndices
    }

    /// Returns the index of the most specific block that contains `value`, in O(log n) comparisons.
    func blockIndex(containing value: Value) -> Int? {
        lowerBounds.withUnsafeBufferPointer { bounds in
            // Invariant: bounds[low] <= value, and every index at or past `high` starts after value.
            var low = 0
            var high = bounds.count
            while high - low > 1 {
                let middle = low + (high - low) / 2
                if bounds[middle] <= value {
                    low = middle
                } else {
                    high = middle
                }
            }
            let index = blockIndices[low]
            return index < 0 ? nil : Int(index)
        }
    }

    /// The number of ranges, for tests of the size bound.
    var rangeCount: Int { lowerBounds.count }
}
