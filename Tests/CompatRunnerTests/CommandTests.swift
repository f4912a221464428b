// The built `compat` command against real peer processes: what `pair` and `matrix run` print,
// the reports they write, the check filters, exit statuses for usage and configuration
// errors, known failures (and stale ones), and the cell folders left in the temporary folder.
//
// Debug builds are slow: every test but one keeps to a cell or two.

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import TGP
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The marks `compat pair` puts before a check's name: the mark padded to 7, then two spaces.
private let checkMarks = ["PASS", "FAIL", "KNOWN", "STALE", "NOT RUN"]

/// The check lines of `compat pair` output: (mark, check name).
private func checkLines(_ stdout: String) -> [(mark: String, name: String)] {
    stdout.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line in
        for mark in checkMarks {
            let prefix = mark.padding(toLength: 7, withPad: " ", startingAt: 0) + "  "
            if line.hasPrefix(prefix), line.dropFirst(prefix.count).hasPrefix("client=") {
                let rest = line.dropFirst(prefix.count)
                // A known or stale check carries "  (known: reason)" after its name.
                let name = rest.range(of: "  ").map { rest[..<$0.lowerBound] } ?? rest
                return (mark, String(name))
            }
        }
        return nil
    }
}

/// Lines of `text` that match `pattern` whole.
private func lines(of text: String, matching pattern: String) -> [String] {
    let regex = try! Regex("^" + pattern + "$")
    return text.split(separator: "\n").map(String.init).filter { $0.wholeMatch(of: regex) != nil }
}

/// `needle` must occur in `text` (a line start may be written as "\n": the text is read with one
/// before it). A miss shows the needle and the start of the text, not megabytes of hex.
private func expectContains(_ text: String, _ needle: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard !("\n" + text).contains(needle) else { return }
    Issue.record("missing: \(needle.debugDescription)\nin (first 3000 characters):\n\(text.prefix(3000))", sourceLocation: sourceLocation)
}

/// The temporary folder (TMPDIR) of this suite's runs: one of its own, not /tmp, so cells that
/// other suites or other test runs on the machine have in /tmp at the same moment are never taken
/// for this suite's. The suite is serialized: one run uses it at a time. Removed at exit.
private let cellRoot: String = {
    var template = Array("/tmp/compat-command-tests-XXXXXX".utf8CString)
    let folder = String(cString: mkdtemp(&template)!)
    atexit { try? FileManager.default.removeItem(atPath: cellRoot) }
    return folder
}()

/// The cell folders in `cellRoot` whose names start with `prefix` (`compat-v` matches every cell's).
private func temporaryFolders(_ prefix: String = "compat-v") -> Set<String> {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: cellRoot)) ?? []
    return Set(names.filter { $0.hasPrefix(prefix) }.map { cellRoot + "/" + $0 })
}

/// The folder a failing cell kept, as `compat` printed it ("  kept: PATH").
private func keptFolders(_ stdout: String) -> [String] {
    stdout.split(separator: "\n").compactMap { line in
        line.hasPrefix("  kept: ") ? String(line.dropFirst("  kept: ".count)) : nil
    }
}

/// `compat ARGS`, cells in `cellRoot` (its TMPDIR), never longer than `timeout`.
private func compat(
    _ arguments: [String], timeout: Duration = .seconds(300),
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> (status: Int32, stdout: String, stderr: String) {
    let result = try runCompat(arguments, environment: ["TMPDIR": cellRoot], timeout: timeout)
    #expect(
        !result.timedOut, "compat \(arguments.joined(separator: " ")) ran over \(timeout) and was killed", sourceLocation: sourceLocation)
    return (result.status, result.stdout, result.stderr)
}

/// A JSON file as Foundation reads it.
private func jsonObject(at path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(path) is not a JSON object")
}

/// The checks of every cell in results.json: (name, status).
private func checks(in results: [String: Any]) throws -> [(name: String, status: String)] {
    let cells = try #require(results["cells"] as? [[String: Any]])
    return try cells.flatMap { cell in
        try #require(cell["checks"] as? [[String: Any]]).map { ($0["name"] as? String ?? "", $0["status"] as? String ?? "") }
    }
}

@Suite("compat: the command against real peers", .serialized)
struct CommandTests {
    let fixtures = Built.fixtures

    /// `pair CLIENT GATEWAY` over `matrix`, with the repository's fixtures.
    private func pair(
        _ matrix: TestMatrix, _ client: String, _ gateway: String, _ extra: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        try compat(["pair", client, gateway, "--matrix", matrix.path, "--fixtures", fixtures] + extra, sourceLocation: sourceLocation)
    }

    // MARK: compat pair

