// What compat shows on a terminal and what it shows a pipe: the progress line (through a real
// pseudo-terminal, util-linux `script`), colour and its switches, --version, and a peer's
// control characters, which reach the screen only as escapes.

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import Testing

@Suite("the terminal: progress, colour, version, a peer's control characters", .serialized)
struct TerminalTests {
    /// `compat arguments` with stdin, stdout and stderr on a pseudo-terminal (`script` relays it
    /// all to its stdout, as a terminal would show it); the environment changed by `changes`.
    private func onTerminal(_ arguments: [String], environment changes: [String: String?] = [:]) throws -> (status: Int32, screen: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm"
        environment["NO_COLOR"] = nil
        for (name, value) in changes { environment[name] = value }
        let command = ([Built.compat] + arguments).map(shellQuoted).joined(separator: " ")
        let run = try PeerProcess.run(["script", "-qec", command, "/dev/null"], environment: environment, timeout: .seconds(600))
        return (run.termination.shellStatus, run.stdoutText)
    }

    /// A few cells of the reference matrix, Heartbeat checks only, so a run is short.
    private func smallRun(_ matrix: TestMatrix) -> [String] {
        [
            "matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--clients", "v3,v5", "--gateways", "v3,v5",
            "--message", "Heartbeat",
        ]
    }

    @Test("matrix run on a terminal: a progress line redrawn in place to [4/4], erased before the grid")
    func progressOnTerminal() throws {
        let matrix = try TestMatrix()
        let run = try onTerminal(smallRun(matrix), environment: ["TMPDIR": matrix.folder])
        #expect(run.status == 0, "\(run.screen)")
        let erase = "\r\u{1B}[K"
        for done in 1...4 { #expect(run.screen.contains("\(erase)[\(done)/4] 0 failing · "), "\(run.screen)") }
        // The grid starts on a line the progress line no longer holds.
        #expect(run.screen.contains("\(erase)client \\ gateway"), "\(run.screen)")
        let afterGrid = run.screen.components(separatedBy: "client \\ gateway").last ?? ""
        #expect(!afterGrid.contains("failing ·"), "progress after the grid: \(afterGrid)")
    }

    @Test("gate on a terminal: one progress line over its matrix cells, then its fleets and upgrades, erased before the report")
    func gateProgressOnTerminal() throws {
        // 2 × 2 cells, a fleet on each of the two gateways, and the upgrade v4 → v5 and back: 8 in all.
        let matrix = try TestMatrix(extra: ["clients": ["v3", "v5"], "gateways": ["v4", "v5"]])
        let run = try onTerminal(["gate", "--matrix", matrix.path, "--fixtures", Built.fixtures], environment: ["TMPDIR": matrix.folder])
        #expect(run.status == 0, "\(run.screen)")
        let erase = "\r\u{1B}[K"
        for done in 1...8 { #expect(run.screen.contains("\(erase)[\(done)/8] 0 failing · "), "\(run.screen)") }
        // On a terminal the verdicts are coloured, as the grid of `matrix run` is.
        #expect(run.screen.contains("\(erase)== Schema against the released lock: \u{1B}[32mPASS\u{1B}[0m"), "\(run.screen)")
        #expect(!run.screen.contains("[9/"), "\(run.screen)")
    }

    @Test("matrix run into a pipe: no progress line and no colour, stderr empty")
    func nothingExtraInAPipe() throws {
        let matrix = try TestMatrix()
        let run = try runCompat(smallRun(matrix), environment: ["TMPDIR": matrix.folder, "NO_COLOR": nil])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty, "\(run.stderr)")
        #expect(!run.stdout.contains("\u{1B}") && !run.stdout.contains("\r"), "\(run.stdout)")
        #expect(
            run.stdout.hasPrefix(
                "client \\ gateway  v3    v5\nv3                PASS  PASS\nv5                PASS  PASS\n\n4 PASS · 4 cells · "),
            "\(run.stdout)")
    }

