// knownFailures looked up in time that does not grow with the list times the checks: a cell's
// checks against the entries about that cell (wildcard-free patterns in a dictionary, wildcards
// compiled once and tried in file order), and each entry against what the matrix plans (by the
// pair of versions: after its `client=…/gateway=…/` prefix, a plan depends on the versions alone).
// A wildcard entry is judged over the whole run: stale only when none of what it matched failed.

/// The knownFailures entries about one cell, by check name.
struct CellKnownFailures {
    private let entries: [KnownFailure]
    private let prefix: String
    /// A check name (whole, or the cell's prefix and an entry's check) → the first entry listing it exactly.
    private var exact: [String: Int] = [:]
    /// The entries with a `*` in their check, in file order.
    private var wildcards: [Int] = []

    init(_ entries: [KnownFailure], client: String, gateway: String) {
        self.entries = entries
        prefix = CheckName.cellPrefix(client: client, gateway: gateway)
        for (index, entry) in entries.enumerated() where entry.applies(client: client, gateway: gateway) {
            guard entry.checkPattern.isLiteral else {
                wildcards.append(index)
                continue
            }
            for name in [entry.check, prefix + entry.check] where exact[name] == nil { exact[name] = index }
        }
    }

    /// The first entry, in file order, that lists the check `name` of this cell.
    func first(listing name: String) -> KnownFailure? {
        firstIndex(listing: name).map { entries[$0] }
    }

    /// The index in the list of the first entry that lists the check `name` of this cell.
    func firstIndex(listing name: String) -> Int? {
        let exactIndex = exact[name] ?? entries.count
        let wildcard = wildcards.lazy.prefix { $0 < exactIndex }.first { entries[$0].matchesCheck(name, cellPrefix: self.prefix) }
        let index = wildcard ?? exactIndex
        return index < entries.count ? index : nil
    }

    /// Whether the cell has any entry with a wildcard in its check.
    var hasWildcards: Bool { !wildcards.isEmpty }
}

/// A knownFailures entry whose check has a `*` and that matched checks of the run, every one of
/// which passed: the list has gone stale. (A wildcard that matches a passing check among failing
/// ones is not: the pattern is broad on purpose, and the checks that pass are simply passes.)
public struct StaleKnownFailure: Sendable, Hashable, Codable {
    public var client: String
    public var gateway: String
    public var check: String
    public var reason: String
    /// How many checks it matched, all passed.
    public var passedChecks: Int

    public init(client: String, gateway: String, check: String, reason: String, passedChecks: Int) {
        self.client = client
        self.gateway = gateway
        self.check = check
        self.reason = reason
        self.passedChecks = passedChecks
    }

    init(_ entry: KnownFailure, passedChecks: Int) {
        client = entry.client
        gateway = entry.gateway
        check = entry.check
        reason = entry.reason
        self.passedChecks = passedChecks
    }

    /// How matrix.json spells the entry, to find it there.
    public var entry: String {
        "{\"client\": \"\(client)\", \"gateway\": \"\(gateway)\", \"check\": \"\(check)\"}"
    }

    /// One line for every report: which entry, what it matched, what to do.
    public var message: String {
        "knownFailures entry \(entry) (\(reason)) matched \(ReportText.plural(passedChecks, "check", "checks")) and every one passed: remove it from matrix.json"
    }
}

/// The wildcard entries of `entries` that matched checks in `cells` and none that failed.
func staleWildcardEntries(_ entries: [KnownFailure], in cells: [CellResult]) -> [StaleKnownFailure] {
    guard entries.contains(where: \.isWildcard) else { return [] }
    var passed = [Int: Int]()
    var failed = Set<Int>()
    for cell in cells {
        let listed = CellKnownFailures(entries, client: cell.client, gateway: cell.gateway)
        guard listed.hasWildcards else { continue }
        for check in cell.checks where check.status == .passed || check.status == .knownFailure {
            guard let index = listed.firstIndex(listing: check.name), entries[index].isWildcard, !entries[index].intermittent else {
                continue
            }
            if check.status == .passed { passed[index, default: 0] += 1 } else { failed.insert(index) }
        }
    }
    return passed.keys.sorted().filter { !failed.contains($0) }.map { StaleKnownFailure(entries[$0], passedChecks: passed[$0]!) }
}

/// What the matrix plans, to tell whether a knownFailures entry names a planned check.
final class PlannedCheckNames {
    private struct Versions: Hashable {
        let client: Int
        let gateway: Int
    }

