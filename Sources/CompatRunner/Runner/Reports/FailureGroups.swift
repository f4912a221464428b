// Failing checks with one cause, across cells: one defect in one peer fails many checks (every
// message with var-data, in every cell the peer is in), and a person wants the defect once.

import Foundation

/// Failing checks that share a cause: the peer that sent the frames judged, the rules, and the
/// failure's sentence once the peers' names, the message type and the numbers in it are set aside.
public struct FailureGroup: Sendable {
    /// The peer that sent the frames the checks judged (the sender of their flow: at fault, or
    /// the one whose frames its receiver mishandled); nil when a check has no flow.
    public let peer: String?
    /// The failure's sentence with the cell's peers as `<client>`/`<gateway>` (`<peer>` when both
    /// are one name), the message type as `<message>` and numbers as `#`.
    public let cause: String
    public let rules: [String]
    /// Every check of the group with its cell, in report order; the first stands for them all.
    public var members: [(cell: CellResult, check: CheckResult)]

    public var cells: [CellResult] {
        var seen = Set<String>()
        return members.map(\.cell).filter { seen.insert(ReportText.cellName($0)).inserted }
    }
}

public enum FailureGrouping {
    /// The failed checks of `result`, grouped by cause; the groups with the most checks first,
    /// ties in report order.
    public static func groups(_ result: MatrixResult) -> [FailureGroup] {
        var groups: [FailureGroup] = []
        var index: [String: Int] = [:]
        for cell in ReportText.orderedCells(result) {
            for check in cell.checks where check.status == .failed {
                let peer = sender(of: check, in: cell)
                let cause = normalised(check.failure?.message ?? "failed", message: check.message, in: cell)
                let key = [peer ?? "", cause, check.rules.joined(separator: ",")].joined(separator: "\u{0}")
                if let at = index[key] {
                    groups[at].members.append((cell, check))
                } else {
                    index[key] = groups.count
                    groups.append(FailureGroup(peer: peer, cause: cause, rules: check.rules, members: [(cell, check)]))
                }
            }
        }
        return groups.enumerated().sorted { a, b in
            a.element.members.count != b.element.members.count ? a.element.members.count > b.element.members.count : a.offset < b.offset
        }.map(\.element)
    }

    /// The peer that sent what the check judged: its flow's sender, named as in the matrix.
    static func sender(of check: CheckResult, in cell: CellResult) -> String? {
        let parts = check.name.split(separator: "/")
        if parts.contains(Substring(CheckName.Flow.clientToGateway.rawValue)) { return cell.client }
        if parts.contains(Substring(CheckName.Flow.gatewayToClient.rawValue)) { return cell.gateway }
        return nil
    }

    /// The sentence with what varies between instances of one defect set aside.
    static func normalised(_ sentence: String, message: String?, in cell: CellResult? = nil) -> String {
        var text = sentence
        if let cell {
            // Longer name first, so that `v5` does not eat the start of `v5@drift`.
            let names = cell.client == cell.gateway ? [(cell.client, "<peer>")] : [(cell.client, "<client>"), (cell.gateway, "<gateway>")]
            for (name, token) in names.sorted(by: { $0.0.count > $1.0.count }) where !name.isEmpty {
                text = text.replacingOccurrences(of: name, with: token)
            }
        }
        if let message, !message.isEmpty { text = text.replacingOccurrences(of: message, with: "<message>") }
        var out = ""
        var inNumber = false
        for character in text {
            if character.isASCII && character.isNumber {
                if !inNumber { out.append("#") }
                inNumber = true
            } else {
                inNumber = false
                out.append(character)
            }
        }
        return out
    }
}