    @Test("pair v3 v5: exit 0, every check listed and passed, named after the cell")
    func pairCompatible() throws {
        let matrix = try TestMatrix()
        let before = temporaryFolders("compat-v3-v5-")
        let run = try pair(matrix, "v3", "v5")
        #expect(run.status == 0, "\(run.stdout.prefix(3000))\n\(run.stderr)")
        #expect(run.stderr.isEmpty, "\(run.stderr)")
        let listed = checkLines(run.stdout)
        #expect(listed.count >= 100, "only \(listed.count) checks listed")
        #expect(listed.allSatisfy { $0.mark == "PASS" }, "\(listed.filter { $0.mark != "PASS" }.map(\.name))")
        #expect(listed.allSatisfy { $0.name.hasPrefix("client=v3/gateway=v5/") })
        #expect(Set(listed.map(\.name)).count == listed.count, "a check is listed twice")
        #expect(lines(of: run.stdout, matching: "PASS {5}client=v3/gateway=v5/.*").count == listed.count)
        // Every message type of N=3 has its sample checked, in each direction it travels.
        for type in Schema.tgp.messages where type.since <= 3 && !["Logon", "LogonAck", "LogonReject"].contains(type.name) {
            for flow in CheckName.Flow.of(type.direction) {
                let name = "client=v3/gateway=v5/\(type.name)/\(flow.rawValue)/sample"
                #expect(listed.contains { $0.name == name }, "\(name) not listed")
            }
        }
        // Types newer than N are forced on the wire, and must be rejected.
        let newer = Schema.tgp.messages.filter { $0.since > 3 }
        #expect(!newer.isEmpty)
        for type in newer {
            for flow in CheckName.Flow.of(type.direction) {
                let name = "client=v3/gateway=v5/\(type.name)/\(flow.rawValue)/forced"
                #expect(listed.contains { $0.name == name }, "\(name) not listed")
            }
        }
        // The verdict counts exactly the checks listed.
        let verdict = lines(of: run.stdout, matching: #"PASS  client=v3/gateway=v5: \d+ passed \(N=3, [0-9.]+ s\)"#)
        #expect(verdict.count == 1, "\(run.stdout.suffix(600))")
        #expect(verdict.first?.contains(": \(listed.count) passed (") == true, "\(verdict)")
        expectContains(run.stdout, "  reproduce the cell: compat pair --matrix \(matrix.path) --fixtures \(fixtures) v3 v5\n")
        // A passing cell leaves no folder behind.
        #expect(temporaryFolders("compat-v3-v5-").subtracting(before).isEmpty)
    }

    @Test("pair v1 v5: exit 0, INCOMPATIBLE, refused cleanly with LogonReject")
    func pairIncompatible() throws {
        let matrix = try TestMatrix()
        let run = try pair(matrix, "v1", "v5")
        #expect(run.status == 0, "\(run.stdout.prefix(3000))\n\(run.stderr)")
        let listed = checkLines(run.stdout)
        #expect(
            listed.contains { $0.mark == "PASS" && $0.name == "client=v1/gateway=v5/LogonReject/g2c/refusal" }, "\(run.stdout.prefix(3000))"
        )
        #expect(listed.contains { $0.mark == "PASS" && $0.name == "client=v1/gateway=v5/Logon/c2g/handshake" })
        #expect(listed.allSatisfy { $0.mark == "PASS" }, "\(listed.filter { $0.mark != "PASS" }.map(\.name))")
        // No message type is tried after a refused logon.
        #expect(!listed.contains { $0.name.contains("/NewOrder/") })
        let verdict = lines(
            of: run.stdout, matching: #"INCOMPATIBLE  client=v1/gateway=v5: \d+ passed \(incompatible by design, [0-9.]+ s\)"#)
        #expect(verdict.count == 1, "\(run.stdout.prefix(3000))")
    }

    @Test("pair --run: only the checks whose names match")
    func pairRunFilter() throws {
        let matrix = try TestMatrix()
        let run = try pair(matrix, "v3", "v5", ["--run", "client=v3/gateway=v5/NewOrder/*"])
        #expect(run.status == 0, "\(run.stdout.prefix(3000))\n\(run.stderr)")
        let listed = checkLines(run.stdout)
        #expect(listed.count >= 5, "\(run.stdout.prefix(3000))")
        #expect(listed.allSatisfy { $0.name.hasPrefix("client=v3/gateway=v5/NewOrder/") && $0.mark == "PASS" }, "\(listed.map(\.name))")
        #expect(listed.contains { $0.name == "client=v3/gateway=v5/NewOrder/c2g/sample" })
        #expect(
            lines(of: run.stdout, matching: #"PASS  client=v3/gateway=v5: \#(listed.count) passed \(N=3, [0-9.]+ s\)"#).count == 1,
            "\(run.stdout.prefix(3000))")
    }

    @Test("pair --message Heartbeat: only Heartbeat checks, the session still set up")
    func pairMessageFilter() throws {
        let matrix = try TestMatrix()
        let run = try pair(matrix, "v3", "v5", ["--message", "Heartbeat"])
        #expect(run.status == 0, "\(run.stdout.prefix(3000))\n\(run.stderr)")
        let listed = checkLines(run.stdout)
        #expect(listed.allSatisfy { $0.name.hasPrefix("client=v3/gateway=v5/Heartbeat/") && $0.mark == "PASS" }, "\(listed.map(\.name))")
        // Heartbeat travels both ways; each direction's sample and edges pass, so logon worked.
        let expected = ["c2g", "g2c"].flatMap { flow in
            ["sample", "edge-max-integers", "edge-min-integers"].map { "client=v3/gateway=v5/Heartbeat/\(flow)/\($0)" }
        }
        #expect(Set(listed.map(\.name)).isSuperset(of: expected), "\(listed.map(\.name))")
    }

    // MARK: compat matrix run

    @Test("matrix run over every version × every version: the grid, results.json, junit.xml and summary.md")
    func fullMatrix() throws {
        let matrix = try TestMatrix()
        let reports = matrix.folder + "/reports"
        let before = temporaryFolders()
        let run = try compat(
            ["matrix", "run", "--matrix", matrix.path, "--fixtures", fixtures, "--jobs", "2", "--report-dir", reports],
            timeout: .seconds(900))
        #expect(run.status == 0, "\(run.stdout.prefix(3000))\n\(run.stderr)")

        // The grid: rows are clients, columns gateways, states from the schema's negotiation rule.
        let versions = Schema.tgp.versions
        let names = versions.map { "v\($0)" }
        let cellCount = versions.count * versions.count
        /// Whether a client of version `client` and a gateway of version `gateway` negotiate a version.
        func accepted(_ client: Int, _ gateway: Int) -> Bool {
            if case .accepted = Negotiation(client: Schema.tgp.peerRanges[client]!, gateway: Schema.tgp.peerRanges[gateway]!) {
                true
            } else {
                false
            }
        }
        let passing = versions.flatMap { client in versions.filter { accepted(client, $0) } }.count
        let incompatible = cellCount - passing
        var expectedGrid = ["client \\ gateway" + names.map { "  " + $0.padding(toLength: 8, withPad: " ", startingAt: 0) }.joined()]
        for client in versions {
            var row = "v\(client)".padding(toLength: 16, withPad: " ", startingAt: 0)
            for gateway in versions {
                let label = accepted(client, gateway) ? "PASS" : "INCOMPAT"
                row += "  " + label.padding(toLength: 8, withPad: " ", startingAt: 0)
            }
            expectedGrid.append(row)
        }
        let trimmed = expectedGrid.map { String($0.reversed().drop { $0 == " " }.reversed()) }
        let printed = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(printed.prefix(versions.count + 1)) == trimmed, "\(run.stdout.prefix(3000))")
        let cellsShown = printed.prefix(versions.count + 1).dropFirst().flatMap { $0.split(separator: " ").dropFirst() }
        #expect(cellsShown.filter { $0 == "PASS" }.count == passing)
        #expect(cellsShown.filter { $0 == "INCOMPAT" }.count == incompatible)
        let totals = lines(
            of: run.stdout,
            matching: #"\#(passing) PASS · \#(incompatible) INCOMPATIBLE · \#(cellCount) cells · \d+ checks · wall [0-9.]+ s, 2 jobs"#)
        #expect(totals.count == 1, "\(run.stdout.prefix(3000))")
        let runId = try #require(printedRunId(run.stdout), "\(run.stdout.suffix(300))")
        #expect(run.stdout.hasSuffix("reports written to \(reports) (run \(runId))\n"))
        #expect(try reportRunIds(in: reports) == ["results.json": runId, "junit.xml": runId, "summary.md": runId, "report.html": runId])
        #expect(!run.stdout.contains("\u{1B}["), "colour codes on a pipe")

        // results.json
        let results = try jsonObject(at: reports + "/results.json")
        let cells = try #require(results["cells"] as? [[String: Any]])
        #expect(cells.count == cellCount)
        #expect(results["allExpected"] as? Bool == true)
        #expect(results["clients"] as? [String] == names)
        #expect(results["gateways"] as? [String] == names)
        let states = try #require((results["totals"] as? [String: Any])?["states"] as? [String: Int])
        #expect(states["PASS"] == passing && states["INCOMPATIBLE"] == incompatible && states["FAIL"] == 0, "\(states)")
        let allChecks = try checks(in: results)
        #expect(allChecks.count >= cellCount * 10)
        #expect(allChecks.allSatisfy { $0.status == "passed" }, "\(allChecks.filter { $0.status != "passed" }.map(\.name).prefix(5))")
        #expect((results["totals"] as? [String: Any])?["checks"] as? Int == allChecks.count)
        if let checkCount = totals.first?.split(separator: " · ")[3].split(separator: " ").first {
            #expect(Int(checkCount) == allChecks.count, "terminal and results.json disagree")
        }
        for cell in cells {
            #expect(cell["keptDirectory"] is NSNull, "\(cell["name"] ?? "?") kept a folder")
        }

        // junit.xml: one suite per cell, one test case per check, nothing failed.
        let document = try XMLDocument(data: Data(contentsOf: URL(fileURLWithPath: reports + "/junit.xml")))
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        let suites = root.elements(forName: "testsuite")
        #expect(suites.count == cellCount)
        let cases = suites.flatMap { $0.elements(forName: "testcase") }
        #expect(cases.count == allChecks.count)
        #expect(Set(cases.compactMap { $0.attribute(forName: "name")?.stringValue }) == Set(allChecks.map(\.name)))
        #expect(root.attribute(forName: "tests")?.stringValue == "\(allChecks.count)")
        #expect(root.attribute(forName: "failures")?.stringValue == "0")
        #expect(root.attribute(forName: "errors")?.stringValue == "0")
        #expect(cases.allSatisfy { ($0.children ?? []).isEmpty }, "a passing test case has a body")

        // summary.md
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(summary.hasPrefix("## Compatibility matrix: as expected\n"))
        #expect(summary.contains("All \(cellCount) cells as expected."))
        let first = try #require(versions.first)
        let firstRow = versions.map { accepted(first, $0) ? "PASS" : "INCOMPATIBLE" }
        #expect(summary.contains("| v\(first) | " + firstRow.joined(separator: " | ") + " |"), "\(summary)")

        // Every cell passed or was refused cleanly: none kept a folder.
        #expect(temporaryFolders().subtracting(before).isEmpty)
    }

    @Test("matrix run --clients/--gateways: only those cells, in matrix order")
    func matrixSubset() throws {
        let matrix = try TestMatrix()
        let run = try compat([
            "matrix", "run", "--matrix", matrix.path, "--fixtures", fixtures, "--clients", "v5,v1", "--gateways", "v5",
            "--message", "Heartbeat",
        ])
        #expect(run.status == 0, "\(run.stdout.prefix(3000))\n\(run.stderr)")
        let printed = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(
            Array(printed.prefix(3)) == ["client \\ gateway  v5", "v1                INCOMPAT", "v5                PASS"],
            "\(run.stdout.prefix(3000))")
        #expect(
            lines(of: run.stdout, matching: #"1 PASS · 1 INCOMPATIBLE · 2 cells · \d+ checks · wall [0-9.]+ s, 2 jobs"#).count == 1,
            "\(run.stdout.prefix(3000))")
    }

    // MARK: Usage and configuration errors: exit 2

    @Test("a bad matrix file: exit 2, the file and the key named")
    func badMatrixFile() throws {
        let peers = Schema.tgp.versions.map { #"{"name": "v\#($0)", "version": \#($0), "argv": \#(argvJSON(Built.peer($0)))}"# }
            .joined(separator: ", ")
        let matrix = try TestMatrix(text: #"{"peers": [\#(peers)], "transport": "udp"}"#)
        for arguments in [["pair", "v3", "v5"], ["matrix", "run"], ["list"]] {
            let run = try compat(arguments + ["--matrix", matrix.path, "--fixtures", fixtures])
            #expect(run.status == 2, "\(arguments): \(run.status)")
            #expect(
                run.stderr == "compat: \(matrix.path): transport: must be \"ipc\" or \"tcp\" (loopback), got \"udp\"\n", "\(run.stderr)")
            #expect(run.stdout.isEmpty, "\(run.stdout.prefix(3000))")
        }
        let missing = try compat(["matrix", "run", "--matrix", matrix.folder + "/nope.json"])
        #expect(missing.status == 2)
        #expect(
            missing.stderr == "compat: \(matrix.folder)/nope.json: cannot read the matrix file (use --matrix FILE)\n", "\(missing.stderr)")
    }

    @Test("a peer whose program is missing: exit 2 before any cell starts")
    func missingProgram() throws {
        // v3 is a wrapper that notes each start; v5's program does not exist.
        let matrix = try TestMatrix(
            json: .object([
                "peers": .array([
                    .object(["name": "v3", "version": 3, "argv": ["./peer-v3-wrapper"]]),
                    .object(["name": "v5", "version": 5, "argv": ["./peer-v5-missing"]]),
                ])
            ]))
        let wrapper = matrix.folder + "/peer-v3-wrapper"
        let marker = matrix.folder + "/started"
        try "#!/bin/sh\necho \"$@\" >> '\(marker)'\nexec \(Built.peer(3).map { "'\($0)'" }.joined(separator: " ")) \"$@\"\n".write(
            toFile: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
        let expected = "compat: \(matrix.path): peer \"v5\": program \(matrix.folder)/peer-v5-missing does not exist\n"

        for arguments in [["pair", "v3", "v5"], ["pair", "v5", "v3"], ["matrix", "run"], ["matrix", "run", "--gateways", "v5"]] {
            let before = temporaryFolders()
            let run = try compat(arguments + ["--matrix", matrix.path, "--fixtures", fixtures])
            #expect(run.status == 2, "\(arguments): \(run.status) \(run.stdout)")
            #expect(run.stderr == expected, "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(arguments): \(run.stdout)")
            #expect(!FileManager.default.fileExists(atPath: marker), "\(arguments): a peer was started")
            #expect(
                temporaryFolders().subtracting(before).filter {
                    $0.hasPrefix(cellRoot + "/compat-v3-") || $0.hasPrefix(cellRoot + "/compat-v5-")
                }.isEmpty,
                "\(arguments): a cell folder was made")
        }
        // The same matrix runs when the missing peer is left out: the wrapper is a real peer.
        let run = try compat([
            "matrix", "run", "--matrix", matrix.path, "--fixtures", fixtures, "--clients", "v3", "--gateways", "v3", "--message",
            "Heartbeat",
        ])
        #expect(run.status == 0, "\(run.stdout.prefix(3000))\n\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: marker))
    }

    @Test("usage errors exit 2, not ArgumentParser's 64")
    func usageErrors() throws {
        let matrix = try TestMatrix()
        let common = ["--matrix", matrix.path, "--fixtures", fixtures]

        let unknownPeer = try compat(["pair", "v3", "v9"] + common)
        #expect(unknownPeer.status == 2)
        #expect(
            unknownPeer.stderr == "compat: \(matrix.path): no peer named \"v9\" to be the gateway (peers: \(versionNames))\n",
            "\(unknownPeer.stderr)")
        let unknownClient = try compat(["pair", "x", "v3"] + common)
        #expect(unknownClient.status == 2)
        #expect(unknownClient.stderr.contains("no peer named \"x\" to be the client"), "\(unknownClient.stderr)")

        let unknownOption = try compat(["matrix", "run", "--bogus"] + common)
        #expect(unknownOption.status == 2, "\(unknownOption.status)")
        #expect(unknownOption.stderr.contains("--bogus"), "\(unknownOption.stderr)")

        let zeroJobs = try compat(["matrix", "run", "--jobs", "0"] + common)
        #expect(zeroJobs.status == 2, "\(zeroJobs.status)")
        #expect(zeroJobs.stderr.contains("--jobs must be at least 1"), "\(zeroJobs.stderr)")

        let notANumber = try compat(["matrix", "run", "--jobs", "many"] + common)
        #expect(notANumber.status == 2, "\(notANumber.status)")

        let missingArgument = try compat(["pair", "v3"] + common)
        #expect(missingArgument.status == 2, "\(missingArgument.status)")

        let unknownSubcommand = try compat(["frobnicate"])
        #expect(unknownSubcommand.status == 2, "\(unknownSubcommand.status)")

        let badMessage = try compat(["pair", "v3", "v5", "--message", "NewOrders"] + common)
        #expect(badMessage.status == 2, "\(badMessage.status)")
        #expect(badMessage.stderr.contains("--message NewOrders: not a message type"), "\(badMessage.stderr)")

        let badClients = try compat(["matrix", "run", "--clients", "v3,v9"] + common)
        #expect(badClients.status == 2, "\(badClients.status)")
        #expect(
            badClients.stderr == "compat: --clients v9: not a peer of \(matrix.path) in that role (\(versionNames))\n",
            "\(badClients.stderr)")

