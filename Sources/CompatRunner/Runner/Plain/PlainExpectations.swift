// What a plain SBE receiver lists for a message another schema file encoded (SB2, P12): for each
// field its own version knows, the sender's value where both files give the field by that name
// and the frame's version carries it, else its own absent value (R1). Values stay in the
// sender's type: a field one file retyped compares unequal, as it arrives.

import MiniJSON
import PeerContract
import TGP

enum PlainExpectations {
    static func fields(
        sent values: [FieldValue], of senderFields: [LogicalField], frameVersion: Int, receiverFields: [LogicalField], receiverVersion: Int
    ) -> JSONObject {
        var object = JSONObject()
        for field in receiverFields where field.since <= receiverVersion {
            let sent = zip(senderFields, values).first { $0.0.name == field.name && $0.0.since <= frameVersion }
            guard field.since <= frameVersion, let (senderField, value) = sent else {
                object[field.name] = field.json(field.defaultValue, knownAt: receiverVersion)
                continue
            }
            if case .group(let group) = field.kind, case .group(let senderGroup) = senderField.kind, case .group(let entries) = value {
                object[field.name] = .array(
                    entries.map { entry in
                        .object(
                            Self.fields(
                                sent: entry, of: senderGroup.logicalFields, frameVersion: frameVersion, receiverFields: group.logicalFields,
                                receiverVersion: receiverVersion))
                    })
            } else {
                object[field.name] = senderField.json(value, knownAt: frameVersion)
            }
        }
        return object
    }
}
