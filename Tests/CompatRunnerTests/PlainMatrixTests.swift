// The plain SBE profile end to end: RFQ (protocols/rfq), the repository's second protocol, run
// with the reference peer of each of its versions; and a peer built from another schema file,
// whose verdicts stand beside `compat schema diff`'s for the same two files.

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import Testing

@Suite(.serialized) struct PlainMatrixTests {
    static let protocolFolder = Built.repositoryRoot + "/protocols/rfq"

    /// A folder holding rfq.xml and its profile, and a matrix of reference peers, each
    /// `(name, version, schema file relative to the folder)`.
    static func matrix(_ peers: [(String, Int, String)]) throws -> TestMatrix {
        let entries: [JSON] = peers.map { name, version, schema in
            var entry: JSONObject = [
                "name": .string(name), "version": .integer(version),
                "argv": .array([Built.directory + "/sbe-peer", "--schema", schema, "--version", String(version)].map(JSON.string)),
            ]
            if schema != "rfq.xml" { entry["schema"] = .string(schema) }
            return .object(entry)
        }
        let matrix = try TestMatrix(
            json: .object([
                "schema": "rfq.xml", "peers": .array(entries), "timeouts": .object(["pairSeconds": 120, "commandSeconds": 10]),
            ]))
        for file in ["rfq.xml", "rfq.profile.json"] {
            try FileManager.default.copyItem(atPath: protocolFolder + "/" + file, toPath: matrix.folder + "/" + file)
        }
        return matrix
    }

    /// `rfq.xml` edited by `edit`, and its profile edited by `editProfile`, in `folder` under the matrix's folder.
    static func schemaCopy(
        in matrix: TestMatrix, folder: String, profile editProfile: (String) -> String = { $0 }, _ edit: (String) -> String
    ) throws {
        let target = matrix.folder + "/" + folder
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let xml = try String(contentsOfFile: protocolFolder + "/rfq.xml", encoding: .utf8)
        try edit(xml).write(toFile: target + "/rfq.xml", atomically: true, encoding: .utf8)
        let profile = try String(contentsOfFile: protocolFolder + "/rfq.profile.json", encoding: .utf8)
        try editProfile(profile).write(toFile: target + "/rfq.profile.json", atomically: true, encoding: .utf8)
    }

    static func run(_ matrix: TestMatrix) throws -> MatrixResult { try runWithPlans(matrix).result }

    /// The run, and the identity of every check it planned, by name.
    static func runWithPlans(_ matrix: TestMatrix) throws -> (result: MatrixResult, ids: [String: CheckID]) {
        let config = try MatrixConfig.load(path: matrix.path)
        let runner = MatrixRunner(config: config, samples: SchemaSamples.book(for: config.schema))
        let cells = config.clients.flatMap { client in config.gateways.map { (client: client, gateway: $0) } }
        let ids = cells.flatMap { runner.plan(client: config.peer(named: $0.client)!, gateway: config.peer(named: $0.gateway)!).checks }
        return (
            runner.run(cells: cells, options: RunOptions(jobs: 2, temporaryRoot: matrix.folder)),
            Dictionary(ids.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        )
    }

    @Test func everyPairOfVersionsPassesBothWays() throws {
        let matrix = try Self.matrix([("v0", 0, "rfq.xml"), ("v1", 1, "rfq.xml"), ("v2", 2, "rfq.xml")])
        let result = try Self.run(matrix)
        for cell in result.cells {
            let failed = cell.checks.filter { $0.status != .passed }.map { "\($0.name): \($0.failure?.message ?? "")" }
            #expect(cell.state == .pass, "\(cell.client) × \(cell.gateway): \(cell.problem ?? "") \(failed.prefix(5))")
        }
        #expect(result.cells.count == 9)
        // Every kind of the plain catalogue ran somewhere in the matrix.
        let kinds = Set(result.cells.flatMap(\.checks).map { Self.kind(of: $0.name) })
        #expect(
            kinds == [
                "hello-gateway", "hello-client", "connect", "sample", "edge", "encoded-at", "refused", "unknown-template", "newer-field",
                "edge-enum-newer", "bad-input", "shutdown",
            ])
    }