        for bad in [unknownPeer, unknownOption, zeroJobs, badMessage, badClients] {
            #expect(bad.stdout.isEmpty, "\(bad.stdout.prefix(3000))")
        }
    }

    @Test("compat --help: exit 0, usage and the exit statuses on stdout")
    func help() throws {
        let run = try compat(["--help"])
        #expect(run.status == 0)
        expectContains(run.stdout, "USAGE: compat")
        // Help wraps its text to the terminal width: compare with the line breaks as spaces.
        let flowing = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(
            flowing.contains("Exit status: 0 all as expected, 1 a compatibility failure, 2 a usage or configuration error."),
            "\(run.stdout.prefix(3000))")
        for subcommand in ["matrix", "pair", "list"] { expectContains(run.stdout, "  \(subcommand)") }
        #expect(run.stderr.isEmpty)

        let pairHelp = try compat(["pair", "--help"])
        #expect(pairHelp.status == 0)
        expectContains(pairHelp.stdout, "--message")
        expectContains(pairHelp.stdout, "--run <pattern>")
    }

    // MARK: Failures, known failures, stale known failures

    /// v3 cutting every string to 255 bytes (Faults.swift), in both roles.
    private let varData255 = [3: ["--fault", "var-data-255"]]
    private let reason = "var-data is cut at 255 bytes (a fault injected on purpose)"

    @Test("a failing cell: exit 1, each failed check with expected, actual, frames and a reproducer; its folder kept")
    func failingCell() throws {
        let faulty = try TestMatrix(extraArguments: varData255, commandSeconds: 2)
        let reports = faulty.folder + "/reports"
        let before = temporaryFolders("compat-v3-v3-")
        let failing = try pair(faulty, "v3", "v3", ["--report-dir", reports])
        let kept = keptFolders(failing.stdout)
        defer {
            for folder in kept where folder.hasPrefix(cellRoot + "/compat-v3-v3-") { try? FileManager.default.removeItem(atPath: folder) }
        }

        #expect(failing.status == 1, "\(failing.stdout.prefix(3000))\n\(failing.stderr)")
        let name = "client=v3/gateway=v3/Logout/c2g/edge-longest-strings"
        let listed = checkLines(failing.stdout)
        #expect(listed.contains { $0.mark == "FAIL" && $0.name == name }, "\(failing.stdout.prefix(3000))")
        #expect(
            lines(of: failing.stdout, matching: #"FAIL  client=v3/gateway=v3: \d+ passed, \d+ failed \(N=3, [0-9.]+ s\)"#).count == 1,
            "\(failing.stdout.suffix(800))")
        // The failure's details, under its name: the field, expected and actual, both frames, the reproducer.
        let details = try #require(
            failing.stdout.components(separatedBy: "  FAIL \(name)\n").dropFirst().first, "\(failing.stdout.prefix(3000))")
        let block = details.components(separatedBy: "\n").prefix { $0.hasPrefix("    ") }.joined(separator: "\n")
        #expect(block.hasPrefix("    the sent Logout differs from its encoding at version 3"), "\(block.prefix(300))")
        expectContains(block, "\n    field:    Logout var-data\n")
        expectContains(block, "\n    expected: 1034 bytes; from byte 8: 00047a7a7a7a7a7a7a7a7a7a7a7a7a7a…\n")
        expectContains(block, "\n    actual:   265 bytes; from byte 8: ff007a7a7a7a7a7a7a7a7a7a7a7a7a7a…\n")
        // The frames: a dump each, the first differing byte marked, the terminal's part around it.
        expectContains(block, "\n      0000  0000 0500 4754 0300 ff00 7a7a 7a7a 7a7a  ....GT....zzzzzz\n")
        expectContains(block, "\n                                ^^ byte 8: the first that differs\n")
        expectContains(block, "\n      … 10 more lines: the whole frame is in the reports (--report-dir)\n")
        expectContains(block, "\n    sent frame (265 bytes):\n      0000  ")
        // The bytes the schema gives are labelled as such, not as bytes a peer received.
        expectContains(block, "\n    expected frame (encoded from the schema) (1034 bytes):\n      0000  ")
        #expect(!block.contains("received frame"), "\(block.prefix(600))")
        #expect(
            block.hasSuffix("\n    reproduce: compat pair --matrix \(faulty.path) --fixtures \(fixtures) v3 v3 --message Logout"),
            "\(block.suffix(300))")
        // The kept folder: printed, moved from the temporary folder into the reports, with both peers' stderr and transcripts.
        #expect(kept.count == 1, "\(failing.stdout.prefix(3000))")
        if let folder = kept.first {
            #expect(folder == reports + "/cells/client=v3,gateway=v3")
            for file in ["client.stderr", "gateway.stderr", "client.transcript", "gateway.transcript"] {
                #expect(FileManager.default.fileExists(atPath: folder + "/" + file), "\(folder)/\(file) missing")
            }
            let transcript = (try? String(contentsOfFile: folder + "/client.transcript", encoding: .utf8)) ?? ""
            #expect(transcript.contains("\"cmd\":\"logon\""), "\(transcript.prefix(300))")
            #expect(temporaryFolders("compat-v3-v3-").subtracting(before).isEmpty, "moved, not copied")
        }
        // How each peer ended, its command and its stderr.
        expectContains(
            failing.stdout,
            "\n    client v3: exit 0\n      command: \(Built.peer(3).joined(separator: " ")) --fault var-data-255 --role client\n")
        expectContains(
            failing.stdout,
            "\n    gateway v3: exit 0\n      command: \(Built.peer(3).joined(separator: " ")) --fault var-data-255 --role gateway\n")

        // results.json agrees with the terminal and gives each failure its reproducer.
        let results = try jsonObject(at: reports + "/results.json")
        let cell = try #require((results["cells"] as? [[String: Any]])?.first)
        #expect(cell["state"] as? String == "FAIL")
        #expect(cell["keptDirectory"] as? String == "cells/client=v3,gateway=v3", "relative to the report folder")
        let failedChecks = try #require(cell["checks"] as? [[String: Any]]).filter { $0["status"] as? String == "failed" }
        #expect(failedChecks.compactMap { $0["name"] as? String }.sorted() == listed.filter { $0.mark == "FAIL" }.map(\.name).sorted())
        let logout = try #require(failedChecks.first { $0["name"] as? String == name })
        #expect(logout["reproduce"] as? String == "compat pair --matrix \(faulty.path) --fixtures \(fixtures) v3 v3 --message Logout")
        let failure = logout["failure"] as? [String: Any]
        #expect(failure?["field"] as? String == "Logout var-data")
        // What the sender put on the wire, and what the schema says it should have been: nothing was received.
        #expect((failure?["sentFrame"] as? String)?.count == 2 * 265)
        #expect((failure?["expectedFrame"] as? String)?.count == 2 * 1034)
        #expect(failure?["receivedFrame"] is NSNull, "\(String(describing: failure?["receivedFrame"]))")
        let junit = try XMLDocument(data: Data(contentsOf: URL(fileURLWithPath: reports + "/junit.xml")))
        #expect(try junit.nodes(forXPath: "//testcase/failure").count == failedChecks.count)
    }

    @Test("every failing check listed in knownFailures: exit 0, KNOWN, no folder kept")
    func knownFailures() throws {
        // Only the Logout checks with strings over 255 bytes: each fails on its own, whatever ran before.
        let selection = ["--run", "client=v3/gateway=v3/Logout/*/edge-longest-strings"]
        let faulty = try TestMatrix(extraArguments: varData255, commandSeconds: 2)
        let reports = faulty.folder + "/reports"
        let first = try pair(faulty, "v3", "v3", selection + ["--report-dir", reports])
        defer {
            for folder in keptFolders(first.stdout) where folder.hasPrefix(cellRoot + "/compat-v3-v3-") {
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
        #expect(first.status == 1, "\(first.stdout.prefix(3000))\n\(first.stderr)")
        let failed = try checks(in: jsonObject(at: reports + "/results.json")).filter { $0.status == "failed" }.map(\.name)
        #expect(failed == ["client=v3/gateway=v3/Logout/c2g/edge-longest-strings", "client=v3/gateway=v3/Logout/g2c/edge-longest-strings"])

        let entries: [JSON] = failed.map { .object(["client": "v3", "gateway": "v3", "check": .string($0), "reason": .string(reason)]) }
        let listed = try TestMatrix(extraArguments: varData255, extra: ["knownFailures": .array(entries)], commandSeconds: 2)
        let before = temporaryFolders("compat-v3-v3-")
        let known = try pair(listed, "v3", "v3", selection)
        #expect(known.status == 0, "\(known.stdout.prefix(3000))\n\(known.stderr)")
        let marks = checkLines(known.stdout)
        #expect(marks.map(\.mark) == ["KNOWN", "KNOWN"], "\(known.stdout.prefix(3000))")
        #expect(marks.map(\.name) == failed)
        for name in failed { expectContains(known.stdout, "\nKNOWN    \(name)  (known: \(reason))\n") }
        // Details still shown for a known failure, with its reason.
        expectContains(known.stdout, "\n    known failure: \(reason)\n")
        #expect(
            lines(of: known.stdout, matching: #"KNOWN  client=v3/gateway=v3: 0 passed, 2 known \(N=3, [0-9.]+ s\)"#).count == 1,
            "\(known.stdout.prefix(3000))")
        #expect(keptFolders(known.stdout).isEmpty, "a KNOWN cell is as expected")
        #expect(temporaryFolders("compat-v3-v3-").subtracting(before).isEmpty)

        // The grid shows the cell KNOWN too.
        let grid = try compat(
            ["matrix", "run", "--matrix", listed.path, "--fixtures", fixtures, "--clients", "v3", "--gateways", "v3"] + selection)
        #expect(grid.status == 0, "\(grid.stdout.prefix(3000))\n\(grid.stderr)")
        #expect(
            grid.stdout.hasPrefix("client \\ gateway  v3\nv3                KNOWN\n\n1 KNOWN · 1 cell · 2 checks · wall "),
            "\(grid.stdout.prefix(3000))")
    }

    @Test("a known failure that now passes: exit 1, reported stale")
    func staleKnownFailure() throws {
        let name = "client=v3/gateway=v3/Logout/c2g/edge-longest-strings"
        let matrix = try TestMatrix(extra: [
            "knownFailures": .array([
                .object(["client": "v3", "gateway": "v3", "check": "Logout/c2g/edge-longest-strings", "reason": .string(reason)])
            ])
        ])
        let reports = matrix.folder + "/reports"
        let stale = try pair(matrix, "v3", "v3", ["--message", "Logout", "--report-dir", reports])
        let kept = keptFolders(stale.stdout)
        defer {
            for folder in kept where folder.hasPrefix(cellRoot + "/compat-v3-v3-") { try? FileManager.default.removeItem(atPath: folder) }
        }
        #expect(stale.status == 1, "\(stale.stdout.prefix(3000))\n\(stale.stderr)")
        expectContains(stale.stdout, "\nSTALE    \(name)  (known: \(reason))\n")
        #expect(checkLines(stale.stdout).filter { $0.mark != "PASS" }.map(\.name) == [name])
        expectContains(stale.stdout, "\n    listed as a known failure (\(reason)) but passed: remove it from matrix.json's knownFailures\n")
        #expect(
            lines(of: stale.stdout, matching: #"PASS  client=v3/gateway=v3: \d+ passed, 1 stale \(N=3, [0-9.]+ s\)"#).count == 1,
            "\(stale.stdout.prefix(3000))")
        let results = try jsonObject(at: reports + "/results.json")
        #expect(results["allExpected"] as? Bool == false)
        #expect(try checks(in: results).filter { $0.status == "stalePass" }.map(\.name) == [name])
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(summary.hasPrefix("## Compatibility matrix: not as expected (1 stale known failure)\n"), "\(summary)")
        #expect(summary.contains("but passed: remove it from matrix.json."), "\(summary)")
    }

    // MARK: Defects found by these tests (see the report); each test states the behaviour wanted.

    @Test("a faulty cell fails the same checks every run, and only the checks its fault touches")
    func failuresAreStable() throws {
        // var-data-255 touches only strings over 255 bytes: the edge-longest-strings checks.
        let faulty = try TestMatrix(extraArguments: varData255, commandSeconds: 2)
        var runs: [[String]] = []
        for _ in 0..<3 {
            let run = try pair(faulty, "v3", "v3")
            defer {
                for folder in keptFolders(run.stdout) where folder.hasPrefix(cellRoot + "/compat-v3-v3-") {
                    try? FileManager.default.removeItem(atPath: folder)
                }
            }
            #expect(run.status == 1)
            runs.append(checkLines(run.stdout).filter { $0.mark == "FAIL" }.map(\.name))
        }
        #expect(
            Set(runs.map { $0.sorted() }).count == 1,
            "different checks failed from run to run: \(runs.map { $0.map { $0.replacingOccurrences(of: "client=v3/gateway=v3/", with: "") } })"
        )
        for run in runs {
            let untouched = run.filter { !$0.hasSuffix("/edge-longest-strings") }
            #expect(untouched.isEmpty, "failed although their data has no string over 255 bytes: \(untouched)")
        }
    }

    @Test("the reproducer of a CancelOrder check passes on clean peers (--message CancelOrder)")
    func cancelOrderAlone() throws {
        let matrix = try TestMatrix()
        let run = try pair(matrix, "v3", "v5", ["--message", "CancelOrder"])
        let kept = keptFolders(run.stdout)
        defer {
            for folder in kept where folder.hasPrefix(cellRoot + "/compat-v3-v5-") { try? FileManager.default.removeItem(atPath: folder) }
        }
        #expect(run.status == 0, "\(checkLines(run.stdout).filter { $0.mark != "PASS" }.map(\.name))")
        #expect(checkLines(run.stdout).contains { $0.name == "client=v3/gateway=v5/CancelOrder/c2g/reference-cancel" })
    }

    @Test("the reproducer is a shell command: a matrix path with a space is quoted")
    func reproducerQuoted() throws {
        let matrix = try TestMatrix(extraArguments: varData255, commandSeconds: 2)
        let spaced = matrix.folder + "/with space"
        try FileManager.default.createDirectory(atPath: spaced, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: matrix.path, toPath: spaced + "/matrix.json")
        let run = try compat([
            "pair", "v3", "v3", "--matrix", spaced + "/matrix.json", "--fixtures", fixtures,
            "--run", "client=v3/gateway=v3/Logout/c2g/edge-longest-strings",
        ])
        defer {
            for folder in keptFolders(run.stdout) where folder.hasPrefix(cellRoot + "/compat-v3-v3-") {
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
        #expect(run.status == 1)
        expectContains(
            run.stdout, "\n    reproduce: compat pair --matrix '\(spaced)/matrix.json' --fixtures \(fixtures) v3 v3 --message Logout\n")
    }
}
