// Whether compat colours what it prints: the one place that weighs --color/--no-color,
// NO_COLOR (https://no-color.org), TERM=dumb and whether stdout is a terminal.

public enum ColorChoice {
    /// `flag` is true for --color, false for --no-color, nil for neither (the last one given wins).
    /// --color always colours; otherwise a non-empty NO_COLOR, TERM=dumb or a stdout that is not
    /// a terminal (a file, a pipe, CI's log) means plain text.
    public static func colors(flag: Bool?, environment: [String: String], stdoutIsTerminal: Bool) -> Bool {
        if let flag { return flag }
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return stdoutIsTerminal
    }
}
