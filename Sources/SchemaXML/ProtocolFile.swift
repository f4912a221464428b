// A protocol as a team gives it to compat: its schema file read into the IR, and the session
// profile (docs/PROTOCOL.md) that says what its sessions do.

import SBE

/// What a protocol's sessions do: `tgp` (Logon negotiation, Rejects, the reference gateway) or
/// `sbe` (plain SBE: each side at its own version, silent refusals; SB1–SB5).
public enum SessionProfile: String, CaseIterable, Sendable {
    case tgp, sbe
}

public struct ProtocolFile: Sendable {
    /// The XML file it was read from.
    public let path: String
    public let schema: Schema
    public let profile: SessionProfile

    public init(path: String, schema: Schema, profile: SessionProfile) {
        self.path = path
        self.schema = schema
        self.profile = profile
    }
}
