// The client side of `bench` (docs/PEER-CONTRACT.md, "Benchmark commands"): streams load at
// the session's version and times each answer. It takes over the peer until the run ends:
// the runner waits for its answer anyway, and nothing else must share the time.

import MiniJSON
import PeerContract
import TGP
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// Nanoseconds on the monotonic clock.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}

/// What one run sends, message by message.
private enum BenchLoad {
    /// Messages with the positions of their clOrdId and origClOrdId, encoded afresh for each send.
    case tgp(messages: [(message: Message, clOrdId: Int, origClOrdId: Int?, isNewOrder: Bool)], version: Int)
    case raw(frames: [[UInt8]])
}

extension Peer {
    func bench(id: JSON, _ request: BenchRequest) {
        guard let socket else { return emit(id: id, .error("bench needs a connection: connect and logon first")) }
        guard let session = clientSession else { return emit(id: id, .error("bench needs a session: logon first")) }
        guard request.warmup < request.count else {
            return emit(id: id, .error("bench: warmup \(request.warmup) leaves nothing of count \(request.count) to measure"))
        }
        let load: BenchLoad
        switch request.load {
        case .raw(let frames):
            load = .raw(frames: frames)
        case .tgp(let messagesJSON):
            var messages: [(message: Message, clOrdId: Int, origClOrdId: Int?, isNewOrder: Bool)] = []
            for (index, json) in messagesJSON.enumerated() {
                let message: Message
                do {
                    message = try Message(json: json, schema: schema)
                    _ = try codec.encode(message, at: session.version)
                } catch {
                    return emit(id: id, .error("bench: message \(index + 1): \(error)"))
                }
                guard let clOrdId = message.type.logicalFieldIndex(named: "clOrdId") else {
                    return emit(
                        id: id, .error("bench: message \(index + 1) is a \(message.type.name), which has no clOrdId to match its answer by")
                    )
                }
                messages.append((message, clOrdId, message.type.logicalFieldIndex(named: "origClOrdId"), message.type.name == "NewOrder"))
            }
            load = .tgp(messages: messages, version: session.version)
        }
        let firstClOrdId = nextBenchClOrdId
        nextBenchClOrdId += UInt64(request.count)
        do {
            let run = try BenchRun(
                request: request, load: load, socket: socket, codec: codec, receiverVersion: version, firstClOrdId: firstClOrdId)
            let latencies = run.latencies.dropFirst(request.warmup).filter { $0 != BenchRun.unanswered }
            var chunk = latencies.startIndex
            while chunk < latencies.endIndex {
                let end = min(chunk + 4096, latencies.endIndex)
                emit(id: nil, .benchLatencies(nanoseconds: Array(latencies[chunk..<end])))
                chunk = end
            }
            emit(id: id, .benchDone(sent: run.sent, answered: run.answered, seconds: run.seconds))
        } catch {
            emit(id: id, .error("bench: \(error)"))
        }
    }
}

/// One timed run. Latency counts from when a message was due (open loop, so a stall delays
/// every message behind it and shows) or, without a rate, from when it was sent.
private struct BenchRun {
    static let unanswered = UInt64.max
    static let burst = 256

    private(set) var latencies: [UInt64]
    private(set) var sent = 0
    private(set) var answered = 0
    private(set) var seconds = 0.0

