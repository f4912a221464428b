// Text compat did not write (a peer's stderr, event fields and failure values, peer names,
// argv, knownFailures reasons, a shard's results read back), made safe to print: a peer's
// escape sequences must not recolour a terminal, move its cursor, hide a line of a report or
// reverse the text around it, and no line of it may become a GitHub Actions workflow command.

extension String {
    /// The text with every control character shown as an escape: C0 and DEL as `\x1B`, C1 as
    /// `\u{9B}`, bidirectional overrides, isolates and marks and line separators as `\u{202E}`.
    /// Line breaks and tabs stay (multi-line stderr tails keep their lines); `printableLine`
    /// folds them where one line is needed.
    ///
    /// GitHub Actions obeys a line that starts with `::` after whitespace and `##[` anywhere in
    /// one: a line's leading `:` is shown as `\x3A`, and the second `#` of `##[` as `\x23`.
    public var printable: String {
        let escaped = escapingControlCharacters
        guard escaped.contains(":") || escaped.contains("##[") else { return escaped }
        return escaped.split(separator: "\n", omittingEmptySubsequences: false).map(Self.inertLine).joined(separator: "\n")
    }

    /// `printable`, on one line: line breaks shown as `\n`.
    public var printableLine: String { ReportText.singleLine(self).printable }

    /// One line GitHub Actions cannot read as a workflow command.
    private static func inertLine(_ line: Substring) -> String {
        var line = String(line).replacingOccurrences(of: "##[", with: "#\\x23[")
        if let colon = line.firstIndex(where: { !$0.isWhitespace }), line[colon] == ":" {
            line.replaceSubrange(colon...colon, with: "\\x3A")
        }
        return line
    }

    private var escapingControlCharacters: String {
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
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}

private func hexDigits(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
