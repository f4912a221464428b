// A fleet on the terminal: one line per session (its version, N or cut off, its checks), then
// every failure in full, then the verdict.

import TGP

/// With `color`, the verdict's state is coloured as in the grid.
public func renderFleet(_ result: CellResult, plan: FleetPlan, after upgrade: UpgradePlan? = nil, color: Bool = false) -> String {
    var lines = ["\(plan.scenario): \(plan.members.count) clients (\(plan.members.map(\.label).joined(separator: ", ")))", ""]
    let header = [("session", 14), ("version", 8), ("N", upgrade == nil ? 9 : 19), ("checks", 0)]
    lines.append("  " + header.map { ReportText.padded($0.0, to: $0.1) }.joined())
    for member in plan.members {
        let names = Set(plan.checks.filter { $0.id.member == member.label }.map(\.name))
        let checks = result.checks.filter { names.contains($0.name) }
        var outcome = member.negotiated.map(String.init) ?? "cut off"
        if let upgrade {
            let next = if case .accepted(let version) = upgrade.after[member.index] { "\(version)" } else { "cut off" }
            outcome += " → " + next
        }
        lines.append(
            "  " + ReportText.padded(member.label, to: 14) + ReportText.padded("v\(member.spec.version)", to: 8)
                + ReportText.padded(outcome, to: upgrade == nil ? 9 : 19) + statusCounts(checks))
    }
    let fleetWide = result.checks.filter { !$0.name.contains("/client=") }
    lines.append("  " + ReportText.padded("(all)", to: upgrade == nil ? 31 : 41) + statusCounts(fleetWide))
    let skipped = ReportText.skipLines([result])
    if !skipped.isEmpty {
        lines.append("")
        lines += skipped
    }
    if ReportText.needsDetails(result) {
        lines.append("")
        lines.append(ReportText.cellDetails(result, verbose: false).trimmingCharacters(in: .newlines))
    }
    lines.append("")
    lines.append(
        "\(plan.scenario): \(ReportText.colored(result.state.rawValue, result.state, color)) · \(sessionCounts(plan, after: upgrade)) · "
            + "\(ReportText.checksSummary(result)) · \(String(format: "%.2f", result.seconds)) s"
    )
    return lines.joined(separator: "\n") + "\n"
}

/// "10 sessions (10 logged on, 0 cut off by design; after the upgrade 8 logged on, 2 cut off by
/// design)": the counts the rows above show, before and after a gateway upgrade.
private func sessionCounts(_ plan: FleetPlan, after upgrade: UpgradePlan?) -> String {
    let loggedOn = plan.members.filter { $0.negotiated != nil }.count
    var text = "\(plan.members.count) sessions (\(loggedOn) logged on, \(plan.members.count - loggedOn) cut off by design"
    if let upgrade, case .gateway = upgrade.side {
        let kept = upgrade.after.filter { if case .accepted = $0 { true } else { false } }.count
        text += "; after the upgrade \(kept) logged on, \(upgrade.after.count - kept) cut off by design"
    }
    return text + ")"
}

/// `12 passed, 1 failed` for a set of checks.
private func statusCounts(_ checks: [CheckResult]) -> String {
    let counts =
        [CheckStatus.passed, .failed, .knownFailure, .stalePass, .notRun].compactMap { status -> String? in
            let count = checks.filter { $0.status == status }.count
            return count == 0 ? nil : "\(count) \(status == .notRun ? "not run" : status.rawValue)"
        } + [ReportText.skipsText(checks)].compactMap { $0 }
    return counts.isEmpty ? "no checks" : counts.joined(separator: ", ")
}
