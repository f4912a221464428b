// Large inputs give the right answers in time linear in their size: 200,000 peers, 200,000
// knownFailures, peer names of 50,000 characters in the grid. The tests assert results; their one
// bound on time is a guard only, generous, on the CPU time of the work (which a loaded machine
// does not stretch), at sizes where the quadratic paths they replace took many minutes and the
// linear ones take seconds even in a debug build.

import BuiltBinaries
import Foundation
import MiniJSON
import TGP
import Testing

@testable import CompatRunner

/// The guard: CPU seconds that only a quadratic path spends on these inputs.
private let quadraticSeconds = 30.0

/// `body`, and the CPU seconds this thread spent in it.
private func cpuSeconds<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
    let start = now()
    let result = try body()
    return (result, now() - start)
}

/// Runs `body` and expects it to stay under the guard.
private func linear<T>(_ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) rethrows -> T {
    let (result, seconds) = try cpuSeconds(body)
    #expect(seconds < quadraticSeconds, "\(what) took \(seconds) s of CPU: a quadratic path again?", sourceLocation: sourceLocation)
    return result
}

@Suite("Large inputs: linear, and still right", .serialized)
struct ScaleTests {
    /// `count` peers named p0, p1, …, versions 1 to 5 in turn, all running /bin/true.
    private func peersText(_ count: Int, names: (Int) -> String = { "p\($0)" }) -> String {
        (0..<count).map { #"{"name": "\#(names($0))", "version": \#($0 % 5 + 1), "argv": ["/bin/true"]}"# }.joined(separator: ",\n")
    }

    @Test("200,000 peers load, and a name used twice at the very end is found")
    func manyPeers() throws {
        let count = 200_000
        let matrix = try TestMatrix(text: "{\"peers\": [\(peersText(count))]}")
        let config = try linear("loading \(count) peers") { try MatrixConfig.load(path: matrix.path) }
        #expect(config.peers.count == count && config.clients.count == count && config.gateways.count == count)
        #expect(config.peer(named: "p199999")?.version == 5)
        #expect(config.peer(named: "p200000") == nil)

        let twice = try TestMatrix(text: "{\"peers\": [\(peersText(count) { $0 == count - 1 ? "p7" : "p\($0)" })]}")
        #expect(
            linear("finding a duplicate name") { configError { _ = try MatrixConfig.load(path: twice.path) } }
                == "\(twice.path): peers[\(count - 1)].name: \"p7\" is used twice")

        let names = (0..<count).map { "\"p\($0)\"" }
        let listedTwice = try TestMatrix(
            text: "{\"peers\": [\(peersText(count))], \"clients\": [\((names.dropLast() + ["\"p3\""]).joined(separator: ","))]}")
        #expect(
            linear("finding a name listed twice") { configError { _ = try MatrixConfig.load(path: listedTwice.path) } }
                == "\(listedTwice.path): clients[\(count - 1)]: \"p3\" is listed twice")
    }

    @Test("a peer over the 200,000 a matrix file may list: a ConfigError naming the limit")
    func tooManyPeers() throws {
        let count = MatrixConfig.peerLimit + 1
        let matrix = try TestMatrix(text: "{\"peers\": [\(peersText(count))]}")
        #expect(
            configError { _ = try MatrixConfig.load(path: matrix.path) }
                == "\(matrix.path): peers: \(count) peers, over the \(MatrixConfig.peerLimit) a matrix file may list")
    }

    @Test(
        "a run of more than 2,500 cells: exit 2 before anything starts, naming the limit",
        arguments: [["matrix", "run"], ["matrix", "floor"], ["gate"], ["list", "--checks"], ["bench", "--grid"]])
    func tooManyCells(command: [String]) throws {
        // 51 peers in both roles: 2,601 cells. Their program would fail if any started.
        let matrix = try TestMatrix(text: "{\"peers\": [\(peersText(51))]}")
        let run = try runCompat(
            command + ["--matrix", matrix.path, "--fixtures", Built.fixtures], environment: [:], timeout: .seconds(120))
        #expect(run.status == 2, "\(command): exit \(run.status)\n\(run.stdout.suffix(500))\n\(run.stderr)")
        #expect(
            run.stderr.contains("51 clients × 51 gateways make 2601 cells, over the 2500 a run may have"), "\(command): \(run.stderr)")
        // With fewer clients it is a run like any other: exit 2 here only because /bin/true is no peer.
        let narrowed = try runCompat(
            ["list", "--checks", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--client", "p1"], environment: [:],
            timeout: .seconds(120))
        #expect(narrowed.status == 0, "list --checks --client p1: exit \(narrowed.status)\n\(narrowed.stderr)")
    }

    @Test("compat list prints 200,000 peers with their roles")
    func listManyPeers() throws {
        let count = 200_000
        let matrix = try TestMatrix(text: "{\"peers\": [\(peersText(count))], \"gateways\": [\"p1\"]}")
        // A process of its own: the guard is a wall-clock limit, generous for a loaded machine.
        let run = try runCompat(["list", "--matrix", matrix.path, "--fixtures", Built.fixtures], environment: [:], timeout: .seconds(120))
        #expect(!run.timedOut, "compat list of \(count) peers ran over 2 minutes: a quadratic path again?")
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("  p") && $0.contains(" supports ") }.count == count)
        #expect(lines.contains { $0.hasPrefix("  p1 ") && $0.contains("  client+gateway  ") })
        #expect(lines.contains { $0.hasPrefix("  p2 ") && $0.contains("  client  ") })
    }

    // MARK: knownFailures

    /// A matrix of a peer of each version of the schema with `entries` as knownFailures (client, gateway, check, reason).
    private func matrix(knownFailures entries: [(String, String, String, String)]) throws -> TestMatrix {
        let peers = Schema.tgp.versions.map { #"{"name": "v\#($0)", "version": \#($0), "argv": ["/bin/true"]}"# }.joined(separator: ", ")
        let known = entries.map { #"{"client": "\#($0.0)", "gateway": "\#($0.1)", "check": "\#($0.2)", "reason": "\#($0.3)"}"# }
        return try TestMatrix(text: "{\"peers\": [\(peers)], \"knownFailures\": [\n\(known.joined(separator: ",\n"))\n]}")
    }

    @Test("200,000 knownFailures are validated, and one cell's checks take the first entry that lists them")
    func manyKnownFailures() throws {
        let count = 200_000
        let samples = try SampleBook.load(path: Built.fixtures + "/samples.json")
        let five = try matrix(knownFailures: [])
        let fiveConfig = try MatrixConfig.load(path: five.path)
        let plans = CheckListing.plans(
            MatrixRunner(config: fiveConfig, samples: samples), clients: fiveConfig.clients, gateways: fiveConfig.gateways)
        // Cell by cell in turn, each cell's checks in turn, some of them never listed: by suffix,
        // and every third one by its full name.
        let listable = plans.map { $0.names.enumerated().filter { $0.offset % 7 != 0 }.map(\.element) }
        var entries: [(String, String, String, String)] = []
        var firstReason: [String: String] = [:]
        while entries.count < count {
            let plan = plans[entries.count % plans.count]
            let names = listable[entries.count % plans.count]
            let name = names[(entries.count / plans.count) % names.count]
            let prefix = CheckName.cellPrefix(client: plan.peers.client, gateway: plan.peers.gateway)
            let check = entries.count % 3 == 0 ? name : String(name.dropFirst(prefix.count))
            let reason = "r\(entries.count)"
            entries.append((plan.peers.client, plan.peers.gateway, check, reason))
            if firstReason[name] == nil { firstReason[name] = reason }
        }
        // Wildcards last: they only reach the checks no exact entry lists first.
        let wildcards = [
            ("*", "v5", "Heartbeat/*", "w-heartbeat"), ("v3", "*", "client=v3/gateway=v5/session/*", "w-session"),
            ("v3", "v5", "*/edge-enum-*", "w-enum"),
        ]
        let file = try matrix(knownFailures: entries + wildcards)
        let config = try linear("loading \(count) knownFailures") { try MatrixConfig.load(path: file.path) }
        #expect(config.knownFailures.count == count + wildcards.count)
        let runner = MatrixRunner(config: config, samples: samples)
        try linear("validating \(count) knownFailures") { try CheckListing.validateKnownFailures(runner) }

        let plan = runner.plan(client: config.peer(named: "v3")!, gateway: config.peer(named: "v5")!)
        // Every other check fails, and every enum edge, so the `*/edge-enum-*` wildcard has failures to take whatever the plan's order.
        let results = plan.names.enumerated().map {
            CheckResult(name: $0.element, status: $0.offset % 2 == 0 || $0.element.contains("/edge-enum-") ? .failed : .passed)
        }
        let applied = linear("applying \(count) knownFailures to a cell") {
            runner.applyKnownFailures(to: results, client: "v3", gateway: "v5")
        }
        for (before, after) in zip(results, applied) {
            let suffix = String(before.name.dropFirst("client=v3/gateway=v5/".count))
            let wildcard = wildcards.first { Glob($0.2).matches(suffix) || Glob($0.2).matches(before.name) }?.3
            // A wildcard leaves a passing check a pass; an exact entry makes it stale.
            let exact = firstReason[before.name]
            let reason = exact ?? (before.status == .failed ? wildcard : nil)
            #expect(after.knownReason == reason, "\(before.name)")
            let status: CheckStatus = reason == nil ? before.status : before.status == .failed ? .knownFailure : .stalePass
            #expect(after.status == status, "\(before.name)")
        }
        #expect(applied.contains { $0.knownReason == "w-enum" } && applied.contains { $0.knownReason == "w-heartbeat" })
        #expect(applied.contains { $0.knownReason == nil })
    }

    @Test("among 200,000 knownFailures, the last one naming no planned check is reported")
    func staleEntryAtTheEnd() throws {
        let entries =
            (0..<200_000).map { index in
                (
                    "v\(index % 5 + 1)", "v\(index / 5 % 5 + 1)",
                    index % 2 == 0 ? "session/hello-client" : "client=v\(index % 5 + 1)/gateway=v\(index / 5 % 5 + 1)/Logon/c2g/handshake",
                    "r"
                )
            } + [("v3", "v5", "NewOrder/c2g/edge-no-such-edge", "typo")]
        let file = try matrix(knownFailures: entries)
        let config = try MatrixConfig.load(path: file.path)
        let runner = MatrixRunner(config: config, samples: try SampleBook.load(path: Built.fixtures + "/samples.json"))
        #expect(
            linear("validating") { configError { try CheckListing.validateKnownFailures(runner) } }
                == "\(config.path): knownFailures[200000]: check \"NewOrder/c2g/edge-no-such-edge\" (client v3, gateway v5) "
                + "matches no check the matrix plans; `compat list --checks` prints every name")
    }

    // MARK: Printing

    /// A 2×2 matrix of `v5` and a peer named `long`, in four states; the failing cells with a failed check.
    private func resultWithName(_ long: String) -> MatrixResult {
        let clients = ["v5", long]
        let gateways = [long, "v5"]
        let states: [CellState] = [.fail, .pass, .incompatible, .crash]
        let cells = clients.flatMap { client in gateways.map { (client, $0) } }.enumerated().map { index, pair in
            let checks = [
                CheckResult(
                    name: "client=\(pair.0)/gateway=\(pair.1)/NewOrder/c2g/sample", status: states[index] == .fail ? .failed : .passed,
                    failure: states[index] == .fail ? CheckFailure("wrong", field: "side", expected: "Buy", actual: "Sell") : nil)
            ]
            return CellResult(
                client: pair.0, gateway: pair.1, clientVersion: 5, gatewayVersion: 5, expectedVersion: 5, state: states[index],
                checks: checks, problem: nil, peers: [], keptDirectory: nil, seconds: 0, reproduce: "compat pair \(pair.0) \(pair.1)")
        }
        return MatrixResult(clients: clients, gateways: gateways, cells: cells, wallSeconds: 0, jobs: 1)
    }

    @Test("peer names of 50,000 characters: the grid lines up, without trailing spaces")
    func longNamesInTheGrid() throws {
        let long = String(repeating: "n", count: 50_000)
        let result = resultWithName(long)
        let grid = linear("the grid of \(long.count)-character names") { renderGrid(result, color: false) }
        let width = long.count
        func padded(_ text: String) -> String { text + String(repeating: " ", count: width - text.count) }
        #expect(
            grid.split(separator: "\n", omittingEmptySubsequences: false) == [
                Substring(padded("client \\ gateway") + "  " + long + "  v5"),
                Substring(padded("v5") + "  " + padded("FAIL") + "  PASS"),
                Substring(long + "  " + padded("INCOMPAT") + "  CRASH"),
                "",
                "1 PASS · 1 INCOMPATIBLE · 1 FAIL · 1 CRASH · 4 cells · 4 checks · wall 0.00 s, 1 job",
                "",
            ])
    }

    @Test("peer names of 50,000 characters in the failures, a cell's listing and every report file")
    func longNamesInReports() throws {
        let long = String(repeating: "n", count: 50_000)
        let result = resultWithName(long)
        let runId = RunID()
        let texts = try linear("the reports of \(long.count)-character names") {
            [
                renderFailures(result), renderCell(result.cells[0], verbose: true), JUnitXML.render(result, stamp: ReportStamp(runId)),
                SummaryMarkdown.render(result, stamp: ReportStamp(runId)),
                String(
                    decoding: ResultsJSON.render(
                        RunResults(run: RunInfo(runId: runId, command: "matrix run", arguments: []), findings: .matrix(result))),
                    as: UTF8.self),
            ]
        }
        for text in texts where text != texts[3] {
            #expect(text.contains("client=v5/gateway=\(long)/NewOrder/c2g/sample"), "\(text.prefix(300))")
        }
        // summary.md stays a comment's size: a failure whose name alone is most of it is counted, not shown.
        let summary = texts[3]
        #expect(summary.utf8.count <= 60_000)
        #expect(summary.contains("The grid has 2 × 2 cells, too wide for a comment: see results.json."))
        #expect(summary.contains("1 PASS · 1 INCOMPATIBLE · 1 FAIL · 1 CRASH · 4 cells · 4 checks"))
        #expect(summary.contains("… and 1 more failing check in 2 cells: see results.json and report.html."), "\(summary.prefix(3000))")
    }
}

/// The message of the ConfigError `body` throws; nil when it throws nothing.
private func configError(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return (error as? ConfigError)?.message ?? "not a ConfigError: \(error)"
    }
}
