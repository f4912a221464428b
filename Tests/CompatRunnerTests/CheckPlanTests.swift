// The check catalogue and plans: a run's results are exactly its plan, the plan is listable
// without starting anything, docs/CHECKS.md is the catalogue as it is, every rule id the
// checks cite is defined once in the docs, and a name that plans nothing is a configuration error.

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import SchemaXML
import TGP
import Testing

@Suite("Check plans and the catalogue")
struct CheckPlanTests {
    @Test("every cell of the default matrix runs exactly the checks its plan lists, and they pass")
    func resultsAreThePlan() throws {
        let matrix = try TestMatrix()
        let (config, samples) = try matrix.load()
        let runner = MatrixRunner(config: config, samples: samples)
        let result = try matrix.runAll()
        #expect(result.cells.count == 25)
        for cell in result.cells {
            let plan = runner.plan(client: config.peer(named: cell.client)!, gateway: config.peer(named: cell.gateway)!)
            let ran = cell.checks.map(\.name)
            #expect(ran == plan.names, "client=\(cell.client)/gateway=\(cell.gateway): ran \(Set(ran).symmetricDifference(plan.names))")
            #expect(cell.checks.allSatisfy { $0.status == .passed }, "\(cell.checks.filter { $0.status != .passed }.map(\.name))")
            #expect(cell.checks.allSatisfy { !$0.rules.isEmpty })
        }
    }