    @Test("a failing cell counts as failing in the progress line")
    func progressCountsFailures() throws {
        let matrix = try misbehavingMatrix(
            reference: [3], testPeers: ["nonjson"], clients: ["v3"], gateways: ["v3", "nonjson"],
            pairSeconds: 120, commandSeconds: 60)
        let run = try onTerminal(
            ["matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--message", "Heartbeat"],
            environment: ["TMPDIR": matrix.folder])
        #expect(run.status == 1, "\(run.screen)")
        #expect(run.screen.contains("[2/2] 1 failing · "), "\(run.screen)")
    }

    @Test(
        "colour: on a terminal by default; --no-color, NO_COLOR and TERM=dumb turn it off; --color wins over NO_COLOR",
        arguments: [
            ([], [:], true),
            (["--no-color"], [:], false),
            ([], ["NO_COLOR": "1"], false),
            ([], ["NO_COLOR": ""], true),
            (["--color"], ["NO_COLOR": "1"], true),
            ([], ["TERM": "dumb"], false),
            (["--color", "--no-color"], [:], false),
        ] as [([String], [String: String], Bool)])
    func colourOnTerminal(flags: [String], environment: [String: String], coloured: Bool) throws {
        let matrix = try TestMatrix()
        var changes: [String: String?] = ["TMPDIR": matrix.folder]
        for (name, value) in environment { changes[name] = value }
        let run = try onTerminal(
            [
                "matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures,
                "--clients", "v3", "--gateways", "v3", "--message", "Heartbeat",
            ] + flags, environment: changes)
        #expect(run.status == 0, "\(run.screen)")
        #expect(run.screen.contains("\u{1B}[32mPASS\u{1B}[0m") == coloured, "\(flags) \(environment): \(run.screen)")
    }

    @Test("TERM=dumb: no progress line either (it could not be erased)")
    func dumbTerminalGetsNoProgress() throws {
        let matrix = try TestMatrix()
        let run = try onTerminal(smallRun(matrix), environment: ["TMPDIR": matrix.folder, "TERM": "dumb"])
        #expect(run.status == 0, "\(run.screen)")
        #expect(!run.screen.contains("failing ·") && !run.screen.contains("\u{1B}"), "\(run.screen)")
    }

    @Test("--color into a pipe colours; the choice weighs flag, NO_COLOR, TERM and the terminal in that order")
    func colourChoice() throws {
        let matrix = try TestMatrix()
        let piped = try runCompat(smallRun(matrix) + ["--color"], environment: ["TMPDIR": matrix.folder])
        #expect(piped.stdout.contains("\u{1B}[32mPASS\u{1B}[0m"), "\(piped.stdout)")
        #expect(piped.stderr.isEmpty, "\(piped.stderr)")

        #expect(ColorChoice.colors(flag: nil, environment: [:], stdoutIsTerminal: true))
        #expect(!ColorChoice.colors(flag: nil, environment: [:], stdoutIsTerminal: false))
        #expect(!ColorChoice.colors(flag: nil, environment: ["NO_COLOR": "yes"], stdoutIsTerminal: true))
        #expect(ColorChoice.colors(flag: nil, environment: ["NO_COLOR": ""], stdoutIsTerminal: true))
        #expect(!ColorChoice.colors(flag: nil, environment: ["TERM": "dumb"], stdoutIsTerminal: true))
        #expect(ColorChoice.colors(flag: true, environment: ["NO_COLOR": "1", "TERM": "dumb"], stdoutIsTerminal: false))
        #expect(!ColorChoice.colors(flag: false, environment: [:], stdoutIsTerminal: true))
    }

