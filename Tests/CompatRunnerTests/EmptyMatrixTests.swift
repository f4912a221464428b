// A matrix with nothing to check is a configuration error (exit 2) in every command, never
// "0 cells · 0 checks" and a pass: an empty `clients` or `gateways`, or a filter that selects
// no cell.

import BuiltBinaries
import Foundation
import MiniJSON
import Testing

/// One command line of `compat`, with the matrix file and fixtures filled in.
struct CompatInvocation: CustomTestStringConvertible, Sendable {
    let words: [String]
    var testDescription: String { "compat " + words.joined(separator: " ") }

    func arguments(matrix: String) -> [String] { words + ["--matrix", matrix, "--fixtures", Built.fixtures] }

    static let every: [CompatInvocation] = [
        CompatInvocation(words: ["matrix", "run"]),
        CompatInvocation(words: ["matrix", "floor", "--runs", "1"]),
        CompatInvocation(words: ["pair", "v3", "v5"]),
        CompatInvocation(words: ["gate"]),
        CompatInvocation(words: ["list"]),
        CompatInvocation(words: ["list", "--checks"]),
        CompatInvocation(words: ["bench", "v3", "v5", "--runs", "1", "--count", "20"]),
        CompatInvocation(words: ["bench", "--grid", "--runs", "1", "--count", "20"]),
    ]
}

@Suite("An empty matrix")
struct EmptyMatrixTests {
    @Test("\"clients\": [] exits 2 naming the file and the key", arguments: CompatInvocation.every)
    func noClients(_ command: CompatInvocation) throws {
        try expectEmptyRole("clients", command)
    }

    @Test("\"gateways\": [] exits 2 naming the file and the key", arguments: CompatInvocation.every)
    func noGateways(_ command: CompatInvocation) throws {
        try expectEmptyRole("gateways", command)
    }

    private func expectEmptyRole(_ key: String, _ command: CompatInvocation, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let matrix = try TestMatrix(extra: [key: .array([])])
        let run = try runCompat(command.arguments(matrix: matrix.path), environment: ["TMPDIR": matrix.folder], timeout: .seconds(120))
        #expect(run.status == 2, "\(run.stdout.prefix(2000))\(run.stderr)", sourceLocation: sourceLocation)
        #expect(
            run.stderr == "compat: \(matrix.path): \(key): is empty: name at least one peer, or leave the key out for every peer\n",
            sourceLocation: sourceLocation)
    }

    @Test("bench --grid with no compatible cell exits 2: nothing would be measured")
    func benchWithoutCompatibleCell() throws {
        // v1 and v5 share no version: the only cell is incompatible by design.
        let matrix = try TestMatrix(extra: ["clients": ["v1"], "gateways": ["v5"]])
        let run = try runCompat(
            ["bench", "--grid", "--runs", "1", "--count", "20", "--matrix", matrix.path, "--fixtures", Built.fixtures],
            environment: ["TMPDIR": matrix.folder], timeout: .seconds(120))
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(
            run.stderr.contains(
                "no client × gateway cell of \(matrix.path) shares a version (clients v1, gateways v5): nothing to measure"),
            "\(run.stderr)")
    }

    @Test("--gateways naming nobody exits 2 in list --checks too")
    func emptyGatewayFilter() throws {
        let matrix = try TestMatrix()
        let run = try runCompat(["list", "--checks", "--gateways", " , ", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(run.status == 2, "\(run.stdout.prefix(2000))\(run.stderr)")
        #expect(run.stderr.contains("--gateways names no peer"), "\(run.stderr)")
    }
}
