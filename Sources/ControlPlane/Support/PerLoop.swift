import Synchronization

/// One copy of some state for each event loop, each behind its own lock.
///
/// Every request touches a few pieces of shared state: counters, credentials and current bundles. Behind one lock,
/// the loops contend for that lock and for the cache line it sits on. With a copy per loop, each loop locks its own,
/// and only rare writers, which update every copy, and readers of totals, which merge them, visit them all.
final class PerLoop<State: Sendable>: Sendable {
    private final class Slot: Sendable {
        let state: Mutex<State>
        /// Keeps the locks of neighbouring slots off one cache line; never read.
        private let padding: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0, 0, 0)

        init(_ state: State) {
            self.state = Mutex(state)
        }
    }

    private let slots: [Slot]

    init(loopCount: Int, initial: State) {
        slots = (0..<max(1, loopCount)).map { _ in Slot(initial) }
    }

    /// Runs `body` with the state of loop `index`. Any index maps to a slot, wrapping beyond the loop count, so a
    /// request made outside a loop, such as in a test, still has one.
    func withLock<Result: Sendable>(loop index: Int, _ body: (inout State) -> Result) -> Result {
        let slot = Int(UInt(bitPattern: index) % UInt(slots.count))
        return slots[slot].state.withLock { body(&$0) }
    }

    /// Runs `body` with each loop's state in turn, to update every copy or to merge them.
    func forEach(_ body: (inout State) -> Void) {
        for slot in slots {
            slot.state.withLock { body(&$0) }
        }
    }
}
