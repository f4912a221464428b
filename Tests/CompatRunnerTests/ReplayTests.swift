import BuiltBinaries
import Foundation
import MiniJSON
import Testing

@testable import CompatRunner

/// `compat replay` against real gateway processes: a fleet captured against one gateway and
/// replayed into another reports the differences the schema predicts and nothing else; a
/// faulty gateway's defect shows as findings.
@Suite(.serialized) struct ReplayTests {
    /// v3, v4, v5 and v5 with a fault switch, as gateways and clients.
    private func matrix(fault: String) throws -> TestMatrix {
        let peers: [JSON] =
            [3, 4, 5].map { version in
                .object([
                    "name": .string("v\(version)"), "version": .integer(version), "argv": .array(Built.peer(version).map(JSON.string)),
                ])
            } + [.object(["name": "v5bad", "version": 5, "argv": .array((Built.peer(5) + ["--fault", .init(fault)]).map(JSON.string))])]
        return try TestMatrix(json: .object(["peers": .array(peers)]))
    }

    /// A fleet of v3, v4 and v5 clients run against gateway v4, captured.
    private func fleetCapture(_ matrix: TestMatrix) throws -> String {
        let folder = matrix.folder + "/captures"
        let run = try runCompat([
            "fleet", "v4", "--clients", "v3,v4,v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--capture", folder,
        ])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        return folder + "/fleet=v4-v4.pcapng"
    }

    private func replay(_ capture: String, _ matrix: TestMatrix, gateway: String, extra: [String] = []) throws -> (Int32, JSON) {
        let run = try runCompat(
            ["replay", capture, "--gateway", gateway, "--matrix", matrix.path, "--fixtures", Built.fixtures, "--json"] + extra)
        return (run.status, try JSON.parse(Array(run.stdout.utf8)))
    }

    private func keys(_ report: JSON, kind: String) -> Set<String> {
        Set(
            (report["differences"]?.arrayValue ?? []).filter { $0["kind"]?.stringValue == kind }.map {
                "\($0["rule"]?.stringValue ?? "-") \($0["message"]?.stringValue ?? "").\($0["field"]?.stringValue ?? "")"
            })
    }

    @Test func aFleetReplayedIntoANewerGatewayDiffersOnlyAsTheSchemaPredicts() throws {
        let matrix = try matrix(fault: "negotiate-gateway-max")
        let capture = try fleetCapture(matrix)
        let (status, report) = try replay(capture, matrix, gateway: "v5")
        #expect(status == 0)
        #expect(report["passed"] == .bool(true))
        #expect(keys(report, kind: "finding").isEmpty)
        #expect(keys(report, kind: "missing answer").isEmpty)
        #expect(keys(report, kind: "extra answer").isEmpty)
        // The v5 client negotiates 5 instead of 4; its answers are encoded at 5 (E1).
        #expect(keys(report, kind: "predicted").contains("N1 LogonAck.version"))
        #expect(keys(report, kind: "predicted").contains("E1 OrderAck.header.version"))
        #expect(keys(report, kind: "predicted").allSatisfy { $0.hasPrefix("N1 ") || $0.hasPrefix("E1 ") || $0.hasPrefix("N2 ") })
        #expect((report["rebound"]?["orderId"]?.intValue ?? 0) > 0)
    }

    @Test func theSameGatewayReplaysWithoutAnyDifference() throws {
        let matrix = try matrix(fault: "negotiate-gateway-max")
        let (status, report) = try replay(try fleetCapture(matrix), matrix, gateway: "v4")
        #expect(status == 0)
        #expect(report["differences"]?.arrayValue == [])
    }

    @Test func aGatewayThatNegotiatesItsOwnMaximumIsFound() throws {
        let matrix = try matrix(fault: "negotiate-gateway-max")
        let (status, report) = try replay(try fleetCapture(matrix), matrix, gateway: "v5bad")
        #expect(status == 1)
        let findings = (report["differences"]?.arrayValue ?? []).filter { $0["kind"]?.stringValue == "finding" }
        // The v3 and v4 clients are told 5: the LogonAck's version is wrong, not predicted.
        let versions = findings.filter { $0["message"]?.stringValue == "LogonAck" && $0["field"]?.stringValue == "version" }
        #expect(Set(versions.map { "\($0["reference"]?.stringValue ?? "")→\($0["candidate"]?.stringValue ?? "")" }) == ["3→5", "4→5"])
    }

    @Test func answersSentToTheWrongSessionAreFound() throws {
        let matrix = try matrix(fault: "answer-wrong-session")
        let (status, report) = try replay(try fleetCapture(matrix), matrix, gateway: "v5bad")
        #expect(status == 1)
        #expect(keys(report, kind: "missing answer").contains("- OrderAck."))
    }

    @Test func aBaselineReplayedTwiceIsTheReference() throws {
        let matrix = try matrix(fault: "negotiate-gateway-max")
        let (status, report) = try replay(try fleetCapture(matrix), matrix, gateway: "v5", extra: ["--baseline", "v4"])
        #expect(status == 0)
        #expect(report["reference"]?.stringValue == "baseline v4 (version 4, 2 runs)")
        #expect(report["noise"] == .object([:]))
        #expect(keys(report, kind: "finding").isEmpty)
    }

