// Text that came from a peer (stderr, event fields, failure values), made safe to print:
// a peer's escape sequences must not recolour a terminal, move its cursor, hide a line of a
// report or reverse the text around it.

extension String {
    /// The text with every control character shown as an escape: C0 and DEL as `\x1B`, C1 as
    /// `\u{9B}`, bidirectional overrides and isolates as `\u{202E}`. Line breaks and tabs stay
    /// (multi-line stderr tails keep their lines); `ReportText.singleLine` folds breaks where one
    /// line is needed.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for scalar in unicodeScalars {
            if Self.needsEscape(scalar) {
                out +=
                    scalar.value < 0x80
                    ? "\\x" + hexDigits(scalar.value, width: 2)
                    : "\\u{" + hexDigits(scalar.value, width: 2) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0x00...0x1F, 0x7F, 0x80...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}

private func hexDigits(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
