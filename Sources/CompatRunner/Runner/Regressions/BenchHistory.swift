// A benchmark history in Apache Otava's CSV layout: a header, then a row per run, with a `time`
// column, attribute columns (commit, machine, the cell…) and a column per metric. Read whole or
// not at all: a bad row is a ConfigError naming the file and its line.

import Foundation

public struct BenchHistory: Sendable {
    public struct Row: Sendable, Hashable {
        /// The row's first line in the file (1 is the header).
        public var line: Int
        public var fields: [String]
    }

    public let path: String
    public let header: [String]
    public let rows: [Row]

    /// The time column (Otava's default `time_column`) and the commit attribute.
    public static let timeColumn = "time"
    public static let commitColumn = "commit"
    /// Attributes that change from run to run: they never separate one series from another.
    public static let perRunColumns: Set<String> = ["time", "commit", "run", "run_id", "run-id", "toolchain", "warnings"]
    /// Numeric columns of compat's own history (`compat bench --history`) that say what was run, not how it went: attributes, never metrics.
    public static let numericAttributes: Set<String> = ["version", "runs", "count"]

    public init(path: String, header: [String], rows: [Row]) {
        self.path = path
        self.header = header
        self.rows = rows
    }

    public static func load(path: String) throws(ConfigError) -> BenchHistory {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("\(path): cannot read the file") }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError("\(path): not UTF-8 text") }
        return try parse(text, path: path)
    }

    /// Parses a history: its CSV records, the first the header with a `time` column.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> BenchHistory {
        try checked(try records(in: text, path: path), path: path)
    }

    /// The records of CSV text (RFC 4180: commas, double quotes, "" inside quotes; a quoted field
    /// may span lines), each with the line it starts on; blank lines are no records.
    public static func records(in text: String, path: String) throws(ConfigError) -> [Row] {
        var records: [Row] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var afterQuote = false
        var line = 1
        var recordLine = 1
        var started = false
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Row(line: recordLine, fields: fields)) }
            fields = []
            field = ""
            started = false
        }
        var characters = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? characters.next() {
            pending = nil
            if !started {
                started = true
                recordLine = line
            }
            if quoted {
                if c == "\"" {
                    if let next = characters.next() {
                        if next == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            quoted = false
                            afterQuote = true
                            pending = next
                        }
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\r":
                continue
            case "\n":
                endRecord()
                afterQuote = false
                line += 1
            case "\"" where field.isEmpty && !afterQuote:
                quoted = true
            default:
                if afterQuote { throw ConfigError("\(path):\(line): text after a closing quote") }
                field.unicodeScalars.append(c)
            }
        }
        if quoted { throw ConfigError("\(path):\(recordLine): a quoted field is not closed (a truncated file?)") }
        if started { endRecord() }
        return records
    }

    private static func checked(_ records: [Row], path: String) throws(ConfigError) -> BenchHistory {
        guard let header = records.first else { throw ConfigError("\(path): empty, not even a header line") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard names.contains(timeColumn) else {
            throw ConfigError("\(path):\(header.line): no \"\(timeColumn)\" column in the header (\(names.joined(separator: ",")))")
        }
        if let duplicate = names.enumerated().first(where: { names.firstIndex(of: $0.element) != $0.offset }) {
            throw ConfigError("\(path):\(header.line): the column \"\(duplicate.element)\" appears twice")
        }
        let rows = Array(records.dropFirst())
        for row in rows where row.fields.count != names.count {
            throw ConfigError(
                "\(path):\(row.line): \(row.fields.count) fields where the header has \(names.count) (a truncated or mixed-up row?)")
        }
        let timeIndex = names.firstIndex(of: timeColumn)!
        for row in rows where row.fields[timeIndex].trimmingCharacters(in: .whitespaces).isEmpty {
            throw ConfigError("\(path):\(row.line): no time")
        }
        return BenchHistory(path: path, header: names, rows: rows)
    }

    /// The value of `column` in `row` as a number; nil when empty; an error naming the line when not a number.
    func number(_ row: Row, column: Int) throws(ConfigError) -> Double? {
        let text = row.fields[column].trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return nil }
        guard let value = Double(text), value.isFinite else {
            throw ConfigError("\(path):\(row.line): \(header[column]) is \"\(text)\", not a number")
        }
        return value
    }

    /// Whether every non-empty value of `column` is a number (and one at least is there).
    func isNumeric(column: Int) -> Bool {
        var any = false
        for row in rows {
            let text = row.fields[column].trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let value = Double(text), value.isFinite else { return false }
            any = true
        }
        return any
    }
}
