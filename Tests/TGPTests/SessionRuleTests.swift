// The session-level rules: R9 (before logon), R6 (not in the negotiated version), version
// negotiation over the released peers' ranges, and E3's LogonReject version.

import Testing

@testable import TGP

@Suite("Session rules R6, R9 and negotiation")
struct SessionRuleTests {
    /// (role, negotiated version or nil before logon, message, expected refusal).
    static let refusals: [(Role, Int?, String, RejectCode?)] = [
        // R9, gateway before logon: only Logon.
        (.gateway, nil, "NewOrder", .notLoggedOn),
        (.gateway, nil, "Heartbeat", .notLoggedOn),
        (.gateway, nil, "Logout", .notLoggedOn),
        (.gateway, nil, "Logon", nil),
        // R9, client before logon: the gateway's answers to its Logon, and Reject.
        (.client, nil, "LogonAck", nil),
        (.client, nil, "LogonReject", nil),
        (.client, nil, "Reject", nil),
        (.client, nil, "OrderAck", .notLoggedOn),
        (.client, nil, "Heartbeat", .notLoggedOn),
        // R6, logged on at N = 3.
        (.gateway, 3, "MassCancel", .unsupportedInVersion),
        (.gateway, 3, "ModifyOrder", nil),
        (.gateway, 3, "NewOrder", nil),
        (.client, 3, "TradingStatus", .unsupportedInVersion),
        (.client, 3, "MarketDataSnapshot", nil),
        (.client, 1, "MarketDataSnapshot", .unsupportedInVersion),
        (.gateway, 4, "MassCancel", nil),
        (.client, 5, "TradingStatus", nil),
    ]

    @Test(arguments: refusals)
    func refusal(role: Role, negotiated: Int?, message: String, expected: RejectCode?) {
        #expect(SessionRules.refusal(of: messageType(message), receivedBy: role, negotiatedVersion: negotiated) == expected)
    }

    @Test func acceptedBeforeLogon() {
        #expect(SessionRules.acceptedBeforeLogon(by: .gateway) == ["Logon"])
        #expect(SessionRules.acceptedBeforeLogon(by: .client) == ["LogonAck", "LogonReject", "Reject"])
    }

    @Test func aRejectIsNeverAnsweredWithAReject() {
        #expect(SessionRules.answersRefusal(ofTemplate: 15) == false)
        #expect(SessionRules.answersRefusal(ofTemplate: 10) == true)
        #expect(SessionRules.answersRefusal(ofTemplate: 99) == true)
    }

    /// The six incompatible (client, gateway) cells of the 5×5 matrix.
    static let incompatible: Set<[Int]> = [[1, 4], [1, 5], [2, 5], [4, 1], [5, 1], [5, 2]]

    struct Pair: Sendable, CustomTestStringConvertible {
        let client: Int, gateway: Int
        var testDescription: String { "client v\(client) × gateway v\(gateway)" }
    }

    static let pairs = allVersions.flatMap { c in allVersions.map { Pair(client: c, gateway: $0) } }

    @Test(arguments: pairs)
    func negotiation(_ pair: Pair) throws {
        let client = try #require(tgp.peerRanges[pair.client])
        let gateway = try #require(tgp.peerRanges[pair.gateway])
        let outcome = Negotiation(client: client, gateway: gateway)
        if Self.incompatible.contains([pair.client, pair.gateway]) {
            #expect(outcome == .rejected(supported: gateway))
        } else {
            #expect(outcome == .accepted(version: min(pair.client, pair.gateway)))
        }
    }

    @Test func exactlySixPairsAreRejected() {
        let rejected = Self.pairs.filter { pair in
            if case .rejected = Negotiation(client: tgp.peerRanges[pair.client]!, gateway: tgp.peerRanges[pair.gateway]!) {
                return true
            }
            return false
        }
        #expect(rejected.map { "\($0.client),\($0.gateway)" } == ["1,4", "1,5", "2,5", "4,1", "5,1", "5,2"])
    }

    @Test func rejectedNegotiationCarriesTheGatewayRange() {
        #expect(Negotiation(client: 1...1, gateway: 3...5) == .rejected(supported: 3...5))
        #expect(Negotiation(client: 3...5, gateway: 1...2) == .rejected(supported: 1...2))
        #expect(Negotiation(client: 2...4, gateway: 3...5) == .accepted(version: 4))
    }

    @Test func logonRejectIsEncodedAtTheLowerMax() {
        #expect(Negotiation.logonRejectVersion(clientMax: 1, gatewayMax: 5) == 1)
        #expect(Negotiation.logonRejectVersion(clientMax: 5, gatewayMax: 2) == 2)
        #expect(Negotiation.logonRejectVersion(clientMax: 4, gatewayMax: 4) == 4)
    }
}