    private let runner: MatrixRunner
    /// The clients and gateways of the matrix, each with its version.
    private let clients: [String: Int]
    private let gateways: [String: Int]
    /// One cell per pair of versions stands for all of them.
    private let clientOf: [Int: String]
    private let gatewayOf: [Int: String]
    /// For each pair of versions asked about so far: its checks' names after the cell prefix. Made
    /// when first asked, so a run validates its knownFailures without planning every cell first.
    private var planned: [Versions: Set<String>] = [:]

    init(_ runner: MatrixRunner) {
        self.runner = runner
        let config = runner.config
        clients = Dictionary(config.clients.map { ($0, config.peer(named: $0)!.version) }, uniquingKeysWith: { first, _ in first })
        gateways = Dictionary(config.gateways.map { ($0, config.peer(named: $0)!.version) }, uniquingKeysWith: { first, _ in first })
        clientOf = Dictionary(config.clients.map { (config.peer(named: $0)!.version, $0) }, uniquingKeysWith: { first, _ in first })
        gatewayOf = Dictionary(config.gateways.map { (config.peer(named: $0)!.version, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The names a cell of these versions plans, after its prefix; nil when the matrix has no such cell.
    private func suffixes(_ versions: Versions) -> Set<String>? {
        if let known = planned[versions] { return known }
        guard let client = clientOf[versions.client], let gateway = gatewayOf[versions.gateway] else { return nil }
        let config = runner.config
        let prefix = CheckName.cellPrefix(client: client, gateway: gateway)
        let plan = runner.plan(client: config.peer(named: client)!, gateway: config.peer(named: gateway)!)
        let names = Set(plan.checks.map { String($0.name.dropFirst(prefix.count)) })
        planned[versions] = names
        return names
    }

    /// Whether `entry` names a check some cell it is about plans.
    func lists(_ entry: KnownFailure) -> Bool {
        let clientNames = names(in: clients, matching: entry.clientPattern)
        let gatewayNames = names(in: gateways, matching: entry.gatewayPattern)
        let gatewayVersions = Set(gatewayNames.values)
        let pairs = Set(clientNames.values).flatMap { client in gatewayVersions.map { Versions(client: client, gateway: $0) } }
        if entry.checkPattern.isLiteral {
            return pairs.contains { suffixes($0)?.contains(entry.check) == true }
                || fullName(entry.check, clientNames: clientNames, gatewayNames: gatewayNames)
        }
        // A wildcard: after the prefix first (the usual form), then as a whole name, cell by cell.
        if pairs.contains(where: { suffixes($0)?.contains(where: entry.checkPattern.matches) == true }) { return true }
        return wholeNameMatch(entry.checkPattern, clientNames: clientNames, gatewayNames: gatewayNames)
    }

    /// Whether a wildcard matches a whole check name of a cell of these peers. The text before
    /// its first `*` narrows the cells when it names them (`client=v3/gateway=v5/…`).
    private func wholeNameMatch(_ pattern: Glob, clientNames: [String: Int], gatewayNames: [String: Int]) -> Bool {
        let head = pattern.parts[0]
        guard head.hasPrefix("client=") || "client=".hasPrefix(head) else { return false }
        let named = head.dropFirst("client=".count).split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        let clients = named.count > 1 ? clientNames.filter { $0.key == named[0] } : clientNames
        let gateway = named.count > 2 && named[1].hasPrefix("gateway=") ? named[1].dropFirst("gateway=".count) : nil
        let gateways = gateway.map { name in gatewayNames.filter { $0.key == name } } ?? gatewayNames
        return clients.contains { client, clientVersion in
            gateways.contains { gateway, gatewayVersion in
                let prefix = CheckName.cellPrefix(client: client, gateway: gateway)
                return suffixes(Versions(client: clientVersion, gateway: gatewayVersion))?.contains { pattern.matches(prefix + $0) } == true
            }
        }
    }

    /// The peers of one role a pattern names, each with its version.
    private func names(in role: [String: Int], matching pattern: Glob) -> [String: Int] {
        if pattern.isLiteral { return role[pattern.pattern].map { [pattern.pattern: $0] } ?? [:] }
        if pattern.matchesEverything { return role }
        return role.filter { pattern.matches($0.key) }
    }

    /// Whether `name`, a whole check name `client=C/gateway=G/REST`, is planned in a cell the entry is about.
    private func fullName(_ name: String, clientNames: [String: Int], gatewayNames: [String: Int]) -> Bool {
        let parts = name.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].hasPrefix("client="), parts[1].hasPrefix("gateway="),
            let client = clientNames[String(parts[0].dropFirst("client=".count))],
            let gateway = gatewayNames[String(parts[1].dropFirst("gateway=".count))]
        else { return false }
        return suffixes(Versions(client: client, gateway: gateway))?.contains(String(parts[2])) == true
    }
}
