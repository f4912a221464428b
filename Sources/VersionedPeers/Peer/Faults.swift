// Deliberate compatibility defects, off by default: a test aid that proves the harness can
// fail (docs/FAULTS.md). Each is a mistake real implementations make; each is injected
// around the codec, which itself stays correct.

import Dispatch
import TGP

public enum Fault: String, CaseIterable, Sendable {
    /// Layout: NewOrder's side and ordType written at each other's offsets.
    case swappedFields = "layout-swapped-fields"
    /// Negotiation: the gateway acknowledges its own maximum instead of min(client max, gateway max).
    case negotiateGatewayMax = "negotiate-gateway-max"
    /// Version projection (E1): every message encoded at the peer's own version instead of N.
    case encodeAtOwnVersion = "encode-at-own-version"
    /// Widening: from v4 on, quantityLong is left 0 and only the legacy u32 quantity is written.
    case noQuantityWidening = "no-quantity-widening"
    /// Refusals (E2): message types newer than N are sent (at the type's version) instead of refused.
    case noVersionRefusal = "no-version-refusal"
    /// Rejects: an unknown template is answered with Malformed instead of UnknownTemplate (R5).
    case wrongRejectCode = "wrong-reject-code"
    /// Enums (R7): unknown enum values are delivered as the enum's default instead of rejected.
    case lenientEnums = "lenient-enums"
    /// Var-data: strings are cut to 255 bytes, as if the length prefix were a u8.
    case varDataCutAt255 = "var-data-255"
    /// Negotiation: LogonReject carries the client's range instead of the gateway's.
    case logonRejectClientRange = "logon-reject-client-range"
    /// R2: groups and var-data read after the receiver's own block length, not the header's.
    case ownBlockLength = "ignore-block-length"
    /// Robustness: the process aborts on an unknown template.
    case crashOnUnknownTemplate = "crash-on-unknown-template"
    /// Sessions (S4): the gateway ends a session on Logout without answering it.
    case silentLogout = "silent-logout"
    /// Sessions (S1): the gateway gives every session the version the first one negotiated.
    case singleNegotiatedVersion = "single-negotiated-version"
    /// Sessions (S2): a second Logon on a logged-on connection keeps the old N.
    case keepVersionOnRelogon = "keep-version-on-relogon"
    /// Sessions (S1): the gateway's answers go to the session that logged on last, not the one that asked.
    case answerWrongSession = "answer-wrong-session"
    /// Sessions (S4): a Logout is answered but the session lives on.
    case sessionSurvivesLogout = "session-survives-logout"
    /// R3: group entries read at the receiver's own entry length, not the group's blockLength.
    case ownGroupBlockLength = "ignore-group-block-length"
    /// R8: a group of 65 entries, one above the limit, is delivered instead of refused as Malformed.
    case accept65Entries = "accept-65-entries"
    /// R7: var-data holding UTF-16 surrogates in UTF-8 form (ED A0..BF 80..BF) is delivered instead of rejected.
    case acceptUTF16Surrogates = "accept-utf16-surrogates"
    /// Rejects (R5–R9, RJ1): a refused frame is reported (`rejected_inbound`) but no Reject goes back.
    case silentReject = "silent-reject"
    /// Sessions (S4): once the gateway has refused a frame on a connection, it no longer echoes its Heartbeats.
    case noEchoAfterRefusal = "no-echo"
    /// Not a defect: the peer keeps peer contract 1, as a peer built before contract 2 does (no
    /// `contract` in hello, no sessionId in session events, no logon on a logged-on client).
    case contract1 = "contract-1"
    /// Not a defect: performance only. Every answer to an order request (OrderAck, CancelAck,
    /// MassCancelAck) is held for `FaultSet.answerDelayNanoseconds` (busy) before it is encoded,
    /// so a bench of its gateway is measurably slower and every check gives the same result.
    case gatewayDelay = "gateway-delay"
    /// Not a defect: a slow peer. Every frame waits `FaultSet.slowFrameMicroseconds` before it goes
    /// on the wire, so the runner's waits must follow what it measures (FrameWaits).
    case slowFrames = "slow-frames"
}

/// The faults a peer was started with, applied at the few places they bite.
struct FaultSet {
    /// One bit per fault, by its place in `Fault.allCases`: asked several times per frame, so
    /// a test of a bit rather than a set lookup.
    private let bits: UInt32
    /// The codec the faulty decoder reads with: the peer's own, or for `accept-65-entries` one
    /// over a copy of its schema that allows one group entry more (the codec itself stays correct).
    let decoder: Codec

    init(faults: Set<Fault>, codec: Codec = Codec()) {
        precondition(Fault.allCases.count <= UInt32.bitWidth, "more faults than bits")
        bits = Fault.allCases.enumerated().reduce(0) { bits, fault in faults.contains(fault.element) ? bits | 1 << fault.offset : bits }
        let schema = codec.schema
        decoder =
            !faults.contains(.accept65Entries)
            ? codec
            : Codec(
                schema: Schema(
                    schemaId: schema.schemaId, messages: schema.messages, enums: schema.enums, peerRanges: schema.peerRanges,
                    maxFrameSize: schema.maxFrameSize, maxVarDataLength: schema.maxVarDataLength,
                    maxGroupEntries: schema.maxGroupEntries + 1))
    }

    /// No fault: the peer behaves as the protocol says.
    var isEmpty: Bool { bits == 0 }

    func has(_ fault: Fault) -> Bool {
        bits != 0 && bits & 1 << Fault.allCases.firstIndex(of: fault)! != 0
    }

