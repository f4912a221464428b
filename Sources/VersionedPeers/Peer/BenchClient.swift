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
    case tgp([BenchMessage])
    case raw(frames: [[UInt8]])
}

/// One message of the mix: encoded once at the session's version, then sent as a copy with
/// its ids written in place, as an SBE flyweight sends (the load generator's own cost is
/// not what the run measures).
private struct BenchMessage {
    let frame: [UInt8]
    let clOrdId: FrameInteger
    let origClOrdId: FrameInteger?
    let isNewOrder: Bool
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
            var messages: [BenchMessage] = []
            for (index, json) in messagesJSON.enumerated() {
                do {
                    messages.append(try benchMessage(json, at: session.version))
                } catch {
                    return emit(id: id, .error("bench: message \(index + 1): \(error)"))
                }
            }
            load = .tgp(messages)
        }
        let firstClOrdId = nextBenchClOrdId
        nextBenchClOrdId += UInt64(request.count)
        do {
            let run = try BenchRun(
                request: request, load: load, socket: socket, layout: FrameLayout(schema: schema), firstClOrdId: firstClOrdId)
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

    private func benchMessage(_ json: JSON, at version: Int) throws -> BenchMessage {
        let message = try Message(json: json, schema: schema)
        let layout = FrameLayout(schema: schema)
        guard let clOrdId = layout.integer(named: "clOrdId", of: message.type) else {
            throw ContractError("a \(message.type.name) has no unsigned integer clOrdId to match its answer by")
        }
        let origClOrdId = layout.integer(named: "origClOrdId", of: message.type)
        if origClOrdId == nil && message.type.rootField(named: "origClOrdId") != nil {
            throw ContractError("a \(message.type.name)'s origClOrdId is not an unsigned integer")
        }
        return BenchMessage(
            frame: try codec.encode(message, at: version), clOrdId: clOrdId, origClOrdId: origClOrdId,
            isNewOrder: message.type.name == "NewOrder")
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

    init(request: BenchRequest, load: BenchLoad, socket: ZMQSocket, layout: FrameLayout, firstClOrdId: UInt64) throws {
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

        var messages: [BenchMessage] = []
        var rawFrames: [[UInt8]] = []
        switch load {
        case .raw(let frames): rawFrames = frames
        case .tgp(let load): messages = load
        }
        /// Writes the frame of message `index` into `frame`: with its ids (ours), or as given (the baseline).
        func frame(_ index: Int, into frame: inout [UInt8]) {
            frame.removeAll(keepingCapacity: true)
            guard !messages.isEmpty else { return frame.append(contentsOf: rawFrames[index % rawFrames.count]) }
            let message = messages[index % messages.count]
            let clOrdId = firstClOrdId + UInt64(index)
            frame.append(contentsOf: message.frame)
            message.clOrdId.set(clOrdId, in: &frame)
            message.origClOrdId?.set(lastNewOrder, in: &frame)
            if message.isNewOrder { lastNewOrder = clOrdId }
        }
        // Frames of the messages from `sent` on, encoded and not yet on the wire: the first
        // `readyCount` of these reused buffers, from `readyHead` on.
        var ready: [[UInt8]] = []
        var readyCount = 0
        var readyHead = 0

        // Where the last answer type's clOrdId sits (a Reject's refClOrdId); nil for a type without one.
        var answerKey: (templateId: UInt64, id: FrameInteger?)?
        let templateId = layout.templateIdInteger
        let blockLength = layout.blockLengthInteger
        let headerSize = layout.headerSize
        func answerId(_ template: UInt64) -> FrameInteger? {
            if let answerKey, answerKey.templateId == template { return answerKey.id }
            let type = layout.schema.messages.first { UInt64($0.templateId) == template }
            let id = type.flatMap { layout.integer(named: "clOrdId", of: $0) ?? layout.integer(named: "refClOrdId", of: $0) }
            answerKey = (template, id)
            return id
        }

        var parts: [[UInt8]] = []
        func take(_ frame: [UInt8], at now: UInt64) {
            let index: Int
            switch load {
            case .raw:
                index = answeredInOrder
                answeredInOrder += 1
            case .tgp:
                // The id is read where the header's template puts it, when the header's block holds it.
                guard let template = templateId.value(in: frame), let id = answerId(template),
                    let block = blockLength.value(in: frame), block >= UInt64(id.end - headerSize),
                    let clOrdId = id.value(in: frame),
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
                frame(sent + readyCount - readyHead, into: &ready[readyCount])
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
