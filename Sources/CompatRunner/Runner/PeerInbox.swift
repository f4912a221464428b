// The events a peer wrote that no check has looked at yet, and how many bytes of stdout
// they came from: what a peer makes the runner hold is counted, so it can be bounded.

import PeerContract

/// Unsolicited events (and late answers) of one peer, oldest first, with the length of each one's
/// line and when the runner read it.
struct PeerInbox: Sequence {
    private var events: [Event] = []
    private var lineLengths: [Int] = []
    private var arrivals: [ContinuousClock.Instant] = []
    /// The bytes of the lines the events held came from.
    private(set) var bytes = 0
    /// When the runner read the event `takeFirst` took last: what that event's frame caused (the
    /// Reject of a refused frame) is waited for from then.
    private(set) var lastTakenArrival: ContinuousClock.Instant?

    var count: Int { events.count }

    mutating func append(_ event: Event, lineLength: Int, arrived: ContinuousClock.Instant) {
        events.append(event)
        lineLengths.append(lineLength)
        arrivals.append(arrived)
        bytes += lineLength
    }

    /// Takes out the oldest event that matches.
    mutating func takeFirst(where predicate: (Event) -> Bool) -> Event? {
        guard let index = events.firstIndex(where: predicate) else { return nil }
        bytes -= lineLengths.remove(at: index)
        lastTakenArrival = arrivals.remove(at: index)
        return events.remove(at: index)
    }

    /// Takes out every event that matches, oldest first.
    mutating func takeAll(where predicate: (Event) -> Bool) -> [Event] {
        var taken: [Event] = []
        var kept: [Event] = []
        var keptLengths: [Int] = []
        var keptArrivals: [ContinuousClock.Instant] = []
        for index in events.indices {
            if predicate(events[index]) {
                taken.append(events[index])
                bytes -= lineLengths[index]
            } else {
                kept.append(events[index])
                keptLengths.append(lineLengths[index])
                keptArrivals.append(arrivals[index])
            }
        }
        (events, lineLengths, arrivals) = (kept, keptLengths, keptArrivals)
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
        arrivals.removeAll()
        bytes = 0
    }
}
