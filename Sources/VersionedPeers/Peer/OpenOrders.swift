// A session's open orders by clOrdId: the reference gateway's order book. An open-addressing
// table rather than a Dictionary, because under load the book gains an order per NewOrder
// and every lookup missed the cache: here each run of eight consecutive clOrdIds (how
// clients number their orders) shares neighbouring slots, and no key is hashed with SipHash.

struct OpenOrders {
    struct Order: Equatable {
        var orderId: UInt64
        var symbol: String
    }

    private struct Slot {
        var clOrdId: UInt64 = 0
        var order: Order?
    }

    /// A power of two, at least `minimumCapacity`; at most 5/8 full.
    private var slots: [Slot]
    private(set) var count = 0

    private static let minimumCapacity = 16
    /// Keys that differ only in these low bits are placed side by side.
    private static let runBits = 3

    init() {
        slots = Array(repeating: Slot(), count: Self.minimumCapacity)
    }

    var isEmpty: Bool { count == 0 }

    subscript(clOrdId: UInt64) -> Order? {
        get { find(clOrdId).map { slots[$0].order! } }
        set {
            if let newValue { insert(newValue, for: clOrdId) } else { removeValue(forKey: clOrdId) }
        }
    }

    @discardableResult
    mutating func removeValue(forKey clOrdId: UInt64) -> Order? {
        guard var hole = find(clOrdId) else { return nil }
        let removed = slots[hole].order
        slots[hole].order = nil
        count -= 1
        // Backward-shift deletion: move later members of the probe run into the hole, so every
        // key stays reachable from its home slot without tombstones.
        let mask = slots.count - 1
        var index = (hole + 1) & mask
        while slots[index].order != nil {
            let home = Self.home(slots[index].clOrdId, mask: mask)
            // Movable when its home does not lie strictly between the hole and it (cyclically).
            if (index - home) & mask >= (index - hole) & mask {
                slots[hole] = slots[index]
                slots[index].order = nil
                hole = index
            }
            index = (index + 1) & mask
        }
        return removed
    }

    /// Removes the orders `shouldRemove` picks; returns how many.
    mutating func removeAll(where shouldRemove: (Order) -> Bool) -> Int {
        let picked = slots.compactMap { slot in slot.order.flatMap { shouldRemove($0) ? slot.clOrdId : nil } }
        for clOrdId in picked { removeValue(forKey: clOrdId) }
        return picked.count
    }

    /// One probe: replaces the key's order, or takes the first free slot. Grows first, which
    /// an update does not need but costs nothing it would not soon cost anyway.
    private mutating func insert(_ order: Order, for clOrdId: UInt64) {
        if (count + 1) * 8 > slots.count * 5 { grow() }
        let mask = slots.count - 1
        var index = Self.home(clOrdId, mask: mask)
        while slots[index].order != nil {
            if slots[index].clOrdId == clOrdId {
                slots[index].order = order
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(clOrdId: clOrdId, order: order)
        count += 1
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(), count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where slot.order != nil {
            var index = Self.home(slot.clOrdId, mask: mask)
            while slots[index].order != nil { index = (index + 1) & mask }
            slots[index] = slot
        }
    }

    private func find(_ clOrdId: UInt64) -> Int? {
        let mask = slots.count - 1
        var index = Self.home(clOrdId, mask: mask)
        while slots[index].order != nil {
            if slots[index].clOrdId == clOrdId { return index }
            index = (index + 1) & mask
        }
        return nil
    }

    /// The slot a key starts its probe from: a run of keys that differ only in the low bits
    /// goes to one Fibonacci-hashed group of neighbouring slots.
    private static func home(_ clOrdId: UInt64, mask: Int) -> Int {
        let run = (clOrdId >> UInt64(runBits)) &* 0x9E37_79B9_7F4A_7C15
        let group = Int(truncatingIfNeeded: run >> 32) << runBits
        return (group | Int(clOrdId & (1 << UInt64(runBits) - 1))) & mask
    }
}
