// A capture as a replay sees it: the clients' requests in the order they were captured, and
// each session's answers in order, each tagged with the last request captured before it. Frames
// the gateway sent on the runner's command are not its answers and are left out (counted);
// requests made while the runner held the gateway in controlled mode keep that mark, so the
// replay puts its gateway in the same mode.

/// A frame a session received, after the request with index `after` (-1: before any).
public struct ReplayAnswer: Sendable, Hashable {
    public var after: Int
    public var bytes: [UInt8]
}

/// Per session, the answers it received, in order.
public typealias ReplayAnswers = [Int: [ReplayAnswer]]

public struct ReplayScript: Sendable {
    public struct Step: Sendable {
        /// The session (capture stream) the request went on.
        public let stream: Int
        public let request: [UInt8]
        /// The gateway was in controlled mode (P6) when the request went.
        public let controlled: Bool
        /// How the capture's gateway reported reading it, when the capture says.
        public let reading: GatewayReading?
        /// Per session, how many answers the capture had by the time the next request went: a
        /// replay waits for as many before it sends that request.
        public var answersBeforeNext: [Int: Int] = [:]
    }

    public private(set) var steps: [Step] = []
    public private(set) var recorded: ReplayAnswers = [:]
    /// Frames the gateway sent on the runner's command, left out.
    public private(set) var commanded = 0

    public init(_ capture: Capture) {
        for frame in capture.frames {
            switch frame.direction {
            case .clientToGateway:
                if !steps.isEmpty { steps[steps.count - 1].answersBeforeNext = recorded.mapValues(\.count) }
                steps.append(
                    Step(
                        stream: frame.stream, request: frame.bytes, controlled: CaptureMark.controlled.marks(frame.comment),
                        reading: GatewayReading(comment: frame.comment)))
            case .gatewayToClient:
                if CaptureMark.commanded.marks(frame.comment) {
                    commanded += 1
                } else {
                    recorded[frame.stream, default: []].append(ReplayAnswer(after: steps.count - 1, bytes: frame.bytes))
                }
            }
        }
        if !steps.isEmpty { steps[steps.count - 1].answersBeforeNext = recorded.mapValues(\.count) }
    }

    /// The sessions, in the order they first send.
    public var streams: [Int] {
        var seen: Set<Int> = []
        return steps.compactMap { seen.insert($0.stream).inserted ? $0.stream : nil }
    }
}
