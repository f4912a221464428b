// The rules of docs/PROTOCOL.md and docs/PEER-CONTRACT.md by their stable ids. A check may
// enforce only these: every kind of check names the ones it traces to (CheckKind.rules).

/// One normative rule of the project's docs.
public enum Rule: String, CaseIterable, Sendable, Comparable {
    // Transport and the wire format.
    case t1 = "T1", t2 = "T2"
    case w1 = "W1", w2 = "W2", w3 = "W3", w4 = "W4", w5 = "W5", w6 = "W6", w7 = "W7"
    // What a new version may add (enforced by `compat schema diff`, not by a cell).
    case v1 = "V1", v2 = "V2", v3 = "V3", v4 = "V4", v5 = "V5"
    // Decoding, the order of its rules, and the Reject fields.
    case r1 = "R1", r2 = "R2", r3 = "R3", r4 = "R4", r5 = "R5", r6 = "R6", r7 = "R7", r8 = "R8", r9 = "R9", r10 = "R10", r11 = "R11"
    case rj1 = "RJ1", rj2 = "RJ2", rj3 = "RJ3", rj4 = "RJ4"
    // Encoding, negotiation, sessions, the reference gateway.
    case e1 = "E1", e2 = "E2", e3 = "E3"
    case n1 = "N1", n2 = "N2", n3 = "N3"
    case s1 = "S1", s2 = "S2", s3 = "S3", s4 = "S4"
    case g1 = "G1", g2 = "G2", g3 = "G3", g4 = "G4"
    // The peer contract.
    case p1 = "P1", p2 = "P2", p3 = "P3", p4 = "P4", p5 = "P5", p6 = "P6", p7 = "P7", p8 = "P8"
    case p9 = "P9", p10 = "P10", p11 = "P11", p12 = "P12", p13 = "P13", p14 = "P14", p15 = "P15", p16 = "P16", p17 = "P17"

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