    /// A peer released from last year's XML (RFQ as at version 1: nothing of version 2 in it)
    /// beside today's: `schema diff` finds only additions, and every cell passes — the old peer
    /// refuses today's names it cannot know as InvalidValue (E2) and today's types as unknown.
    @Test func aPeerBuiltFromAnOlderFileWorksWithTodaysWhereTheDiffSaysSo() throws {
        let matrix = try Self.matrix([("v1", 1, "rfq.xml"), ("v2", 2, "rfq.xml"), ("old1", 1, "old/rfq.xml")])
        let withoutCancel = { (profile: String) in
            profile.split(separator: "\n").filter { !$0.contains("QuoteCancel") }.joined(separator: "\n")
        }
        try Self.schemaCopy(in: matrix, folder: "old", profile: withoutCancel) { xml in
            let withoutCancel = xml.replacingOccurrences(
                of: #"<sbe:message name="QuoteCancel"[\s\S]*?</sbe:message>"#, with: "", options: .regularExpression)
            return withoutCancel.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains(#"sinceVersion="2""#) }.joined(separator: "\n")
                .replacingOccurrences(of: #" version="2""#, with: #" version="1""#)
        }
        let diff = try runCompat(["schema", "diff", "old/rfq.xml", "rfq.xml"], in: matrix.folder)
        #expect(diff.status == 0, "\(diff.stdout)")

        let (result, ids) = try Self.runWithPlans(matrix)
        for cell in result.cells {
            let failed = cell.checks.filter { $0.status != .passed }.map { "\($0.name): \($0.failure?.message ?? "")" }
            #expect(cell.state == .pass, "\(cell.client) × \(cell.gateway): \(cell.problem ?? "") \(failed.prefix(5))")
        }
        // What the old client is asked for that its file lacks: version 2's field and type.
        let unknownToOld = Set(
            ids.keys.filter {
                $0.hasPrefix("client=old1/gateway=v2/")
                    && ($0.hasSuffix("newer-field-minQuantity") || $0.contains("QuoteCancel/c2g/refused"))
            })
        #expect(
            unknownToOld == [
                "client=old1/gateway=v2/QuoteRequest/c2g/newer-field-minQuantity", "client=old1/gateway=v2/QuoteCancel/c2g/refused",
            ])
    }

    /// `compat list` of a plain protocol's matrix: its peers' ranges and its message types.
    @Test func theMatrixListsItsOwnProtocol() throws {
        let run = try runCompat(["list", "--matrix", Self.protocolFolder + "/matrix.json"])
        #expect(run.status == 0, "\(run.stderr)")
        let cancel = run.stdout.split(separator: "\n").first { $0.contains("QuoteCancel") }?.split(separator: " ")
        #expect(cancel == ["QuoteCancel", "5", "C→G", "·", "·", "•"], "\(run.stdout)")
        #expect(run.stdout.contains("py2  v2  supports 0..2"), "\(run.stdout)")
    }

    /// `--message` leaves out the connect check, which every other check needs: it runs anyway.
    @Test func aSelectionOfOneTypeStillOpensTheConnection() throws {
        let matrix = try Self.matrix([("v0", 0, "rfq.xml"), ("v2", 2, "rfq.xml")])
        let config = try MatrixConfig.load(path: matrix.path)
        let plan = MatrixRunner(config: config, samples: SchemaSamples.book(for: config.schema))
            .plan(client: config.peer(named: "v0")!, gateway: config.peer(named: "v2")!)
        let selected = plan.selected(CheckSelection(messages: ["QuoteRequest"]))
        let run = try runCompat(["pair", "v0", "v2", "--matrix", matrix.path, "--message", "QuoteRequest"])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.contains("PASS  client=v0/gateway=v2: \(selected.count) passed"), "\(run.stdout)")
        #expect(selected.allSatisfy { $0.id.subject == "QuoteRequest" } && !selected.isEmpty)
    }

    /// The kind a plain check's name shows.
    static func kind(of name: String) -> String {
        let last = String(name.split(separator: "/").last!)
        if name.contains("/bad-input/") { return "bad-input" }
        if last.hasPrefix("encoded-at-") { return "encoded-at" }
        if last.hasPrefix("newer-field-") { return "newer-field" }
        if last.hasPrefix("edge-enum-") && last.hasSuffix("-newer") { return "edge-enum-newer" }
        if last.hasPrefix("edge-") { return "edge" }
        return last
    }

    /// QuoteRequest.quantity retyped from uint32 to uint64 without a new version: `schema diff`
    /// calls it breaking, and the matrix fails in exactly the cells that mix the two files, in
    /// QuoteRequest's checks only; an identical copy passes both.
    @Test func aFieldRetypedInOnePeersSchemaFailsExactlyWhereTheDiffSays() throws {
        let matrix = try Self.matrix([("v2", 2, "rfq.xml"), ("retyped", 2, "retyped/rfq.xml"), ("copy", 2, "copy/rfq.xml")])
        try Self.schemaCopy(in: matrix, folder: "retyped") {
            $0.replacingOccurrences(
                of: #"<field name="quantity" id="4" type="Quantity"/>"#, with: #"<field name="quantity" id="4" type="uint64"/>"#)
        }
        try Self.schemaCopy(in: matrix, folder: "copy") { $0 }

        let retypedDiff = try runCompat(["schema", "diff", "rfq.xml", "retyped/rfq.xml"], in: matrix.folder)
        #expect(retypedDiff.status == 1)
        #expect(retypedDiff.stdout.contains("QuoteRequest.quantity"), "\(retypedDiff.stdout)")
        let copyDiff = try runCompat(["schema", "diff", "rfq.xml", "copy/rfq.xml"], in: matrix.folder)
        #expect(copyDiff.status == 0, "\(copyDiff.stdout)")

        let (result, ids) = try Self.runWithPlans(matrix)
        let failedCells = Set(result.cells.filter { $0.state != .pass }.map { "\($0.client)×\($0.gateway)" })
        #expect(failedCells == ["v2×retyped", "retyped×v2", "copy×retyped", "retyped×copy"])
        let failedSubjects = Set(result.cells.flatMap(\.checks).filter { $0.status == .failed }.map { ids[$0.name]?.subject })
        #expect(failedSubjects == ["QuoteRequest"])
    }
}
