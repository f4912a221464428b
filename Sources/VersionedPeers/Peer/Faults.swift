// Deliberate compatibility defects, off by default: a test aid that proves the harness can
// fail (docs/FAULTS.md). Each is a mistake real implementations make; each is injected
// around the codec, which itself stays correct.

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
}

/// The faults a peer was started with, applied at the few places they bite.
struct FaultSet {
    /// One bit per fault, by its place in `Fault.allCases`: asked several times per frame, so
    /// a test of a bit rather than a set lookup.
    private let bits: UInt32

    init(faults: Set<Fault>) {
        precondition(Fault.allCases.count <= UInt32.bitWidth, "more faults than bits")
        bits = Fault.allCases.enumerated().reduce(0) { bits, fault in faults.contains(fault.element) ? bits | 1 << fault.offset : bits }
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

    /// The frame as the faulty encoder writes it.
    func afterEncoding(_ frame: [UInt8], type: MessageSchema, version: Int) -> [UInt8] {
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

    /// The frame as the faulty decoder reads it (R2: its own block length).
    func beforeDecoding(_ frame: [UInt8], schema: Schema, own: Int) -> [UInt8] {
        guard has(.ownBlockLength), let header = FrameHeader(of: frame), let type = schema.message(templateId: header.templateId) else { return frame }
        let ownLength = type.blockLength(at: min(Int(header.version), own))
        guard Int(header.blockLength) > ownLength else { return frame }
        return FrameLayout(schema: schema).withHeader(frame) { $0.blockLength = UInt16(ownLength) }
    }
}
