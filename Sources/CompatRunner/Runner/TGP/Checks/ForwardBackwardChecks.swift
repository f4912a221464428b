// Forward and backward decoding of every message type: its sample encoded at every version
// from the type's since to the newest, forced on the wire; the receiver delivers exactly what
// it knows of each (R1–R4, R10).

import TGP

extension CellExecutor {
    func encodedAt(_ frame: [UInt8], version: Int, expected: Message, flow: Flow) throws(CellAbort) -> CheckFailure? {
        try deliverRaw(frame, version: version, expected: expected, flow: flow)
    }
}
