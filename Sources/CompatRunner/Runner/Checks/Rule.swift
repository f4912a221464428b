// The rules of docs/PROTOCOL.md and docs/PEER-CONTRACT.md by their stable ids. A check may
// enforce only these: every kind of check names the ones it traces to (CheckKind.rules).

/// One normative rule of the project's docs.
public enum Rule: String, CaseIterable, Sendable, Comparable {
    // Transport and the wire format.
    case t1 = "T1"
    case t2 = "T2"
    case w1 = "W1"
    case w2 = "W2"
    case w3 = "W3"
    case w4 = "W4"
    case w5 = "W5"
    case w6 = "W6"
    case w7 = "W7"
    // What a new version may add (enforced by `compat schema diff`, not by a cell).
    case v1 = "V1"
    case v2 = "V2"
    case v3 = "V3"
    case v4 = "V4"
    case v5 = "V5"
    // Decoding, the order of its rules, and the Reject fields.
    case r1 = "R1"
    case r2 = "R2"
    case r3 = "R3"
    case r4 = "R4"
    case r5 = "R5"
    case r6 = "R6"
    case r7 = "R7"
    case r8 = "R8"
    case r9 = "R9"
    case r10 = "R10"
    case r11 = "R11"
    case rj1 = "RJ1"
    case rj2 = "RJ2"
    case rj3 = "RJ3"
    case rj4 = "RJ4"
    // Encoding, negotiation, sessions, the reference gateway.
    case e1 = "E1"
    case e2 = "E2"
    case e3 = "E3"
    case n1 = "N1"
    case n2 = "N2"
    case n3 = "N3"
    case s1 = "S1"
    case s2 = "S2"
    case s3 = "S3"
    case s4 = "S4"
    case g1 = "G1"
    case g2 = "G2"
    case g3 = "G3"
    case g4 = "G4"
    // Plain SBE sessions (profile sbe).
    case sb1 = "SB1"
    case sb2 = "SB2"
    case sb3 = "SB3"
    case sb4 = "SB4"
    case sb5 = "SB5"
    // The peer contract.
    case p1 = "P1"
    case p2 = "P2"
    case p3 = "P3"
    case p4 = "P4"
    case p5 = "P5"
    case p6 = "P6"
    case p7 = "P7"
    case p8 = "P8"
    case p9 = "P9"
    case p10 = "P10"
    case p11 = "P11"
    case p12 = "P12"
    case p13 = "P13"
    case p14 = "P14"
    case p15 = "P15"
    case p16 = "P16"
    case p17 = "P17"

    public var id: String { rawValue }

    /// The document that defines it.
    public var document: String { rawValue.hasPrefix("P") ? "docs/PEER-CONTRACT.md" : "docs/PROTOCOL.md" }

    /// Catalogue order: the order of the cases, which is the order of the docs.
    public static func < (lhs: Rule, rhs: Rule) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Why no check of a cell enforces it, for the rules that have such a reason.
    public var enforcedElsewhere: String? {
        switch self {
        case .v1, .v2, .v3, .v4, .v5: "`compat schema diff` (schema rules), not a cell"
        case .t1: "every cell runs over it: a peer that breaks it fails every check"
        case .t2: "the runner only hands out ipc and loopback endpoints"
        case .p2: "every check: an answer is found by its id, so a peer that breaks it stops answering (TIMEOUT)"
        default: nil
        }
    }
}
