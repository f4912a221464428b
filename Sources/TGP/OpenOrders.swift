// A session's open orders by clOrdId: what the reference gateway's order book (OrderBook in
// ReferenceGateway.swift) keeps them in. Clients number their orders consecutively, and under
// load the book gains one per NewOrder; a hash table of orders then misses the cache on nearly
// every insert. So orders live in pages of 8 consecutive clOrdIds, side by side, and a page is
// found through a dictionary 8 times smaller — or, for the run of orders a client is sending,
// without a lookup at all. Pages sit in chunks that are never moved, so a growing book never
// copies itself.

struct OpenOrders {
    typealias Order = OrderBook.Order

    private static let pageBits = 3
    private static let pageSize = 1 << pageBits
    private static let chunkBits = 12

    /// Slot `s` is `chunks[s >> chunkBits][s & (chunk size - 1)]`. Page `p` is slots
    /// `p * pageSize ..< (p + 1) * pageSize`; an order is in slot `clOrdId % pageSize` of its page.
    private var chunks: [[Order?]] = []
    /// Each page's open orders; a page that empties is reused for the next new page.
    private var pageCounts: [Int] = []
    private var freePages: [Int] = []
    /// Pages by `clOrdId >> pageBits`. A page costs its 8 slots however few are used, so an
    /// order among unrelated clOrdIds costs about 200 bytes.
    private var pages: [UInt64: Int] = [:]
    /// The page last looked up, to skip the dictionary for consecutive clOrdIds.
    private var lastPage: (key: UInt64, page: Int)?
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    subscript(clOrdId: UInt64) -> Order? {
        mutating get { slot(of: clOrdId).flatMap { self[slot: $0] } }
        set {
            if let newValue { insert(newValue, for: clOrdId) } else { removeValue(forKey: clOrdId) }
        }
    }

    @discardableResult
    mutating func removeValue(forKey clOrdId: UInt64) -> Order? {
        guard let slot = slot(of: clOrdId), let removed = self[slot: slot] else { return nil }
        self[slot: slot] = nil
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
                if let order = self[slot: page << Self.pageBits + offset], shouldRemove(order) {
                    picked.append(key << UInt64(Self.pageBits) | UInt64(offset))
                }
            }
        }
        for clOrdId in picked { removeValue(forKey: clOrdId) }
        return picked.count
    }

    private mutating func insert(_ order: Order, for clOrdId: UInt64) {
        let slot = slot(of: clOrdId) ?? newPage(for: clOrdId) << Self.pageBits | Int(clOrdId & UInt64(Self.pageSize - 1))
        if self[slot: slot] == nil {
            count += 1
            pageCounts[slot >> Self.pageBits] += 1
        }
        self[slot: slot] = order
    }

    private subscript(slot slot: Int) -> Order? {
        get { chunks[slot >> Self.chunkBits][slot & (1 << Self.chunkBits - 1)] }
        set { chunks[slot >> Self.chunkBits][slot & (1 << Self.chunkBits - 1)] = newValue }
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
            if page << Self.pageBits >= chunks.count << Self.chunkBits {
                chunks.append(Array(repeating: nil, count: 1 << Self.chunkBits))
            }
        }
        let key = clOrdId >> UInt64(Self.pageBits)
        pages[key] = page
        lastPage = (key, page)
        return page
    }
}
