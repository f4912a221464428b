// What a run found: one result per check, one per cell, and the matrix around them.
// Reports and the terminal grid are written from these values only.

/// How one check ended.
public enum CheckStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case passed
    case failed
    /// Failed, and listed in matrix.json's knownFailures.
    case knownFailure
    /// Listed in knownFailures but passed: the list has gone stale.
    case stalePass
    /// Not reached: the cell stopped (crash, timeout, interrupt) before this check ran.
    case notRun
    /// Planned but not taken: a peer's contract version is older than the check needs.
    /// Never a pass; `CheckResult.reason` says why.
    case skipped
}

/// Everything a person needs to see why a check failed.
public struct CheckFailure: Sendable, Hashable, Codable {
    /// One sentence: what was expected and what happened.
    public var message: String
    public var field: String?
    public var expected: String?
    public var actual: String?
    /// The frame a peer reported sending.
    public var sentFrame: [UInt8]?
    /// The frame a peer reported receiving (or sending back): only bytes a peer reported.
    public var receivedFrame: [UInt8]?
    /// The frame compat encoded from the schema, that the sent one should have been.
    public var expectedFrame: [UInt8]?

    public init(
        _ message: String, field: String? = nil, expected: String? = nil, actual: String? = nil,
        sentFrame: [UInt8]? = nil, receivedFrame: [UInt8]? = nil, expectedFrame: [UInt8]? = nil
    ) {
        self.message = message
        self.field = field
        self.expected = expected
        self.actual = actual
        self.sentFrame = sentFrame
        self.receivedFrame = receivedFrame
        self.expectedFrame = expectedFrame
    }

    /// A sent frame that differs from the schema's encoding from byte `offset`: both frames whole,
    /// and as values their lengths and a few bytes from there, not the whole frames once more.
    static func frameMismatch(_ message: String, field: String, sent: [UInt8], expected: [UInt8], from offset: Int) -> CheckFailure {
        func excerpt(_ frame: [UInt8]) -> String {
            let shown = frame.dropFirst(offset).prefix(16)
            let rest = frame.count - offset - shown.count
            return "\(frame.count) bytes; from byte \(offset): " + (shown.isEmpty ? "(ends)" : shown.hexString + (rest > 0 ? "…" : ""))
        }
        return CheckFailure(
            message, field: field, expected: excerpt(expected), actual: excerpt(sent), sentFrame: sent, expectedFrame: expected)
    }

    /// The first byte where its frames differ (a shorter one ends there), when it has two.
    public var firstDifference: Int? {
        let frames = labelledFrames.map(\.frame)
        guard frames.count > 1 else { return nil }
        let shortest = frames.map(\.count).min()!
        return (0..<shortest).first { index in frames.contains { $0[index] != frames[0][index] } }
            ?? (frames.allSatisfy { $0.count == shortest } ? nil : shortest)
    }

    /// Its frames as every report labels them, in this order: what a peer sent, what a peer
    /// received, and what the schema says it should have been.
    public var labelledFrames: [(label: String, frame: [UInt8])] {
        [("sent frame", sentFrame), ("received frame", receivedFrame), ("expected frame (encoded from the schema)", expectedFrame)]
            .compactMap { label, frame in
                frame.map { (label, $0) }
            }
    }
}

public struct CheckResult: Sendable, Hashable, Codable {
    /// The stable name, e.g. `client=v3/gateway=v5/NewOrder/c2g/edge-wide-quantity`.
    public var name: String
    public var status: CheckStatus
    public var failure: CheckFailure?
    /// For a known failure, or a skip matrix.json accepts (`acceptedSkips`), the reason matrix.json gives.
    public var knownReason: String?
    /// The ids of the rules it enforces (docs/PROTOCOL.md, docs/PEER-CONTRACT.md).
    public var rules: [String]
    /// Why a check was skipped or not run.
    public var reason: String?
    /// Wall time the check took, nil when it did not run.
    public var seconds: Double?
    /// The message type it is about, from its identity: what `--message` narrows its reproducer to.
    public var message: String? = nil

    public init(
        name: String, status: CheckStatus, failure: CheckFailure? = nil, knownReason: String? = nil, rules: [String] = [],
        reason: String? = nil, seconds: Double? = nil
    ) {
        self.name = name
        self.status = status
        self.failure = failure
        self.knownReason = knownReason
        self.rules = rules
        self.reason = reason
        self.seconds = seconds
    }

    /// A result of the check `id`, named and typed by it.
    public init(
        _ id: CheckID, status: CheckStatus, failure: CheckFailure? = nil, rules: [String] = [], reason: String? = nil,
        seconds: Double? = nil
    ) {
        self.init(name: id.name, status: status, failure: failure, rules: rules, reason: reason, seconds: seconds)
        message = id.messageType
    }
}

extension CheckResult {
    /// A check a peer's contract version cannot take: skipped, with matrix.json's reason when it accepts that.
    init(_ id: CheckID, skipped skip: ContractSkip, rules: [String]) {
        self.init(id, status: .skipped, rules: rules, reason: skip.reason)
        knownReason = skip.accepted
    }

    /// Skipped, and matrix.json does not accept it: the run is not green.
    public var isUnacceptedSkip: Bool { status == .skipped && knownReason == nil }
}