    /// The version an outbound message is encoded at, and whether E2's type check is skipped.
    func encodingVersion(for type: MessageSchema, negotiated: Int, own: Int) -> Int {
        if has(.encodeAtOwnVersion) { return max(own, type.since) }
        if has(.noVersionRefusal), type.since > negotiated { return type.since }
        return negotiated
    }

    /// The message as the faulty encoder would see it.
    func beforeEncoding(_ message: Message) -> Message {
        guard has(.varDataCutAt255) else { return message }
        var copy = message
        for (index, field) in message.type.logicalFields.enumerated() {
            if case .varData = field.kind, case .text(let text) = message.values[index], text.utf8.count > 255 {
                copy.values[index] = .text(String(decoding: text.utf8.prefix(255), as: UTF8.self))
            }
        }
        return copy
    }

    /// `slow-frames`' wait before each frame.
    static let slowFrameMicroseconds: UInt32 = 5000

    /// `gateway-delay`'s hold on each answer to an order request.
    static let answerDelayNanoseconds: UInt64 = 100_000
    /// The answers `gateway-delay` holds: those of the reference gateway's order rules (G1–G4).
    static let delayedAnswers: Set<String> = ["OrderAck", "CancelAck", "MassCancelAck"]

    /// Spins (a sleep would round up to the scheduler's tick) for `nanoseconds` of monotonic time.
    static func spin(nanoseconds: UInt64) {
        let start = DispatchTime.now().uptimeNanoseconds
        while DispatchTime.now().uptimeNanoseconds - start < nanoseconds {}
    }

    /// The frame as the faulty encoder writes it.
    func afterEncoding(_ frame: [UInt8], type: MessageSchema, version: Int) -> [UInt8] {
        if has(.gatewayDelay), Self.delayedAnswers.contains(type.name) { Self.spin(nanoseconds: Self.answerDelayNanoseconds) }
        var frame = frame
        if has(.swappedFields), let side = type.rootField(named: "side"), let ordType = type.rootField(named: "ordType") {
            frame.swapAt(FrameHeader.size + side.offset, FrameHeader.size + ordType.offset)
        }
        if has(.noQuantityWidening) {
            for wide in type.fields where wide.widens != nil && wide.since <= version {
                for index in 0..<wide.type.size { frame[FrameHeader.size + wide.offset + index] = 0 }
            }
        }
        return frame
    }

    /// The frame as the faulty decoder reads it (R2: its own block length; R3: its own entry lengths).
    func beforeDecoding(_ frame: [UInt8], schema: Schema, own: Int) -> [UInt8] {
        guard has(.ownBlockLength) || has(.ownGroupBlockLength), let header = FrameHeader(of: frame),
            let type = schema.message(templateId: header.templateId)
        else { return frame }
        let known = min(Int(header.version), own)
        var frame = frame
        let ownLength = type.blockLength(at: known)
        if has(.ownBlockLength), Int(header.blockLength) > ownLength {
            frame = FrameLayout(schema: schema).withHeader(frame) { $0.blockLength = UInt16(ownLength) }
        }
        if has(.ownGroupBlockLength) { Self.lowerEntryLengths(in: &frame, of: type, to: known) }
        return frame
    }

    /// R3 ignored: each group's entry blockLength lowered to the one of version `known` where it is
    /// longer. Each group is looked for where that decoder looks: after the previous group's
    /// entries at their own length.
    private static func lowerEntryLengths(in frame: inout [UInt8], of type: MessageSchema, to known: Int) {
        guard let header = FrameHeader(of: frame) else { return }
        var position = FrameHeader.size + Int(header.blockLength)
        for group in type.groups where group.since <= known {
            guard position + 4 <= frame.count else { return }
            let sent = Int(frame[position]) | Int(frame[position + 1]) << 8
            let count = Int(frame[position + 2]) | Int(frame[position + 3]) << 8
            let ownLength = group.blockLength(at: known)
            // A shorter entry is refused (R8) all the same.
            guard sent >= ownLength else { return }
            frame[position] = UInt8(ownLength & 0xFF)
            frame[position + 1] = UInt8(ownLength >> 8)
            position += 4 + ownLength * count
        }
    }

    /// The frame the faulty decoder reads again after the codec refused it with `error`, patched
    /// where it is lenient; nil when it refuses the frame as well.
    func afterRefusal(_ error: DecodeError, of frame: [UInt8], schema: Schema) -> [UInt8]? {
        var frame = frame
        switch error.reason {
        case .unknownEnumValue where has(.lenientEnums):
            // The enum's default in place of the unknown value.
            guard let field = error.field, let type = error.messageName.flatMap(schema.message(named:)),
                case .enumeration(let e)? = type.rootField(named: field)?.type
            else { return nil }
            frame[error.offset] = UInt8(truncatingIfNeeded: e.defaultValue)
            return frame
        case .invalidUTF8 where has(.acceptUTF16Surrogates):
            // Each surrogate read as U+FFFD (EF BF BD, as long); other invalid UTF-8 is still refused.
            // The codec names the text's first byte, after its checked u16 length.
            let length = Int(frame[error.offset - 2]) | Int(frame[error.offset - 1]) << 8
            var index = error.offset
            var patched = false
            while index + 2 < error.offset + length {
                if frame[index] == 0xED, (0xA0...0xBF).contains(frame[index + 1]), (0x80...0xBF).contains(frame[index + 2]) {
                    frame.replaceSubrange(index..<index + 3, with: [0xEF, 0xBF, 0xBD])
                    patched = true
                    index += 3
                } else {
                    index += 1
                }
            }
            return patched ? frame : nil
        default:
            return nil
        }
    }
}
