// One direction of a ZMTP 3.x connection (rfc.zeromq.org specs 23 and 37): a 64-byte greeting,
// then frames of a flags byte, a 1- or 8-byte size and a body. Commands (READY, PING, PONG …)
// carry the session, not the protocol; messages, one or more frames, carry the protocol.

/// What a run of a direction's bytes held.
enum ZMTPEvent: Equatable {
    /// A READY command, with its Socket-Type property when it has one.
    case ready(socketType: String?)
    /// A whole message: how many frames it had, and its last frame.
    case message(frames: Int, last: [UInt8])
}

/// Why a direction's bytes stopped being read.
enum ZMTPStop: Error, Equatable {
    /// The connection is not ZMTP 3 with the NULL mechanism: none of it can be read.
    case unreadable(String)
    /// What came before is good; nothing after it can be read.
    case ended(String)
}

/// Reads one direction of a ZMTP connection as its bytes arrive.
struct ZMTPReader {
    static let greetingLength = 64
    /// No protocol of the harness needs frames near this size; a larger size is taken as garbage.
    static let maxFrameBytes: UInt64 = 64 << 20

    static let more: UInt8 = 0x01
    static let long: UInt8 = 0x02
    static let command: UInt8 = 0x04

    private var buffer: [UInt8] = []
    private var position = 0
    /// How many bytes of the stream came before `buffer[0]`, for the offsets the notes give.
    private var consumed = 0
    private(set) var greeted = false
    private var framesInMessage = 0

    /// Why reading stopped, once it has; bytes fed after that are ignored.
    private(set) var stop: ZMTPStop?

    init() {}

    /// A reader that reads nothing, for a direction already given up on.
    init(stopped: ZMTPStop) { stop = stopped }

    /// The events `bytes` complete; bytes of a frame not yet whole wait for the next call.
    mutating func feed(_ bytes: [UInt8]) -> [ZMTPEvent] {
        guard stop == nil else { return [] }
        buffer += bytes
        var events: [ZMTPEvent] = []
        do {
            if !greeted { try greeting() }
            while greeted, let event = try frame() {
                if let event { events.append(event) }
            }
        } catch {
            stop = error
            buffer = []
            position = 0
        }
        compact()
        return events
    }

    /// Whether bytes of an unfinished greeting or frame are left over.
    var hasPartialData: Bool { position < buffer.count || framesInMessage > 0 || (!greeted && consumed + buffer.count > 0) }

    // MARK: greeting

    /// Checks the greeting's fields as soon as they have arrived, so a stream that is not ZMTP is told early.
    private mutating func greeting() throws(ZMTPStop) {
        let have = buffer.count - position
        if have >= 1, buffer[position] != 0xFF { throw .unreadable("does not start with the ZMTP signature (0xFF)") }
        if have >= 10, buffer[position + 9] != 0x7F { throw .unreadable("no ZMTP signature (0xFF, 8 bytes, 0x7F): ZMTP 1.0 or not ZMTP") }
        if have >= 11, buffer[position + 10] != 3 { throw .unreadable("ZMTP version \(buffer[position + 10]), not 3") }
        guard have >= Self.greetingLength else { return }
        let field = buffer[(position + 12)..<(position + 32)]
        let mechanism = String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
        guard mechanism == "NULL" else {
            throw .unreadable("the security mechanism is \(mechanism.isEmpty ? "empty" : mechanism), not NULL")
        }
        position += Self.greetingLength
        greeted = true
    }

    // MARK: frames

    /// The next whole frame: nil when it has not all arrived, .some(nil) for a frame that is no event.
    private mutating func frame() throws(ZMTPStop) -> ZMTPEvent?? {
        let have = buffer.count - position
        guard have >= 2 else { return nil }
        let flags = buffer[position]
        guard flags & 0xF8 == 0 else { throw .ended("reserved frame flags 0x\(String(flags, radix: 16)) at stream byte \(offset)") }
        let sizeLength = flags & Self.long != 0 ? 8 : 1
        guard have >= 1 + sizeLength else { return nil }
        let size = buffer[(position + 1)...(position + sizeLength)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard size <= Self.maxFrameBytes else {
            throw .ended("a frame of \(size) bytes at stream byte \(offset), over the \(Self.maxFrameBytes) a frame may have")
        }
        let start = position + 1 + sizeLength
        guard buffer.count - start >= Int(size) else { return nil }
        let body = Array(buffer[start..<(start + Int(size))])
        position = start + Int(size)
        return .some(flags & Self.command != 0 ? try Self.command(body) : message(body, more: flags & Self.more != 0))
    }

    private mutating func message(_ body: [UInt8], more: Bool) -> ZMTPEvent? {
        framesInMessage += 1
        guard !more else { return nil }
        defer { framesInMessage = 0 }
        return .message(frames: framesInMessage, last: body)
    }

    /// READY gives the socket type; every other command is left alone.
    private static func command(_ body: [UInt8]) throws(ZMTPStop) -> ZMTPEvent? {
        let bytes = Bytes(body)
        guard let nameLength = bytes.u8(0), let name = bytes.slice(1, Int(nameLength)) else { throw .ended("a command cut short") }
        guard name == Array("READY".utf8) else { return nil }
        var offset = 1 + Int(nameLength)
        var socketType: String?
        while offset < body.count {
            guard let keyLength = bytes.u8(offset), let key = bytes.slice(offset + 1, Int(keyLength)),
                let valueLength = bytes.u32(offset + 1 + Int(keyLength)),
                let value = bytes.slice(offset + 5 + Int(keyLength), Int(valueLength))
            else { throw .unreadable("a READY command whose properties run past its end") }
            if String(decoding: key, as: UTF8.self).lowercased() == "socket-type" { socketType = String(decoding: value, as: UTF8.self) }
            offset += 5 + Int(keyLength) + Int(valueLength)
        }
        return .ready(socketType: socketType)
    }

    private var offset: Int { consumed + position }

    /// Drops what has been read once it is most of the buffer, so a long stream costs linear time.
    private mutating func compact() {
        guard position > 0, position * 2 >= buffer.count else { return }
        consumed += position
        buffer.removeFirst(position)
        position = 0
    }
}
