// The harness can fail: each deliberate defect of the reference peers (Faults.swift) breaks
// exactly the cells where the schema says it shows, and leaves every other cell as it was.

import CompatRunner
import TGP
import Testing

/// One cell's versions, and whether each side runs the faulty peer.
struct CellVersions {
    let client: Int
    let gateway: Int
    let faulty: Int

    var negotiated: Int? {
        if case .accepted(let version) = Negotiation(client: range(client), gateway: range(gateway)) { version } else { nil }
    }
    var clientFaulty: Bool { client == faulty }
    var gatewayFaulty: Bool { gateway == faulty }
    var involvesFaulty: Bool { clientFaulty || gatewayFaulty }

    func range(_ version: Int) -> ClosedRange<Int> { Schema.tgp.peerRanges[version]! }
}

struct FaultCase: CustomTestStringConvertible, Sendable {
    let fault: String
    /// The version whose peer gets the fault, in both roles.
    let faulty: Int
    /// The state a broken cell must end in.
    let brokenState: CellState
    /// Where the fault must show, worked out from the protocol's rules.
    let breaks: @Sendable (CellVersions) -> Bool

    var testDescription: String { "\(fault) on v\(faulty)" }

    static let all: [FaultCase] = [
        // A client's NewOrder has side and ordType swapped: every session it opens.
        FaultCase(fault: "layout-swapped-fields", faulty: 4, brokenState: .fail) { $0.negotiated != nil && $0.clientFaulty },
        // Acknowledging the gateway's own maximum breaks clients whose maximum is lower.
        FaultCase(fault: "negotiate-gateway-max", faulty: 4, brokenState: .fail) {
            $0.negotiated != nil && $0.gatewayFaulty && $0.range($0.client).upperBound < 4
        },
        // Encoding at its own version shows wherever the version due is below it: a gateway's
        // Reject before logon (version 1) in every cell, and a client's messages when N < 4.
        FaultCase(fault: "encode-at-own-version", faulty: 4, brokenState: .fail) { cell in
            cell.gatewayFaulty || (cell.clientFaulty && (cell.negotiated ?? 4) < 4)
        },
        // Only a client sends quantities, and only from v4 on is there a quantityLong.
        FaultCase(fault: "no-quantity-widening", faulty: 4, brokenState: .fail) { cell in
            guard let n = cell.negotiated else { return false }
            return cell.clientFaulty && n >= 4
        },
        // Types newer than N that the faulty side would send in its role.
        FaultCase(fault: "no-version-refusal", faulty: 4, brokenState: .fail) { cell in
            guard let n = cell.negotiated else { return false }
            return Schema.tgp.messages.contains { type in
                n < type.since && type.since <= 4
                    && ((cell.clientFaulty && type.direction.isSent(by: .client))
                        || (cell.gatewayFaulty && type.direction.isSent(by: .gateway)))
            }
        },
        // Bad input goes both ways in every session, so these show wherever the faulty peer has one.
        FaultCase(fault: "wrong-reject-code", faulty: 4, brokenState: .fail) { $0.negotiated != nil && $0.involvesFaulty },
        FaultCase(fault: "lenient-enums", faulty: 4, brokenState: .fail) { $0.negotiated != nil && $0.involvesFaulty },
        FaultCase(fault: "var-data-255", faulty: 4, brokenState: .fail) { $0.negotiated != nil && $0.involvesFaulty },
        FaultCase(fault: "crash-on-unknown-template", faulty: 4, brokenState: .crash) { $0.negotiated != nil && $0.involvesFaulty },
        // Only refusals carry a range.
        FaultCase(fault: "logon-reject-client-range", faulty: 5, brokenState: .fail) { $0.negotiated == nil && $0.gatewayFaulty },
        // R2: frames of every version reach the faulty side (forward decoding), so every session
        // breaks that has a type it receives with groups or var-data after a block that grows
        // after its version; a refused session only by the Logon, at the client's maximum.
        FaultCase(fault: "ignore-block-length", faulty: 2, brokenState: .fail) { cell in
            let schema = Schema.tgp
            guard let n = cell.negotiated else {
                let logon = schema.message(named: "Logon")!
                return cell.gatewayFaulty && logon.blockLength(at: cell.range(cell.client).upperBound) > logon.blockLength(at: 2)
            }
            return schema.messages.contains { type in
                !["Logon", "LogonAck", "LogonReject"].contains(type.name) && type.since <= n
                    && (!type.groups.isEmpty || !type.varData.isEmpty)
                    && type.blockLength(at: schema.latestVersion) > type.blockLength(at: 2)
                    && ((cell.clientFaulty && type.direction.isSent(by: .gateway))
                        || (cell.gatewayFaulty && type.direction.isSent(by: .client)))
            }
        },
        // R3: the gateway puts a MarketDataSnapshot encoded at each version from its since on
        // onto the wire in every session with N ≥ since; one whose entries are longer than the
        // faulty client's is misread. A gateway never receives groups.
        FaultCase(fault: "ignore-group-block-length", faulty: 2, brokenState: .fail) { cell in
            let snapshot = Schema.tgp.message(named: "MarketDataSnapshot")!
            let levels = snapshot.groups[0]
            guard let n = cell.negotiated, n >= snapshot.since, cell.clientFaulty else { return false }
            return (snapshot.since...Schema.tgp.latestVersion).contains { levels.blockLength(at: $0) > levels.blockLength(at: min($0, 2)) }
        },
        // Groups of 64 and 65 entries go both ways in every session where MarketDataSnapshot exists.
        FaultCase(fault: "accept-65-entries", faulty: 4, brokenState: .fail) { cell in
            guard let n = cell.negotiated else { return false }
            return cell.involvesFaulty && n >= Schema.tgp.message(named: "MarketDataSnapshot")!.since
        },
        // Surrogates in var-data go both ways in every session.
        FaultCase(fault: "accept-utf16-surrogates", faulty: 4, brokenState: .fail) { $0.negotiated != nil && $0.involvesFaulty },
    ]
}

