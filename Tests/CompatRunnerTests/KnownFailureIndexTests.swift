// The fast lookups of knownFailures (CellKnownFailures, PlannedCheckNames) say exactly what
// KnownFailure.matches says entry by entry and check by check, on a matrix where several peers
// share a version and the roles differ.

import BuiltBinaries
import Foundation
import Testing

@testable import CompatRunner

@Suite("knownFailures: the fast lookups agree with KnownFailure.matches")
struct KnownFailureIndexTests {
    /// (client, gateway, check): exact and wildcard checks, by suffix and by whole name, some naming nothing planned.
    static let entries: [(String, String, String)] = [
        ("v3", "v5", "NewOrder/c2g/sample"), ("w3", "x5", "session/hello-client"), ("v1", "v5", "NewOrder/c2g/sample"),
        ("*", "*", "client=w3/gateway=v5/Logon/c2g/handshake"), ("v3", "*", "client=w3/gateway=v5/Logon/c2g/handshake"),
        ("*", "*", "client=v2/gateway=v5/Logon/c2g/handshake"), ("*", "x5", "Heartbeat/*"), ("v1", "*", "NewOrder/*"),
        ("*", "*", "client=w3/gateway=x5/*"), ("*", "*", "*gateway=x5/session/hello-gateway"), ("*", "*", "client=v2/*"),
        ("*", "*", "client=v3/gateway=v1/*"), ("*", "*", "*/no-such-check"), ("v3", "v5", "*/edge-enum-*"),
        ("*", "v3", "client=v1/gateway=v3/NewOrder/c2g/encoded-at-v*"), ("*", "*", "session/*"), ("v3", "v5", "NewOrder/c2g/sample"),
        ("*", "*", "client=v3/gateway=v5/NewOrder/c2g/sample"), ("*", "*", "*"), ("*", "*", "client=*/gateway=x5/*/sample"),
        ("*", "*", "NewOrder/c2g/"), ("*", "*", "client=v3/gateway=v5/"), ("w3", "v3", "*c2g*edge*"),
    ]

    private func runner() throws -> (MatrixRunner, TestMatrix) {
        let peers = [("v1", 1), ("v2", 2), ("v3", 3), ("w3", 3), ("v5", 5), ("x5", 5)]
            .map { #"{"name": "\#($0.0)", "version": \#($0.1), "argv": ["/bin/true"]}"# }.joined(separator: ", ")
        let known = Self.entries.enumerated()
            .map { #"{"client": "\#($1.0)", "gateway": "\#($1.1)", "check": "\#($1.2)", "reason": "e\#($0)"}"# }.joined(separator: ", ")
        let matrix = try TestMatrix(
            text:
                #"{"peers": [\#(peers)], "clients": ["v1", "v3", "w3", "v5"], "gateways": ["v3", "v5", "x5"], "knownFailures": [\#(known)]}"#
        )
        let config = try MatrixConfig.load(path: matrix.path)
        return (MatrixRunner(config: config, samples: try SampleBook.load(path: Built.fixtures + "/samples.json")), matrix)
    }

    @Test("an entry is valid exactly when some cell it is about plans a check it matches")
    func validation() throws {
        let (runner, matrix) = try runner()
        defer { withExtendedLifetime(matrix) {} }
        let plans = CheckListing.plans(runner, clients: runner.config.clients, gateways: runner.config.gateways)
        let planned = PlannedCheckNames(runner)
        var valid = 0
        for entry in runner.config.knownFailures {
            let expected = plans.contains { plan in
                plan.names.contains { entry.matches($0, client: plan.peers.client, gateway: plan.peers.gateway) }
            }
            #expect(planned.lists(entry) == expected, "\(entry.client) \(entry.gateway) \(entry.check)")
            if expected { valid += 1 }
        }
        // Both answers occur.
        #expect(valid > 5 && valid < runner.config.knownFailures.count)
    }

    @Test("each check of each cell takes the first entry, in file order, that matches it")
    func lookup() throws {
        let (runner, matrix) = try runner()
        defer { withExtendedLifetime(matrix) {} }
        let entries = runner.config.knownFailures
        var reasons: Set<String> = []
        for plan in CheckListing.plans(runner, clients: runner.config.clients, gateways: runner.config.gateways) {
            let (client, gateway) = (plan.peers.client, plan.peers.gateway)
            let index = CellKnownFailures(entries, client: client, gateway: gateway)
            for name in plan.names {
                let expected = entries.first { $0.matches(name, client: client, gateway: gateway) }
                #expect(index.first(listing: name)?.reason == expected?.reason, "\(name)")
                if let reason = expected?.reason { reasons.insert(reason) }
            }
        }
        #expect(reasons.count > 5)
    }
}
