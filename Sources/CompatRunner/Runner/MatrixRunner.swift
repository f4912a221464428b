// Runs cells: each client × gateway pair in two processes of its own and a private
// temporary folder, several pairs at once on worker threads.

import Foundation
import Synchronization
import TGP

public struct RunOptions: Sendable {
    public var jobs: Int
    public var selection: CheckSelection
    /// How `compat pair` is spelled for the reproducer (the matrix file when not the default).
    public var reproducePrefix: String
    /// Where cells make their private folders (default: $TMPDIR or /tmp; see TemporaryRoot).
    public var temporaryRoot: String?
    /// Lets a gateway report an endpoint that is neither ipc nor loopback.
    public var allowRemote = false
    /// `--capture DIR`: every cell's capture is written there too.
    public var captureFolder: String?
    /// Each worker and the peers its cells start keep to a CPU of their own, when every worker
    /// can have one (`--no-pin` turns it off; see `CellPinning`).
    public var pinCells = true

    /// How many workers run `cells` cells, and whether they are pinned: what `run` does, for reports too.
    public func workers(forCells cells: Int) -> (count: Int, pinned: Bool) {
        let count = min(jobs, max(1, cells))
        return (count, pinCells && CellPinning.pays(workers: count))
    }

    public init(
        jobs: Int, selection: CheckSelection = CheckSelection(), reproducePrefix: String = "compat pair", temporaryRoot: String? = nil
    ) {
        self.jobs = max(1, jobs)
        self.selection = selection
        self.reproducePrefix = reproducePrefix
        self.temporaryRoot = temporaryRoot
    }
}

public struct MatrixRunner: Sendable {
    /// Its peers' programs may be set after it is made (peers built from a commit): plans do not depend on them.
    public var config: MatrixConfig
    public let samples: SampleBook
    public let schema: Schema
    /// Each cell's plan, made once and shared by validation, sharding, listing and execution.
    private let plans = PlanCache()

    /// `schema` stands in for the matrix's own (a test's edited schema); by default it is the matrix's.
    public init(config: MatrixConfig, samples: SampleBook, schema: Schema? = nil) {
        self.config = config
        self.samples = samples
        self.schema = schema ?? config.schema
        peerSamples = config.peerSchemas.mapValues(SchemaSamples.book(for:))
    }

    /// The samples of each peer that names its own schema file, made from that file once.
    private let peerSamples: [String: SampleBook]

    /// Runs the given cells (client name, gateway name), `options.jobs` at a time; `progress` sees each as it ends.
    public func run(
        cells: [(client: String, gateway: String)], options: RunOptions,
        progress: @escaping @Sendable (CellResult) -> Void = { _ in }
    ) -> MatrixResult {
        let started = ContinuousClock.now
        let results = Mutex<[Int: CellResult]>([:])
        let workers = options.workers(forCells: cells.count)
        concurrentlyForEach(cells.count, workers: workers.count, pinned: workers.pinned) { index in
            let result = runCell(client: cells[index].client, gateway: cells[index].gateway, options: options)
            results.withLock { $0[index] = result }
            progress(result)
        }
        let ordered = results.withLock { finished in cells.indices.compactMap { finished[$0] } }
        let clientsRun = Set(cells.map(\.client))
        let gatewaysRun = Set(cells.map(\.gateway))
        let clients = config.clients.filter(clientsRun.contains)
        let gateways = config.gateways.filter(gatewaysRun.contains)
        return MatrixResult(
            clients: clients, gateways: gateways, cells: ordered, wallSeconds: (ContinuousClock.now - started).seconds, jobs: workers.count,
            staleKnownFailures: staleWildcardEntries(config.knownFailures, in: ordered))
    }

    /// One cell, start to finish: nothing of it is left running, and its folder is removed unless it failed.
    public func runCell(client clientName: String, gateway gatewayName: String, options: RunOptions) -> CellResult {
        let lifecycle = PeerLifecycle(
            config: config, temporaryRoot: options.temporaryRoot, reaping: .spareThoseStillAnswering, captureFolder: options.captureFolder,
            stdoutBudget: StdoutBudget(peersAtOnce: 2 * options.jobs))
        let clientSpec = config.peer(named: clientName)!
        let gatewaySpec = config.peer(named: gatewayName)!
        let cellPlan = plan(client: clientSpec, gateway: gatewaySpec)
        var named = CellResult(
            client: clientName, gateway: gatewayName, clientVersion: clientSpec.version, gatewayVersion: gatewaySpec.version,
            expectedVersion: cellPlan.negotiated, state: .pass, checks: [], problem: nil, peers: [], keptDirectory: nil,
            seconds: 0, reproduce: "\(options.reproducePrefix) \(clientName) \(gatewayName)")
        named.profile = config.profile.rawValue
        // A pair the negotiation rule gives no N is incompatible by design: when none of its checks failed, it was refused cleanly.
        let refusedByDesign = cellPlan.negotiated == nil && cellPlan.negotiation != nil
        return lifecycle.run(
            named, folderPrefix: "compat-\(clientName)-\(gatewayName)", whenNothingFailed: refusedByDesign ? .incompatible : .pass
        ) { peers throws(SpawnError) in
            let gateway = try peers.start(gatewaySpec, as: .gateway, files: "gateway")
            let client = try peers.start(clientSpec, as: .client, files: "client")
            let session = CellSession(
                client: client, gateway: gateway, commandTimeout: peers.commandTimeout, cellDeadline: peers.deadline, folder: peers.folder,
                frameWaits: config.frameWaits)
            let executor = CellExecutor(
                schema: schema, samples: samples, plan: cellPlan, selection: options.selection, session: session,
                endpoint: peers.endpoint, allowRemote: options.allowRemote,
                peerSchemas: [.client: config.schema(of: clientName), .gateway: config.schema(of: gatewayName)],
                acceptedSkips: config.acceptedSkips)
            return ScenarioRun(
                execute: executor.run, checks: { _ in applyKnownFailures(to: executor.results, client: clientName, gateway: gatewayName) })
        }
    }

