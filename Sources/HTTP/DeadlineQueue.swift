/// A min-heap of connection deadlines for one loop.
///
/// Entries are never removed early. A connection remembers the deadline of its earliest entry, and the loop skips
/// a popped entry that no longer matches (see `EventLoopCore.fireDeadlines`). The loop inserts only when a deadline
/// comes before the one already queued, so a connection usually has a single entry.
struct DeadlineQueue {
    struct Entry: Equatable {
        let deadline: MonotonicInstant
        let connectionID: UInt64
    }

    private var heap: [Entry] = []

    var count: Int { heap.count }

    var earliest: MonotonicInstant? { heap.first?.deadline }

    mutating func insert(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if its deadline is not after `now`.
    mutating func popExpired(now: MonotonicInstant) -> Entry? {
        guard let first = heap.first, first.deadline <= now else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }

        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count && heap[right].deadline < heap[smallest].deadline { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