@Suite("Self-check: the harness catches each deliberate defect", .serialized)
struct FaultSelfCheckTests {
    @Test("the clean matrix passes: 19 PASS, 6 INCOMPATIBLE")
    func cleanMatrixPasses() throws {
        let result = try TestMatrix().runAll()
        let states = result.cells.map { "\($0.client)/\($0.gateway)=\($0.state.rawValue)" }
        #expect(result.cells.filter { $0.state == .pass }.count == 19, "\(states)")
        #expect(result.cells.filter { $0.state == .incompatible }.count == 6, "\(states)")
        #expect(result.allExpected)
    }

    @Test("a faulty peer breaks exactly the cells where its defect shows", arguments: FaultCase.all)
    func faultBreaksExpectedCells(_ fault: FaultCase) throws {
        let matrix = try TestMatrix(extraArguments: [fault.faulty: ["--fault", fault.fault]], commandSeconds: 2)
        let result = try matrix.runAll()
        var broken = 0
        for cell in result.cells {
            let versions = CellVersions(client: cell.clientVersion, gateway: cell.gatewayVersion, faulty: fault.faulty)
            let name = "client=\(cell.client)/gateway=\(cell.gateway)"
            if fault.breaks(versions) {
                broken += 1
                #expect(
                    cell.state == fault.brokenState,
                    "\(name) should be \(fault.brokenState.rawValue) with \(fault.fault): \(cell.state.rawValue) \(cell.problem ?? "")")
            } else {
                let clean: CellState = versions.negotiated == nil ? .incompatible : .pass
                let failed = cell.checks.filter { $0.status != .passed }.map(\.name)
                #expect(
                    cell.state == clean,
                    "\(name) should stay \(clean.rawValue) with \(fault.fault): \(cell.state.rawValue) \(failed.prefix(3)) \(cell.problem ?? "")"
                )
            }
        }
        #expect(broken > 0, "\(fault.fault) must break at least one cell")
    }
}
