// Bad input under the plain profile: a valid frame of the sender's, corrupted at one rule's
// boundary (SB3). Each is refused by the receiver's own decoder, which says with which code;
// the executor then proves nothing went back and the connection goes on.

import TGP

extension PlainPlanner {
    mutating func planBadInput(_ flow: Flow) {
        for probe in PlainBadInputProbe.allCases {
            guard let frame = badFrame(probe, flow) else { continue }
            add(.badInput(probe), CheckName.badInput, flow, probe.rawValue, .raw(frame: frame, outcome: receive(frame, flow), flow))
        }
    }

    /// The types both versions have that `flow` carries and both files read alike, with their
    /// sample frame at the sender's version: a probe corrupts a frame that is otherwise sound.
    private func sharedFrames(_ flow: Flow) -> [(type: MessageSchema, frame: [UInt8])] {
        agreed[flow, default: []].filter { $0.type.direction.isSent(by: flow.sender) }
    }

    /// The corrupted frame, or nil when no type of this flow has what the probe corrupts.
    func badFrame(_ probe: PlainBadInputProbe, _ flow: Flow) -> [UInt8]? {
        let (schema, version) = sides.sender(flow)
        let receiver = sides.receiver(flow)
        let header = schema.header
        let shared = sharedFrames(flow)
        let acting = min(version, receiver.version)
        func rewritten(_ frame: [UInt8], _ change: (inout FrameHeader) -> Void) -> [UInt8] {
            var values = header.header(of: frame, byteOrder: schema.byteOrder)!
            change(&values)
            return header.bytes(of: values, byteOrder: schema.byteOrder) + frame.dropFirst(header.size)
        }
        switch probe {
        case .shortHeader:
            return shared.first.map { Array($0.frame.prefix(header.size - 1)) }
        case .wrongSchemaId:
            return shared.first.map { rewritten($0.frame) { $0.schemaId &+= 1 } }
        case .oversized:
            return shared.first.map { $0.frame + [UInt8](repeating: 0, count: receiver.schema.maxFrameSize + 1 - $0.frame.count) }
        case .unknownTemplate:
            let unused = UInt16(clamping: ([schema, receiver.schema].flatMap(\.messages).map { Int($0.templateId) }.max() ?? 0) + 1)
            return shared.first.map { rewritten($0.frame) { $0.templateId = unused } }
        case .shortBlockLength:
            guard let (type, frame) = shared.first(where: { $0.type.blockLength(at: acting) > 0 }) else { return nil }
            return rewritten(frame) { $0.blockLength = UInt16(type.blockLength(at: acting) - 1) }
        case .truncatedBlock:
            guard let (type, frame) = shared.first(where: { $0.type.blockLength(at: version) > 1 }) else { return nil }
            return Array(frame.prefix(header.size + type.blockLength(at: version) / 2))
        case .groupPastEnd:
            // Cut inside the first entry of the first group: shorter than its dimension says.
            guard
                let (type, frame) = shared.first(where: { shared in
                    guard let group = shared.type.groups.first, group.since <= acting else { return false }
                    return group.blockLength(at: version) > 1 && Self.entries(of: shared.type, group.name, in: samples(flow.sender)) > 0
                })
            else { return nil }
            let group = type.groups[0]
            return Array(frame.prefix(header.size + type.blockLength(at: version) + group.dimension.size + 1))
        case .varDataPastEnd:
            // One byte short of the last var-data, which the receiver knows and which is not empty.
            let chosen = shared.first { shared in
                shared.type.varData.last != nil && shared.type.varData.allSatisfy { $0.since <= acting }
                    && Self.lastVarDataIsNotEmpty(shared.type, in: samples(flow.sender))
            }
            return chosen.map { Array($0.frame.dropLast()) }
        case .enumPastLast:
            for (type, frame) in shared {
                for field in type.fields where field.since <= acting {
                    guard case .enumeration(let enumSchema) = field.type, enumSchema.encoding.size == 1,
                        let receiverType = receiver.schema.message(named: type.name),
                        let receiverField = receiverType.fields.first(where: { $0.name == field.name }),
                        case .enumeration(let receiverEnum) = receiverField.type
                    else { continue }
                    let taken = Set(receiverEnum.values.map(\.value) + enumSchema.values.map(\.value))
                    guard
                        let unused = (UInt64(1)...254).first(where: {
                            !taken.contains($0) && FieldValue.unsigned($0) != receiverEnum.nullValue
                        })
                    else { continue }
                    var corrupted = frame
                    corrupted[header.size + field.offset] = UInt8(unused)
                    return corrupted
                }
            }
            return nil
        }
    }

    private static func entries(of type: MessageSchema, _ group: String, in book: SampleBook) -> Int {
        guard case .group(let entries)? = book[type].sample[group] else { return 0 }
        return entries.count
    }

    private static func lastVarDataIsNotEmpty(_ type: MessageSchema, in book: SampleBook) -> Bool {
        switch book[type].sample[type.varData.last!.name] {
        case .text(let text)?: !text.isEmpty
        case .bytes(let bytes)?: !bytes.isEmpty
        default: false
        }
    }
}