/// The verdict on one client × gateway pair.
public enum CellState: String, Sendable, Hashable, Codable, CaseIterable {
    case pass = "PASS"
    /// Incompatible by design, and refused cleanly at logon.
    case incompatible = "INCOMPATIBLE"
    case fail = "FAIL"
    /// A peer died: its signal or exit code is in `CellResult.problem`.
    case crash = "CRASH"
    /// A peer stopped answering and was killed with its process group.
    case timeout = "TIMEOUT"
    /// Every failure is a listed known failure.
    case known = "KNOWN"
    /// Nothing failed, but a planned check was skipped (a peer's contract version is older than
    /// it needs) and matrix.json's `acceptedSkips` does not accept that: not green.
    case partial = "PARTIAL"
    /// Interrupted before it ran.
    case notRun = "NOT RUN"

    /// Whether the cell is as expected (exit status 0 when every cell is).
    public var isExpected: Bool { self == .pass || self == .incompatible || self == .known }
}

/// The tail of what one peer wrote on stderr, and how it ended.
public struct PeerOutcome: Sendable, Hashable, Codable {
    public var role: String
    public var name: String
    public var argv: [String]
    /// "exit 0", "exit 3", "signal 11 (SIGSEGV)", "killed after timeout", or nil while it ran.
    public var termination: String?
    public var stderrTail: String

    public init(role: String, name: String, argv: [String], termination: String?, stderrTail: String) {
        self.role = role
        self.name = name
        self.argv = argv
        self.termination = termination
        self.stderrTail = stderrTail
    }
}

public struct CellResult: Sendable, Hashable, Codable {
    public var client: String
    public var gateway: String
    public var clientVersion: Int
    public var gatewayVersion: Int
    /// N from the schema's negotiation rule, nil for a by-design incompatible pair.
    public var expectedVersion: Int?
    public var state: CellState
    public var checks: [CheckResult]
    /// For CRASH and TIMEOUT: which peer, and what happened.
    public var problem: String?
    public var peers: [PeerOutcome]
    /// The cell's temporary folder, kept when the cell did not pass.
    public var keptDirectory: String?
    public var seconds: Double
    /// The command that runs this cell again.
    public var reproduce: String
    /// The session profile it ran under (`tgp`, `sbe`): under `sbe` there is no N, each side acts at its own version.
    public var profile: String = "tgp"
    /// Where its time went: each phase's end, in seconds from its start (`compat pair --timeline`).
    public var timeline: [TimelineMark] = []

    public init(
        client: String, gateway: String, clientVersion: Int, gatewayVersion: Int, expectedVersion: Int?,
        state: CellState, checks: [CheckResult], problem: String?, peers: [PeerOutcome],
        keptDirectory: String?, seconds: Double, reproduce: String
    ) {
        self.client = client
        self.gateway = gateway
        self.clientVersion = clientVersion
        self.gatewayVersion = gatewayVersion
        self.expectedVersion = expectedVersion
        self.state = state
        self.checks = checks
        self.problem = problem
        self.peers = peers
        self.keptDirectory = keptDirectory
        self.seconds = seconds
        self.reproduce = reproduce
    }
}

/// The end of one phase of a run (its folder made, its peers started, its checks run, its peers
/// reaped, what left their groups ended, its folder settled), in seconds from the run's start.
public struct TimelineMark: Sendable, Hashable, Codable {
    public var phase: String
    public var seconds: Double
}

public struct MatrixResult: Sendable, Hashable, Codable {
    /// Row and column order of the grid.
    public var clients: [String]
    public var gateways: [String]
    public var cells: [CellResult]
    public var wallSeconds: Double
    public var jobs: Int
    /// knownFailures entries with a wildcard whose every matched check passed.
    public var staleKnownFailures: [StaleKnownFailure]

    public init(
        clients: [String], gateways: [String], cells: [CellResult], wallSeconds: Double, jobs: Int,
        staleKnownFailures: [StaleKnownFailure] = []
    ) {
        self.clients = clients
        self.gateways = gateways
        self.cells = cells
        self.wallSeconds = wallSeconds
        self.jobs = jobs
        self.staleKnownFailures = staleKnownFailures
    }

    public func cell(client: String, gateway: String) -> CellResult? {
        cells.first { $0.client == client && $0.gateway == gateway }
    }

    /// Cells by state, in CellState order.
    public var totals: [(state: CellState, count: Int)] {
        CellState.allCases.map { state in (state, cells.filter { $0.state == state }.count) }.filter { $0.count > 0 }
    }

    public var allExpected: Bool {
        cells.allSatisfy(\.state.isExpected) && !cells.contains { $0.checks.contains { $0.status == .stalePass } }
            && staleKnownFailures.isEmpty
    }
}

extension MatrixResult {
    /// The result of a run stopped early: the cells that finished, and every other one NOT RUN.
    public static func interrupted(
        cells: [(client: String, gateway: String)], finished: [CellResult], config: MatrixConfig,
        seconds: Double, jobs: Int
    ) -> MatrixResult {
        let all = cells.map { cell in
            finished.first { $0.client == cell.client && $0.gateway == cell.gateway }
                ?? {
                    let client = config.peer(named: cell.client)!
                    let gateway = config.peer(named: cell.gateway)!
                    return CellResult(
                        client: cell.client, gateway: cell.gateway, clientVersion: client.version, gatewayVersion: gateway.version,
                        expectedVersion: nil, state: .notRun, checks: [], problem: "interrupted before it finished", peers: [],
                        keptDirectory: nil, seconds: 0, reproduce: "compat pair \(cell.client) \(cell.gateway)")
                }()
        }
        return MatrixResult(
            clients: config.clients.filter { name in cells.contains { $0.client == name } },
            gateways: config.gateways.filter { name in cells.contains { $0.gateway == name } },
            cells: all, wallSeconds: seconds, jobs: jobs)
    }
}