    init(request: BenchRequest, load: BenchLoad, socket: ZMQSocket, codec: Codec, receiverVersion: Int, firstClOrdId: UInt64) throws {
        // Lowered to what was sent when `seconds` runs out first.
        var count = request.count
        latencies = [UInt64](repeating: Self.unanswered, count: count)
        var due = [UInt64](repeating: 0, count: count)
        var lastNewOrder = firstClOrdId
        var answeredInOrder = 0
        let interval = request.rate > 0 ? 1e9 / Double(request.rate) : 0
        let start = monotonicNanoseconds()
        let stopSending = request.seconds > 0 ? start + UInt64(request.seconds * 1e9) : UInt64.max
        var lastAnswer = start
        var drainDeadline = UInt64.max

        // The messages to send, changed in place for each send (ours), or the frames as given (the baseline).
        var messages: [(message: Message, clOrdId: Int, origClOrdId: Int?, isNewOrder: Bool)] = []
        var rawFrames: [[UInt8]] = []
        var sessionVersion = 0
        switch load {
        case .raw(let frames): rawFrames = frames
        case .tgp(let load, let version): (messages, sessionVersion) = (load, version)
        }
        /// Writes the frame of message `index` into `frame`: encoded afresh (ours) or copied as given (the baseline).
        func frame(_ index: Int, into frame: inout [UInt8]) throws {
            guard !messages.isEmpty else {
                frame.removeAll(keepingCapacity: true)
                frame.append(contentsOf: rawFrames[index % rawFrames.count])
                return
            }
            let which = index % messages.count
            let clOrdId = firstClOrdId + UInt64(index)
            messages[which].message.values[messages[which].clOrdId] = .unsigned(clOrdId)
            if let orig = messages[which].origClOrdId { messages[which].message.values[orig] = .unsigned(lastNewOrder) }
            if messages[which].isNewOrder { lastNewOrder = clOrdId }
            try codec.encode(messages[which].message, at: sessionVersion, into: &frame)
        }
        // Frames of the messages from `sent` on, encoded and not yet on the wire: the first
        // `readyCount` of these reused buffers, from `readyHead` on.
        var ready: [[UInt8]] = []
        var readyCount = 0
        var readyHead = 0

        // Where the last answer type's clOrdId sits (a Reject's refClOrdId).
        var answerKey: (templateId: UInt16, position: Int?)?
        func answerPosition(_ type: MessageSchema) -> Int? {
            if let answerKey, answerKey.templateId == type.templateId { return answerKey.position }
            let position = type.logicalFieldIndex(named: "clOrdId") ?? type.logicalFieldIndex(named: "refClOrdId")
            answerKey = (type.templateId, position)
            return position
        }

        var answer = Message(codec.schema.messages[0])
        var parts: [[UInt8]] = []
        func take(_ frame: [UInt8], at now: UInt64) {
            let index: Int
            switch load {
            case .raw:
                index = answeredInOrder
                answeredInOrder += 1
            case .tgp:
                guard (try? codec.decode(frame, asVersion: receiverVersion, into: &answer)) != nil,
                    let position = answerPosition(answer.type),
                    case .unsigned(let clOrdId) = answer.values[position],
                    clOrdId >= firstClOrdId, clOrdId - firstClOrdId < UInt64(count)
                else { return }
                index = Int(clOrdId - firstClOrdId)
            }
            guard index < count, index < sent, latencies[index] == Self.unanswered else { return }
            latencies[index] = now &- due[index]
            answered += 1
            lastAnswer = now
        }

        while answered < count {
            var now = monotonicNanoseconds()
            if now >= stopSending && sent < count {
                // Time is up: what is encoded and not sent is dropped, and the run ends at what went.
                count = sent
                readyCount = 0
                readyHead = 0
            }
            var blocked = false
            // Encode what may go now, then send it back to back: spaced out between encodes,
            // each send would wake ZeroMQ's I/O thread on its own.
            // At most a burst per turn, so answers are read often enough that the gateway's queue
            // to this client never fills, even when the load runs ahead of it.
            var allowed = sent
            let limit = min(count, sent + Self.burst)
            if request.rate > 0 {
                while allowed < limit && start + UInt64(Double(allowed) * interval) <= now { allowed += 1 }
            } else {
                allowed = min(limit, answered + request.window)
            }
            while sent + readyCount - readyHead < allowed {
                if readyCount == ready.count { ready.append([]) }
                try frame(sent + readyCount - readyHead, into: &ready[readyCount])
                readyCount += 1
            }
            while readyHead < readyCount {
                due[sent] = request.rate > 0 ? start + UInt64(Double(sent) * interval) : now
                guard try socket.send(ready[readyHead], routedTo: nil, waiting: false) else {
                    // The gateway's queue is full: read answers before sending on.
                    blocked = true
                    break
                }
                readyHead += 1
                sent += 1
            }
            if readyHead == readyCount {
                readyCount = 0
                readyHead = 0
            }
            now = monotonicNanoseconds()
            if sent == count && drainDeadline == .max {
                drainDeadline = now + UInt64(request.drainSeconds * 1e9)
            }
            if now >= drainDeadline { break }
            // Wait for answers, but never past the next message's due time (spin when it is close).
            var waitMilliseconds: Int32 = 100
            if sent < count && request.rate > 0 {
                let nextDue = start + UInt64(Double(sent) * interval)
                waitMilliseconds = nextDue > now + 1_000_000 ? Int32(min(100, (nextDue - now) / 1_000_000 - 1)) : 0
            }
            if blocked {
                _ = try poll([.socket(socket, readable: true, writable: true)], timeoutMilliseconds: 100)
            } else if waitMilliseconds > 0 {
                _ = try poll([.socket(socket)], timeoutMilliseconds: Int(waitMilliseconds))
            }
            while try socket.receive(into: &parts) {
                let received = monotonicNanoseconds()
                for frame in parts { take(frame, at: received) }
            }
        }
        seconds = Double(lastAnswer - start) / 1e9
    }
}
