// `--run` takes a check's whole name or, as knownFailures entries do, the part after its cell.

import BuiltBinaries
import Testing

@testable import CompatRunner

@Suite struct RunPatternTests {
    @Test func thePartAfterTheCellSelectsWhatTheWholeNameDoes() throws {
        let matrix = try TestMatrix()
        let (config, samples) = try matrix.load()
        let runner = MatrixRunner(config: config, samples: samples)
        let ids = ["v3", "v5"].flatMap { client in
            runner.plan(client: config.peer(named: client)!, gateway: config.peer(named: "v5")!).checks.map(\.id)
        }
        func selected(_ patterns: [String]) -> [String] {
            ids.filter(CheckSelection(patterns: patterns).includes).map(\.name)
        }
        let short = selected(["NewOrder/c2g/*"])
        #expect(!short.isEmpty)
        #expect(short == selected(["client=v3/gateway=v5/NewOrder/c2g/*", "client=v5/gateway=v5/NewOrder/c2g/*"]))
        #expect(
            selected(["session/hello-gateway"]) == [
                "client=v3/gateway=v5/session/hello-gateway", "client=v5/gateway=v5/session/hello-gateway",
            ])
        // A whole name stays whole: it does not match in another cell.
        #expect(selected(["client=v3/gateway=v5/session/hello-gateway"]) == ["client=v3/gateway=v5/session/hello-gateway"])
    }

    @Test func aShortPatternMatchingNothingIsRefused() throws {
        let matrix = try TestMatrix()
        let run = try runCompat(["pair", "v3", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--run", "NoSuchMessage/*"])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("--run NoSuchMessage/* matches no planned check"))
        let good = try runCompat([
            "pair", "v3", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--run", "NewOrder/c2g/sample",
        ])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("PASS  client=v3/gateway=v5: 1 passed"), "\(good.stdout)")
    }
}
