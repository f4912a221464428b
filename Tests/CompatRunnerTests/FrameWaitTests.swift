import BuiltBinaries
import Foundation
import MiniJSON
import Testing

@testable import CompatRunner

/// A frame a peer owes and never sends costs a wait derived from the run's round trips, a short
/// one once the peer has shown it never sends that kind, and the failing check names the peer
/// that owed it; the cell ends FAIL, never TIMEOUT, as both peers still answer their commands.
@Suite(.serialized) struct FrameWaitTests {
    /// Every cell of `matrix`, as results.
    private func run(_ matrix: TestMatrix, clients: [String]? = nil) throws -> [CellResult] {
        let (config, samples) = try matrix.load()
        let names = clients ?? config.clients
        let cells = names.flatMap { client in config.gateways.map { (client: client, gateway: $0) } }
        return MatrixRunner(config: config, samples: samples).run(cells: cells, options: RunOptions(jobs: 2, temporaryRoot: matrix.folder))
            .cells
    }

    /// The messages of a cell's failed checks that say a frame never came.
    private func missing(_ cell: CellResult) -> [String] {
        cell.checks.filter { $0.status == .failed }.compactMap(\.failure?.message).filter { $0.contains("never came") }
    }

    @Test func peersThatNeverSendRejectsFailEveryCellNamingTheRefusingSide() throws {
        let matrix = try TestMatrix(extraArguments: Dictionary(uniqueKeysWithValues: (1...5).map { ($0, ["--fault", "silent-reject"]) }))
        let cells = try run(matrix)
        #expect(cells.count == 25)
        #expect(
            Set(cells.map(\.state)) == [.fail], "\(cells.map { "\($0.client)/\($0.gateway) \($0.state.rawValue) \($0.problem ?? "")" })")
        for cell in cells {
            let messages = missing(cell)
            #expect(!messages.isEmpty, "\(cell.client)/\(cell.gateway)")
            // Only Rejects are owed and missing, each by a peer of the cell.
            #expect(messages.allSatisfy { $0.hasPrefix("the Reject never came: the ") && $0.contains(" owed it") })
            #expect(
                messages.allSatisfy { $0.contains("the client \(cell.client) owed") || $0.contains("the gateway \(cell.gateway) owed") })
            // The first miss of each peer waited as measured; every later one was short.
            #expect(messages.filter { !$0.contains("all along") }.count <= 2)
        }
    }

    @Test func aGatewayThatNeverSendsRejectsIsTheOneNamed() throws {
        let matrix = try TestMatrix(extraArguments: [4: ["--fault", "silent-reject"]])
        let cells = try run(matrix, clients: ["v3"]).filter { $0.gateway == "v4" }
        let cell = try #require(cells.first)
        #expect(cell.state == .fail)
        let messages = missing(cell)
        #expect(!messages.isEmpty)
        #expect(messages.allSatisfy { $0.hasPrefix("the Reject never came: the gateway v4 owed it") })
    }

    @Test func aGatewayThatStopsEchoingAfterARefusalIsNamedForEachEcho() throws {
        let matrix = try TestMatrix(extraArguments: [5: ["--fault", "no-echo"]])
        let cells = try run(matrix, clients: ["v3", "v4", "v5"]).filter { $0.gateway == "v5" }
        #expect(cells.count == 3)
        for cell in cells {
            #expect(cell.state == .fail, "\(cell.client): \(cell.state.rawValue) \(cell.problem ?? "")")
            let messages = missing(cell)
            #expect(!messages.isEmpty)
            // The echo a check waits for, or the reference gateway's answer to a Heartbeat (S4, G-rules): each the gateway's.
            #expect(messages.allSatisfy { $0.lowercased().contains("heartbeat") && $0.contains("never came: the gateway v5 owed it") })
            // Every echo is one kind, whichever check waits for it: only the first miss waited as measured.
            #expect(messages.filter { !$0.contains("all along") }.count == 1, "\(cell.client): \(messages)")
        }
    }

    /// Frames that each take 5 ms, against a floor of 1 ms: the waits follow the round trips the
    /// cell measures (20 times the slowest), so a slow peer is not taken for a silent one.
    @Test func aPeerThatIsMerelySlowStillPasses() throws {
        let peers: [JSON] = [3, 5].map { version in
            .object([
                "name": .string("v\(version)"), "version": .integer(version),
                "argv": .array((Built.peer(version) + ["--fault", "slow-frames"]).map(JSON.string)),
            ])
        }
        let matrix = try TestMatrix(
            json: .object([
                "peers": .array(peers), "timeouts": .object(["frameWaitFloorSeconds": .double(0.001), "frameWaitMultiple": 20]),
            ]))
        let cells = try run(matrix)
        #expect(cells.map(\.state) == [.pass, .pass, .pass, .pass], "\(cells.map { missing($0) })")
    }

    @Test func theWaitFollowsTheSlowestRoundTripWithinItsBounds() {
        var policy = FrameWaits.Policy()
        policy.floor = .milliseconds(100)
        policy.multiple = 10
        var waits = FrameWaits(policy: policy, maximum: .seconds(2))
        let owner = PeerLabel(role: .gateway, name: "v5")
        #expect(waits.wait(for: "the Reject", owedBy: owner).wait == .milliseconds(100))
        waits.observed(.milliseconds(30))
        waits.observed(.milliseconds(5))
        #expect(waits.wait(for: "the Reject", owedBy: owner).wait == .milliseconds(300))
        waits.observed(.seconds(1))
        #expect(waits.wait(for: "the Reject", owedBy: owner).wait == .seconds(2))
        waits.missed("the Reject", owedBy: owner)
        #expect(waits.wait(for: "the Reject", owedBy: owner) == (.milliseconds(10), true))
        #expect(waits.wait(for: "the Reject", owedBy: PeerLabel(role: .client, name: "v5")).afterPattern == false)
    }
}
