// A session's open orders by clOrdId: the reference gateway's order book. Clients number
// their orders consecutively, and under load the book gains one per NewOrder; a hash table
// of orders then misses the cache on nearly every insert. So orders live in pages of 16
// consecutive clOrdIds, side by side in one array, and a page is found through a small
// dictionary — or, for the run of orders a client is sending, without a lookup at all.

struct OpenOrders {
    struct Order: Equatable {
        var orderId: UInt64
        var symbol: String
    }

    private static let pageBits = 4
    private static let pageSize = 1 << pageBits

    /// Page `p` is `slots[p * pageSize ..< (p + 1) * pageSize]`, slot `clOrdId % pageSize` of its page.
    private var slots: [Order?] = []
    /// Each page's open orders; a page that empties is reused for the next new page.
    private var pageCounts: [Int] = []
    private var freePages: [Int] = []
    /// Pages by `clOrdId >> pageBits`.
    private var pages: [UInt64: Int] = [:]
    /// The page last looked up, to skip the dictionary for consecutive clOrdIds.
    private var lastPage: (key: UInt64, page: Int)?
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    subscript(clOrdId: UInt64) -> Order? {
        mutating get { slot(of: clOrdId).flatMap { slots[$0] } }
        set {
            if let newValue { insert(newValue, for: clOrdId) } else { removeValue(forKey: clOrdId) }
        }
    }

    @discardableResult
    mutating func removeValue(forKey clOrdId: UInt64) -> Order? {
        guard let slot = slot(of: clOrdId), let removed = slots[slot] else { return nil }
        slots[slot] = nil
        count -= 1
        let page = slot >> Self.pageBits
        pageCounts[page] -= 1
        if pageCounts[page] == 0 {
            pages[clOrdId >> UInt64(Self.pageBits)] = nil
            freePages.append(page)
            lastPage = nil
        }
        return removed
    }

    /// Removes the orders `shouldRemove` picks; returns how many.
    mutating func removeAll(where shouldRemove: (Order) -> Bool) -> Int {
        var picked: [UInt64] = []
        for (key, page) in pages {
            for offset in 0..<Self.pageSize {
                if let order = slots[page << Self.pageBits + offset], shouldRemove(order) {
                    picked.append(key << UInt64(Self.pageBits) | UInt64(offset))
                }
            }
        }
        for clOrdId in picked { removeValue(forKey: clOrdId) }
        return picked.count
    }

    private mutating func insert(_ order: Order, for clOrdId: UInt64) {
        let slot = slot(of: clOrdId) ?? newPage(for: clOrdId) << Self.pageBits | Int(clOrdId & UInt64(Self.pageSize - 1))
        if slots[slot] == nil {
            count += 1
            pageCounts[slot >> Self.pageBits] += 1
        }
        slots[slot] = order
    }

    /// The slot `clOrdId` has when its page exists.
    private mutating func slot(of clOrdId: UInt64) -> Int? {
        let key = clOrdId >> UInt64(Self.pageBits)
        let page: Int
        if let lastPage, lastPage.key == key {
            page = lastPage.page
        } else {
            guard let found = pages[key] else { return nil }
            page = found
            lastPage = (key, page)
        }
        return page << Self.pageBits | Int(clOrdId & UInt64(Self.pageSize - 1))
    }

    private mutating func newPage(for clOrdId: UInt64) -> Int {
        let page: Int
        if let free = freePages.popLast() {
            page = free
        } else {
            page = pageCounts.count
            pageCounts.append(0)
            slots.append(contentsOf: repeatElement(nil, count: Self.pageSize))
        }
        let key = clOrdId >> UInt64(Self.pageBits)
        pages[key] = page
        lastPage = (key, page)
        return page
    }
}
