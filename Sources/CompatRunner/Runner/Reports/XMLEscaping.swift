// Text made safe for the XML documents compat writes: junit.xml, and report.html (which is
// well-formed XML too).

enum XMLEscaping {
    /// `value` with markup as references. XML 1.0 cannot carry most C0 controls even as
    /// references: like every other control character (which may have come from a peer) they
    /// are shown as escapes (`\x01`). `quotes`: both quotes as references too, for an attribute
    /// value; `breaks`: line breaks and tabs as references, so they survive an XML parser's
    /// attribute normalisation.
    static func escaped(_ value: String, quotes: Bool, breaks: Bool) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.printable.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "'" where quotes: out += "&apos;"
            case "\n" where breaks: out += "&#10;"
            case "\t" where breaks: out += "&#9;"
            // Not characters XML 1.0 allows: shown as an escape too.
            case "\u{FFFE}", "\u{FFFF}": out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
