// Rows of text cells as columns, each as wide as its widest cell: the tables of `compat list`,
// `compat bench` and `compat schema show`.

public enum TextColumns {
    /// One line per row, cells two spaces apart, each column padded to its widest cell;
    /// the first `leftAligned` columns are aligned left, the rest right. Trailing spaces are trimmed.
    public static func aligned(_ rows: [[String]], leftAligned: Int = 1, indent: String = "") -> String {
        aligned(rows, rightAligned: { $0 >= leftAligned }, indent: indent)
    }

    /// Like `aligned(_:leftAligned:indent:)`, with the columns in `rightAligned` aligned right and
    /// every other aligned left (numbers among names: `compat schema show`'s offsets and sizes).
    public static func aligned(_ rows: [[String]], rightAligned: Set<Int>, indent: String = "") -> String {
        aligned(rows, rightAligned: { rightAligned.contains($0) }, indent: indent)
    }

    private static func aligned(_ rows: [[String]], rightAligned: (Int) -> Bool, indent: String) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        var text = ""
        for row in rows {
            var line = indent
            for (column, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                if column > 0 { line += "  " }
                line += rightAligned(column) ? pad + cell : cell + pad
            }
            text += ReportText.trimmingTrailingSpaces(line) + "\n"
        }
        return text
    }
}