    /// The checks a cell of these two peers runs, from the schema and samples alone.
    public func plan(client: PeerSpec, gateway: PeerSpec) -> CheckPlan {
        plans.plan(client: client.name, gateway: gateway.name) { makePlan(client: client, gateway: gateway) }
    }

    private func makePlan(client: PeerSpec, gateway: PeerSpec) -> CheckPlan {
        let peers = CellPeers(client: client, gateway: gateway)
        guard config.profile == .sbe else { return CheckPlan(schema: schema, samples: samples, peers: peers) }
        let sides = PlainSides(
            client: (config.schema(of: client.name), client.version), gateway: (config.schema(of: gateway.name), gateway.version))
        let books = [Role.client: samples(for: client), .gateway: samples(for: gateway)]
        return CheckPlan(plain: sides, samples: { books[$0]! }, peers: peers)
    }

    /// The samples a peer sends from: the matrix's, or those of the schema file it names.
    func samples(for peer: PeerSpec) -> SampleBook { peerSamples[peer.name] ?? samples }

    /// A failure listed in knownFailures becomes KNOWN; a check listed by its exact name that
    /// passed is stale, unless its entry says it fails in some runs only. One a wildcard lists
    /// that passed stays a pass: whether the wildcard entry is stale is judged over the whole
    /// run (`staleWildcardEntries`).
    func applyKnownFailures(to checks: [CheckResult], client: String, gateway: String) -> [CheckResult] {
        let listed = CellKnownFailures(config.knownFailures, client: client, gateway: gateway)
        return checks.map { check in
            guard let known = listed.first(listing: check.name) else { return check }
            var updated = check
            switch check.status {
            case .failed: updated.status = .knownFailure
            case .passed where known.intermittent || known.isWildcard: return check
            case .passed: updated.status = .stalePass
            default: break
            }
            updated.knownReason = known.reason
            return updated
        }
    }
}

/// Cell plans by client and gateway name, each made on first use.
final class PlanCache: Sendable {
    private let plans = Mutex<[String: CheckPlan]>([:])

    func plan(client: String, gateway: String, make: () -> CheckPlan) -> CheckPlan {
        let key = CheckName.cellPrefix(client: client, gateway: gateway)
        if let plan = plans.withLock({ $0[key] }) { return plan }
        let plan = make()
        plans.withLock { $0[key] = plan }
        return plan
    }
}

/// Calls `body` for 0..<count on `workers` threads, each taking the next index, and waits for all.
/// Real threads: a cell blocks in poll(2) while its peers work, which must not starve Swift's cooperative pool.
/// `pinned`: worker k keeps to the k-th CPU this process may run on, and runs there as batch
/// work (see `CellPinning`).
func concurrentlyForEach(_ count: Int, workers: Int, pinned: Bool = false, _ body: @escaping @Sendable (Int) -> Void) {
    let next = Atomic<Int>(0)
    let done = DispatchGroup()
    for worker in 0..<workers {
        done.enter()
        Thread.detachNewThread {
            defer { done.leave() }
            // Pinning and batch scheduling only save time: where the system refuses, the worker runs as it may.
            if pinned {
                try? pinCurrentThread(toAllowedCPU: worker)
                try? scheduleCurrentThreadAsBatch()
            }
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                body(index)
            }
        }
    }
    done.wait()
}

/// A new folder only this user can enter (mode 0700), for a cell's ipc endpoints and logs.
func makePrivateDirectory(prefix: String, in root: String? = nil) throws -> String {
    let base = root ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw ConfigError("cannot create a temporary folder in \(base): \(String(cString: strerror(errno)))")
    }
    return String(cString: made)
}

extension Duration {
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    /// Whole milliseconds, rounded.
    var milliseconds: Int { Int((seconds * 1000).rounded()) }
}

extension MatrixRunner {
    /// The floor a run is measured against: the same cells' peers started, told to shut
    /// down and reaped, on as many workers, with no checks. Returns the wall time in seconds.
    /// Never pinned: a cell's two peers then start side by side on two CPUs, the cheaper way
    /// when nothing else runs, so the floor is the lower of the two.
    public func startStopFloor(cells: [(client: String, gateway: String)], jobs: Int) throws -> Double {
        let started = ContinuousClock.now
        let failure = Mutex<String?>(nil)
        concurrentlyForEach(cells.count, workers: min(max(1, jobs), max(1, cells.count))) { index in
            do {
                let directory = try makeCellFolder(prefix: "compat-floor")
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let peers = try [(cells[index].gateway, "gateway"), (cells[index].client, "client")].map { name, role in
                    try PeerProcess(
                        argv: config.peer(named: name)!.resolvedArgv, arguments: ["--role", role],
                        stderrPath: "\(directory)/\(role).stderr",
                        workingDirectory: config.peer(named: name)!.folder)
                }
                for peer in peers {
                    try peer.send(line: #"{"id":1,"cmd":"shutdown"}"#, deadline: .now + config.commandTimeout)
                    _ = try peer.readLine(deadline: .now + config.commandTimeout)
                }
                for peer in peers where !peer.finish(grace: .seconds(5)).isCleanExit {
                    failure.withLock { $0 = "\(peer.commandLine.joined(separator: " ")) did not exit 0" }
                }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        if let message = failure.withLock({ $0 }) { throw ConfigError("floor: \(message)") }
        return (ContinuousClock.now - started).seconds
    }
}
