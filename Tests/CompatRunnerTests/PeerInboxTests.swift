// A peer's inbox keeps each event with its line's length and when it was read, in step, however
// events are taken out: a Reject's wait counts from when its refusal was read.

import PeerContract
import Testing

@testable import CompatRunner

@Suite("Peer inbox")
struct PeerInboxTests {
    @Test("the event taken last says when it was read, after others were taken around it")
    func arrivalsStayWithTheirEvents() {
        let start = ContinuousClock.now
        let instants = (0..<4).map { start + .milliseconds(10 * $0) }
        var inbox = PeerInbox()
        for (index, instant) in instants.enumerated() {
            inbox.append(Event(id: nil, .error("event \(index)")), lineLength: 10 + index, arrived: instant)
        }
        #expect(inbox.lastTakenArrival == nil)
        #expect(inbox.takeAll { Self.text($0) == "event 1" }.count == 1)
        #expect(inbox.bytes == 10 + 12 + 13)
        #expect(Self.text(inbox.takeFirst { Self.text($0) == "event 2" }) == "event 2")
        #expect(inbox.lastTakenArrival == instants[2])
        #expect(Self.text(inbox.takeFirst { _ in true }) == "event 0")
        #expect(inbox.lastTakenArrival == instants[0])
        #expect(Self.text(inbox.takeFirst { _ in true }) == "event 3")
        #expect(inbox.lastTakenArrival == instants[3])
        #expect(inbox.count == 0 && inbox.bytes == 0)
    }

    static func text(_ event: Event?) -> String? {
        if case .error(let text) = event?.kind { text } else { nil }
    }
}