    @Test("compat list --checks --json names what compat pair's results.json holds")
    func listEqualsResults() throws {
        let matrix = try TestMatrix()
        let listed = try runCompat([
            "list", "--checks", "--client", "v3", "--gateway", "v5", "--json", "--matrix", matrix.path, "--fixtures", Built.fixtures,
        ])
        #expect(listed.status == 0, "\(listed.stderr)")
        let listing = try JSON.parse(listed.stdout)
        let planned = listing["cells"]?.arrayValue?.first?["checks"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        let reports = matrix.folder + "/reports"
        let run = try runCompat(["pair", "v3", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reports])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let results = try JSON.parse(String(contentsOfFile: reports + "/results.json", encoding: .utf8))
        let ran = results["cells"]?.arrayValue?.first?["checks"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(!planned.isEmpty)
        #expect(Set(planned) == Set(ran))
        #expect(planned.count == ran.count)
    }

    @Test("list --checks takes --clients/--gateways as every other command does, and the old --client/--gateway as hidden aliases")
    func listSpellings() throws {
        let matrix = try TestMatrix()
        let common = ["list", "--checks", "--matrix", matrix.path, "--fixtures", Built.fixtures]
        let new = try runCompat(common + ["--clients", "v3,v4", "--gateways", "v5"])
        #expect(new.status == 0, "\(new.stderr)")
        let old = try runCompat(common + ["--client", "v3,v4", "--gateway", "v5"])
        #expect(old.status == 0 && old.stdout == new.stdout, "\(old.stderr)")
        #expect(new.stdout.contains("client=v4/gateway=v5/") && !new.stdout.contains("gateway=v4/"))
        let both = try runCompat(common + ["--clients", "v3", "--client", "v4"])
        #expect(both.status == 2 && both.stderr.contains("give --clients once (--client is its old spelling)"), "\(both.stderr)")
        let help = try runCompat(["list", "--help"])
        #expect(help.stdout.contains("--clients") && !help.stdout.contains("--client <"), "\(help.stdout)")
    }

    @Test("list --checks --upgrade takes FROM TO as compat upgrade does, and the old FROM:TO")
    func listUpgradeSpellings() throws {
        let matrix = try TestMatrix()
        let common = ["list", "--checks", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--clients", "v3,v4"]
        let new = try runCompat(common + ["--upgrade", "v4", "v5"])
        #expect(new.status == 0, "\(new.stderr)")
        let old = try runCompat(common + ["--upgrade", "v4:v5"])
        #expect(old.status == 0 && old.stdout == new.stdout && !new.stdout.isEmpty, "\(old.stderr)")
        let wrong = try runCompat(common + ["--upgrade", "v4", "v5", "v3"])
        #expect(wrong.status == 2 && wrong.stderr.contains("as --upgrade FROM TO"), "\(wrong.stderr)")
    }

    @Test("every cell kind of the catalogue is planned in some cell of the released versions")
    func everyKindIsPlanned() throws {
        let samples = try SampleBook.load(path: Built.fixtures + "/samples.json")
        var planned: Set<String> = []
        for client in Schema.tgp.versions {
            for gateway in Schema.tgp.versions {
                let peers = CellPeers(client: "v\(client)", clientVersion: client, gateway: "v\(gateway)", gatewayVersion: gateway)
                planned.formUnion(CheckPlan(samples: samples, peers: peers).checks.map(\.kind.id))
            }
        }
        #expect(planned == Set(CheckKind.allCases.filter { $0.isCellKind && $0.profiles.contains(.tgp) }.map(\.id)))
    }

    @Test("every kind of the plain SBE profile is planned in some cell of RFQ's versions, and no other kind")
    func everyPlainKindIsPlanned() throws {
        let config = try MatrixConfig.load(path: Built.repositoryRoot + "/protocols/rfq/matrix.json")
        let runner = MatrixRunner(config: config, samples: SchemaSamples.book(for: config.schema))
        var planned: Set<String> = []
        for client in config.clients {
            for gateway in config.gateways {
                planned.formUnion(
                    runner.plan(client: config.peer(named: client)!, gateway: config.peer(named: gateway)!).checks.map(\.kind.id))
            }
        }
        #expect(planned == Set(CheckKind.allCases.filter { $0.profiles.contains(.sbe) }.map(\.id)))
    }

    @Test("docs/CHECKS.md is the catalogue as it is (regenerate: compat list --checks --markdown > docs/CHECKS.md)")
    func checksDocumentIsCurrent() throws {
        let samples = try SampleBook.load(path: Built.fixtures + "/samples.json")
        let committed = try String(contentsOfFile: Built.repositoryRoot + "/docs/CHECKS.md", encoding: .utf8)
        #expect(committed == CheckListing.markdown(samples: samples))
    }

    @Test("every rule id is defined exactly once, in the document it belongs to, and the docs define no other")
    func ruleIdsMatchTheDocs() throws {
        var defined: [String: [String]] = [:]
        for document in ["docs/PROTOCOL.md", "docs/PEER-CONTRACT.md"] {
            let text = try String(contentsOfFile: Built.repositoryRoot + "/" + document, encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("- **") {
                let id = line.dropFirst(4).prefix { $0.isLetter || $0.isNumber }
                guard line.dropFirst(4 + id.count).hasPrefix(" · ") else { continue }
                defined[String(id), default: []].append(document)
            }
        }
        #expect(Set(defined.keys) == Set(Rule.allCases.map(\.id)))
        for rule in Rule.allCases {
            #expect(defined[rule.id] == [rule.document], "\(rule.id): defined in \(defined[rule.id] ?? [])")
        }
    }

    @Test("a knownFailures entry that names no planned check exits 2, naming the entry")
    func unknownKnownFailure() throws {
        let known: JSON = .array([.object(["client": "v3", "gateway": "v5", "check": "NewOrder/c2g/edge-no-such-case", "reason": "typo"])])
        let matrix = try TestMatrix(extra: ["knownFailures": known])
        for arguments in [["matrix", "run"], ["pair", "v3", "v5"], ["gate"], ["list", "--checks"]] {
            let run = try runCompat(arguments + ["--matrix", matrix.path, "--fixtures", Built.fixtures])
            #expect(run.status == 2, "\(arguments): \(run.stdout)\(run.stderr)")
            #expect(run.stderr.contains("knownFailures[0]: check \"NewOrder/c2g/edge-no-such-case\""), "\(run.stderr)")
        }
    }

    @Test("a frame that never comes fails its check naming the peer that should have sent it; the cell goes on")
    func missingFrameBlamesTheSender() throws {
        let matrix = try TestMatrix(extraArguments: [4: ["--fault", "silent-logout"]], commandSeconds: 2)
        let reports = matrix.folder + "/reports"
        let run = try runCompat([
            "pair", "v3", "v4", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reports,
            "--run", "client=v3/gateway=v4/Logout/c2g/sample",
        ])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let results = try JSON.parse(String(contentsOfFile: reports + "/results.json", encoding: .utf8))
        let cell = try #require(results["cells"]?.arrayValue?.first)
        #expect(cell["state"]?.stringValue == "FAIL", "\(cell.serialized)")
        let checks = cell["checks"]?.arrayValue ?? []
        #expect(checks.map { $0["name"]?.stringValue ?? "" } == ["client=v3/gateway=v4/Logout/c2g/sample"])
        let failure = checks.first?["failure"]?["message"]?.stringValue ?? ""
        #expect(failure.hasPrefix("the gateway's Logout answering the client's (S4) never came: the gateway v4 owed it"), "\(failure)")
        #expect(checks.first?["rules"]?.arrayValue?.contains("S4") == true)
        // Both peers still answered: neither was killed, both exited 0 on shutdown.
        for peer in cell["peers"]?.arrayValue ?? [] {
            #expect(peer["termination"]?.stringValue == "exit 0", "\(peer.serialized)")
        }
    }

    /// A receiver that refuses with the wrong code still sends its Reject back. The check of that
    /// frame takes it, so the next check of the batch meets its own Reject and passes (before,
    /// it took the stale one and failed too).
    @Test("a refusal with the wrong code takes its own Reject: only that check fails, never the next one in its batch")
    func wrongRefusalKeepsItsReject() throws {
        let matrix = try TestMatrix(extraArguments: [5: ["--fault", "wrong-reject-code"]])
        let run = try runCompat([
            "pair", "v5", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", matrix.folder + "/reports",
            "--message", "bad-input",
        ])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let results = try JSON.parse(String(contentsOfFile: matrix.folder + "/reports/results.json", encoding: .utf8))
        let checks = results["cells"]?.arrayValue?.first?["checks"]?.arrayValue ?? []
        let failed = checks.filter { $0["status"]?.stringValue == "failed" }.map { $0["name"]?.stringValue ?? "" }
        // Both peers carry the fault: each refuses an unknown template with Malformed.
        #expect(
            Set(failed) == ["client=v5/gateway=v5/bad-input/c2g/unknown-template", "client=v5/gateway=v5/bad-input/g2c/unknown-template"])
    }
}
