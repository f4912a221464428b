// Annotations that point at their line of matrix.json: the lines of peers and knownFailures
// entries found in the raw text (strings, escapes and nesting that look like structure do not
// mislead the scan), and the `file=`/`line=` each kind of finding gets.

import Foundation
import Testing

@testable import CompatRunner

private let matrixText = #"""
    {
      "schema": "x[{\"peers\": [",
      "peers": [
        {"name": "v3", "version": 3, "argv": ["peer", "--x", "]}"]},

        {
          "name": "v4\"q",
          "version": 4,
          "argv": ["peer", "{"]
        }
      ],
      "timeouts": {"knownFailures": [{"client": "no", "gateway": "no", "check": "no"}]},
      "knownFailures": [
        {"client": "v3", "gateway": "*", "check": "*/c2g/newer-field-*", "reason": "a [ b ] { c }"},
        {"client": "*", "gateway": "v4\"q", "check": "session/handshake",
         "reason": "two lines"}
      ]
    }
    """#

@Suite struct MatrixLinesTests {
    @Test("each peer's and each knownFailures entry's first line, in the top-level arrays only")
    func linesOfPeersAndEntries() {
        let lines = MatrixLines.scan(Array(matrixText.utf8), file: "matrix.json")
        #expect(lines.peers == ["v3": 4, "v4\"q": 6])
        #expect(lines.knownFailures.map(\.line) == [14, 15])
        #expect(lines.knownFailures.map(\.entry.check) == ["*/c2g/newer-field-*", "session/handshake"])
        #expect(lines.line(ofEntry: "v3", gateway: "*", check: "*/c2g/newer-field-*") == 14)
        #expect(lines.line(ofEntryListing: "client=v3/gateway=v5/NewOrder/c2g/newer-field-price", client: "v3", gateway: "v5") == 14)
        #expect(lines.line(ofEntryListing: "session/handshake", client: "v1", gateway: "v4\"q") == 15)
        #expect(lines.line(ofEntryListing: "session/handshake", client: "v1", gateway: "v5") == nil)
    }

    @Test("a damaged file yields what came before the damage, and never a line that is not an entry's")
    func damagedFile() {
        let cut = String(matrixText.prefix(matrixText.count - 60))
        let lines = MatrixLines.scan(Array(cut.utf8), file: "matrix.json")
        #expect(lines.peers == ["v3": 4, "v4\"q": 6])
        #expect(lines.knownFailures.map(\.line) == [14])
        #expect(MatrixLines.scan(Array("[1, 2".utf8), file: "m").peers.isEmpty)
    }

    @Test("the file as GitHub wants it: relative to the working directory, nothing outside it")
    func relativePaths() {
        #expect(MatrixLines.relativePath("matrix.json", to: "/repo") == "matrix.json")
        #expect(MatrixLines.relativePath("./ci/../ci/matrix.json", to: "/repo") == "ci/matrix.json")
        #expect(MatrixLines.relativePath("/repo/sub/m.json", to: "/repo/") == "sub/m.json")
        #expect(MatrixLines.relativePath("/elsewhere/m.json", to: "/repo") == nil)
        #expect(MatrixLines.relativePath("../m.json", to: "/repo") == nil)
    }

    @Test("a group of failures points at its peer's line, a stale check and a stale entry at the entry's; the rest at nothing")
    func annotationLocations() {
        let lines = MatrixLines.scan(Array(matrixText.utf8), file: "ci/m,a:x.json")
        let findings = [
            GitHubFinding(title: "group", message: "m", anchor: .peer("v4\"q")),
            GitHubFinding(title: "stale check", message: "m", anchor: .listing(check: "session/handshake", client: "v3", gateway: "v4\"q")),
            GitHubFinding(title: "stale entry", message: "m", anchor: .entry(client: "v3", gateway: "*", check: "*/c2g/newer-field-*")),
            GitHubFinding(title: "unknown peer", message: "m", anchor: .peer("v9")),
            GitHubFinding(title: "crash", message: "m"),
        ]
        let commands = GitHubActions().workflowCommands(findings, lines: lines).split(separator: "\n")
        #expect(
            commands == [
                "::error file=ci/m%2Ca%3Ax.json,line=6,title=group::m",
                "::error file=ci/m%2Ca%3Ax.json,line=15,title=stale check::m",
                "::error file=ci/m%2Ca%3Ax.json,line=14,title=stale entry::m",
                "::error title=unknown peer::m",
                "::error title=crash::m",
            ])
        #expect(GitHubActions().workflowCommands(findings).split(separator: "\n").allSatisfy { $0.hasPrefix("::error title=") })
    }

    @Test("the findings of a run carry their anchors: groups their sending peer, stale checks and entries theirs")
    func findingAnchors() {
        let failure = CheckFailure("differs")
        let cell = CellResult(
            client: "v3", gateway: "v4", clientVersion: 3, gatewayVersion: 4, expectedVersion: 3, state: .fail,
            checks: [
                CheckResult(name: "client=v3/gateway=v4/NewOrder/c2g/sample", status: .failed, failure: failure),
                CheckResult(name: "client=v3/gateway=v4/session/handshake", status: .stalePass, knownReason: "r"),
            ], problem: nil, peers: [], keptDirectory: nil, seconds: 1, reproduce: "compat pair v3 v4")
        let result = MatrixResult(
            clients: ["v3"], gateways: ["v4"], cells: [cell], wallSeconds: 1, jobs: 1,
            staleKnownFailures: [StaleKnownFailure(client: "v3", gateway: "*", check: "*/x", reason: "r", passedChecks: 2)])
        #expect(
            result.gitHubFindings.map(\.anchor) == [
                .peer("v3"), .listing(check: "client=v3/gateway=v4/session/handshake", client: "v3", gateway: "v4"),
                .entry(client: "v3", gateway: "*", check: "*/x"),
            ])
    }
}