    @Test(
        "gate, pair, fleet and upgrade take --color and --no-color: --color into a pipe colours the verdict, --no-color leaves it plain",
        arguments: [
            (["gate"], "gate: \u{1B}[32mPASS\u{1B}[0m"),
            (["pair", "v4", "v5", "--message", "Heartbeat"], "\u{1B}[32mPASS\u{1B}[0m  client=v4/gateway=v5: "),
            (["fleet", "v5", "--clients", "v4,v4"], ": \u{1B}[32mPASS\u{1B}[0m · 2 sessions"),
            (["upgrade", "v4", "v5", "--clients", "v4"], ": \u{1B}[32mPASS\u{1B}[0m · 1 sessions"),
        ])
    func colourFlagsOnEveryRun(command: [String], colouredVerdict: String) throws {
        let matrix = try TestMatrix(extra: ["clients": ["v4"], "gateways": ["v4", "v5"]])
        let arguments = command + ["--matrix", matrix.path, "--fixtures", Built.fixtures]
        let coloured = try runCompat(arguments + ["--color"], environment: ["TMPDIR": matrix.folder])
        #expect(coloured.status == 0, "\(coloured.stdout.suffix(2000))\(coloured.stderr)")
        #expect(coloured.stdout.contains(colouredVerdict), "\(coloured.stdout.suffix(2000))")
        let plain = try runCompat(arguments + ["--no-color"], environment: ["TMPDIR": matrix.folder])
        #expect(plain.status == 0, "\(plain.stdout.suffix(2000))\(plain.stderr)")
        #expect(!plain.stdout.contains("\u{1B}"), "\(plain.stdout.suffix(2000))")
    }

    @Test("the progress text")
    func progressText() {
        #expect(ProgressLine.text(done: 12, total: 25, failing: 2, seconds: 3.44) == "[12/25] 2 failing · 3.4 s")
        #expect(ProgressLine.text(done: 0, total: 1, failing: 0, seconds: 0) == "[0/1] 0 failing · 0.0 s")
    }

    @Test("compat --version prints compat and its version")
    func version() throws {
        let run = try runCompat(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout == "compat \(CompatVersion.current)\n")
    }

    @Test(
        "a peer's escape sequences and bidi overrides reach the terminal escaped: problem, failure, stderr; pair and matrix run",
        arguments: [["pair", "v3", "controlchars"], ["matrix", "run"]])
    func controlCharactersEscaped(command: [String]) throws {
        let matrix = try misbehavingMatrix(
            reference: [3], testPeers: ["controlchars"], clients: ["v3"], gateways: ["controlchars"],
            pairSeconds: 120, commandSeconds: 60)
        let run = try runCompat(command + ["--matrix", matrix.path, "--fixtures", Built.fixtures], environment: ["TMPDIR": matrix.folder])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(!run.stdout.contains("\u{1B}") && !run.stdout.contains("\u{202E}"), "\(run.stdout)")
        let escaped = "\\x1B[31mred\\x1B[0m \\u{202E}desrever <controlchars-peer>"
        #expect(run.stdout.contains("problem: the gateway controlchars wrote a line that is not a contract event"), "\(run.stdout)")
        #expect(run.stdout.contains("): line \(escaped)"), "the line it wrote: \(run.stdout)")
        #expect(run.stdout.contains("        stderr \(escaped)"), "its stderr: \(run.stdout)")
    }

    @Test("a failure's actual and expected values from a peer are shown escaped")
    func failureValuesEscaped() {
        let check = CheckResult(
            name: "client=v3/gateway=v5/NewOrder/c2g/sample", status: .failed,
            failure: CheckFailure("delivered \u{1B}]0;title\u{07}", field: "clOrdId", expected: "\"A1\"", actual: "\"\u{202E}1A\u{1B}[2J\"")
        )
        let cell = CellResult(
            client: "v3", gateway: "v5", clientVersion: 3, gatewayVersion: 5, expectedVersion: 3, state: .fail,
            checks: [check], problem: "peer said \u{9B}31m", peers: [], keptDirectory: nil, seconds: 0.1, reproduce: "compat pair v3 v5")
        let shown = renderCell(cell, verbose: false)
        #expect(
            !shown.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}" },
            "\(shown)")
        #expect(shown.contains("    delivered \\x1B]0;title\\x07\n"), "\(shown)")
        #expect(shown.contains("    actual:   \"\\u{202E}1A\\x1B[2J\"\n"), "\(shown)")
        #expect(shown.contains("  problem: peer said \\u{9B}31m\n"), "\(shown)")
    }
}
