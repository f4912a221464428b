// The events a peer wrote that no check has looked at yet, and how many bytes of stdout
// they came from: what a peer makes the runner hold is counted, so it can be bounded.

import PeerContract

/// Unsolicited events (and late answers) of one peer, oldest first, with the length of each one's line.
struct PeerInbox: Sequence {
    private var events: [Event] = []
    private var lineLengths: [Int] = []
    /// The bytes of the lines the events held came from.
    private(set) var bytes = 0

    var count: Int { events.count }

    mutating func append(_ event: Event, lineLength: Int) {
        events.append(event)
        lineLengths.append(lineLength)
        bytes += lineLength
    }

    /// Takes out the oldest event that matches.
    mutating func takeFirst(where predicate: (Event) -> Bool) -> Event? {
        guard let index = events.firstIndex(where: predicate) else { return nil }
        bytes -= lineLengths.remove(at: index)
        return events.remove(at: index)
    }

    /// Takes out every event that matches, oldest first.
    mutating func takeAll(where predicate: (Event) -> Bool) -> [Event] {
        var taken: [Event] = []
        var kept: [Event] = []
        var keptLengths: [Int] = []
        for (event, length) in zip(events, lineLengths) {
            if predicate(event) {
                taken.append(event)
                bytes -= length
            } else {
                kept.append(event)
                keptLengths.append(length)
            }
        }
        (events, lineLengths) = (kept, keptLengths)
        return taken
    }

    /// Drops every event that matches.
    mutating func removeAll(where predicate: (Event) -> Bool) {
        _ = takeAll(where: predicate)
    }

    /// The events held, oldest first, left in place.
    func makeIterator() -> IndexingIterator<[Event]> { events.makeIterator() }

    mutating func removeAll() {
        events.removeAll()
        lineLengths.removeAll()
        bytes = 0
    }
}
