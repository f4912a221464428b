// Whether a peer's program can be started at all, checked before any cell: a file that exists,
// is executable, and whose `#!` interpreter can be started in turn. Otherwise every cell of
// the peer would CRASH at its first command, which reads like a compatibility finding.

import Foundation

enum Executable {
    /// Linux follows at most this many `#!` interpreters, each a script of its own.
    static let interpreterDepth = 4
    /// The kernel reads no more of a `#!` line than this.
    static let shebangBytes = 256

    /// Why the `#!` interpreter of `program` cannot be started, as the end of a sentence about
    /// the program; nil when it can, or when the program does not start with `#!`.
    static func interpreterProblem(_ program: String, depth: Int = 0) -> String? {
        guard let line = shebang(program) else { return nil }
        guard let interpreter = line.first else { return "starts with #! but names no interpreter" }
        let shown = "starts with #!" + line.joined(separator: " ")
        guard depth < interpreterDepth else { return "\(shown): too many interpreters in a row" }
        if let problem = problem(interpreter, depth: depth + 1) { return "\(shown), and \(interpreter) \(problem)" }
        if let name = envProgram(line), let problem = onPath(name, depth: depth + 1) { return "\(shown), and \(name) \(problem)" }
        return nil
    }

    /// Why `program` cannot be started: missing, a folder, not executable, or its own interpreter.
    static func problem(_ program: String, depth: Int = 0) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: program, isDirectory: &isDirectory) else { return "does not exist" }
        guard !isDirectory.boolValue else { return "is a folder, not a program" }
        guard FileManager.default.isExecutableFile(atPath: program) else { return "is not executable" }
        return interpreterProblem(program, depth: depth)
    }

    /// The words of a `#!` line (interpreter, then its one optional argument as the kernel
    /// passes it), or nil when the file does not start with `#!`.
    private static func shebang(_ program: String) -> [String]? {
        guard let file = FileHandle(forReadingAtPath: program) else { return nil }
        defer { try? file.close() }
        let start = (try? file.read(upToCount: shebangBytes)) ?? Data()
        guard start.starts(with: Array("#!".utf8)) else { return nil }
        let line = start.dropFirst(2).prefix { $0 != UInt8(ascii: "\n") }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return [] }
        let words = text.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        return words.count == 2 ? [words[0], words[1].trimmingCharacters(in: .whitespaces)] : words
    }

    /// For `#!/usr/bin/env NAME`: the program env will look for.
    private static func envProgram(_ line: [String]) -> String? {
        guard line.count == 2, (line[0] as NSString).lastPathComponent == "env",
            !line[1].hasPrefix("-"), !line[1].contains(" "), !line[1].contains("=")
        else { return nil }
        return line[1]
    }

    /// nil when `name` is found on PATH as env finds it (or is a path that can be started).
    private static func onPath(_ name: String, depth: Int) -> String? {
        if name.contains("/") { return problem(name, depth: depth) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let found = path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
        return found ? nil : "is not on PATH"
    }
}