    /// The second protocol (profile sbe): its reference gateways answer nothing of their own, so
    /// the gateway's reading of each request is what is compared. A v2 client's traffic replayed
    /// into a v0 gateway meets refusals: QuoteCancel is new in v2 (R5).
    @Test func theSecondProtocolReplaysWithEachRequestsReading() throws {
        let rfq = Built.repositoryRoot + "/protocols/rfq/matrix.json"
        let folder = try TestMatrix(json: .object([:])).folder
        let capture = try runCompat(["pair", "v2", "v2", "--matrix", rfq, "--capture", folder])
        #expect(capture.status == 0, "\(capture.stdout)\(capture.stderr)")
        let file = folder + "/v2-v2.pcapng"
        let same = try runCompat(["replay", file, "--matrix", rfq, "--gateway", "v2", "--json"])
        #expect(same.status == 0)
        let sameReport = try JSON.parse(Array(same.stdout.utf8))
        #expect(sameReport["differences"]?.arrayValue == [])
        let requests = sameReport["requests"]?.intValue ?? 0
        #expect(requests > 0 && sameReport["readingsCompared"]?.intValue == requests)
        let older = try runCompat(["replay", file, "--matrix", rfq, "--gateway", "v0", "--json"])
        #expect(older.status == 1)
        let refusals = (try JSON.parse(Array(older.stdout.utf8))["differences"]?.arrayValue ?? []).filter {
            $0["requestType"]?.stringValue == "QuoteCancel"
        }
        #expect(!refusals.isEmpty)
        #expect(refusals.allSatisfy { $0["candidate"]?.stringValue == "refused UnknownTemplate" })
    }

    @Test func aCaptureOfAnotherProtocolIsRefused() throws {
        let matrix = try matrix(fault: "negotiate-gateway-max")
        let capture = matrix.folder + "/other.pcapng"
        try Pcapng.write(
            Pcapng.file(
                dissector: "rfq", comments: [], frames: [WireFrame(nanoseconds: 1, direction: .clientToGateway, stream: 1, bytes: [1])]),
            to: capture)
        let run = try runCompat(["replay", capture, "--gateway", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(run.status == 2)
        #expect(run.stderr.contains("dissector \"rfq\""))
    }
}

/// The parts of a replay that need no process.
@Suite struct ReplayPartsTests {
    @Test func answersArePairedByTypeInOrder() {
        let pairs = align(["A", "B", "C"], ["A", "C", "D"])
        #expect(pairs.map { "\($0.reference.map(String.init) ?? "-")\($0.candidate.map(String.init) ?? "-")" } == ["00", "1-", "21", "-2"])
    }

    @Test func reboundIdsMustStayConsistent() {
        var bindings = Bindings()
        let results = [
            bindings.bind("orderId", "7", "1"), bindings.bind("orderId", "7", "1"), bindings.bind("orderId", "7", "2"),
            bindings.bind("orderId", "8", "1"), bindings.bind("execId", "7", "2"),
        ]
        #expect(results == [true, true, false, false, true])
    }

    @Test func masksMatchMessageAndField() throws {
        let masks = ReplayMasks(ignore: ["*.transactTime", "Quote.legs.price"], rebind: ["OrderAck.orderId"])
        #expect(masks.ignores("CancelAck", "transactTime"))
        #expect(masks.ignores("Quote", "legs.price"))
        #expect(!masks.ignores("Quote", "price"))
        #expect(masks.binding("OrderAck", "orderId") == "orderId")
        #expect(masks.binding("ExecutionReport", "orderId") == nil)
        #expect(throws: ConfigError.self) { try ReplayMasks(ignore: ["transactTime"]).validate(option: "--ignore") }
    }

    @Test func theScriptLeavesOutFramesSentOnCommand() {
        let frames = [
            WireFrame(nanoseconds: 1, direction: .clientToGateway, stream: 1, bytes: [1]),
            WireFrame(nanoseconds: 2, direction: .clientToGateway, stream: 2, bytes: [2]),
            WireFrame(nanoseconds: 3, direction: .gatewayToClient, stream: 1, bytes: [3]),
            WireFrame(nanoseconds: 4, direction: .gatewayToClient, stream: 2, bytes: [4], comment: CaptureMark.commanded.comment(nil)),
            WireFrame(nanoseconds: 5, direction: .clientToGateway, stream: 1, bytes: [5], comment: CaptureMark.controlled.comment(nil)),
        ]
        let script = ReplayScript(Capture(frames: frames))
        #expect(script.steps.map(\.request) == [[1], [2], [5]])
        #expect(script.steps.map(\.controlled) == [false, false, true])
        #expect(script.steps.map(\.answersBeforeNext) == [[:], [1: 1], [1: 1]])
        #expect(script.recorded[1] == [ReplayAnswer(after: 1, bytes: [3])])
        #expect(script.recorded[2] == nil)
        #expect(script.commanded == 1)
    }
}
