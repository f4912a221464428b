// `compat bench`: a gateway loaded by a client, each in its own process over the matrix's
// transport, with runs of ours alternating with the raw ZeroMQ baseline in the same two
// processes and sockets, so each figure is a ratio against the transport's floor.

import Foundation
import Histogram
import MiniJSON
import PeerContract
import TGP

/// Why a benchmark could not be made: which peer and what it said.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

public struct BenchRunner {
    public let config: MatrixConfig
    public let samples: SampleBook
    let schema: Schema

    public init(config: MatrixConfig, samples: SampleBook, schema: Schema = .tgp) {
        self.config = config
        self.samples = samples
        self.schema = schema
    }

    /// The version a pair settles on, from the schema's ranges; nil when it cannot log on.
    public func negotiatedVersion(client: String, gateway: String) -> Int? {
        guard let client = config.peer(named: client), let gateway = config.peer(named: gateway),
            let clientRange = schema.peerRanges[client.version], let gatewayRange = schema.peerRanges[gateway.version],
            case .accepted(let version) = Negotiation(client: clientRange, gateway: gatewayRange)
        else { return nil }
        return version
    }

    /// Runs one pair: `options.runs` runs of ours, each followed by one of the baseline.
    public func run(
        client clientName: String, gateway gatewayName: String, options: BenchOptions,
        progress: (String) -> Void = { _ in }
    ) throws -> BenchResult {
        guard let clientSpec = config.peer(named: clientName), let gatewaySpec = config.peer(named: gatewayName) else {
            throw ConfigError("\(config.path): no peer named \(config.peer(named: clientName) == nil ? clientName : gatewayName)")
        }
        guard let version = negotiatedVersion(client: clientName, gateway: gatewayName) else {
            throw ConfigError(
                "\(clientName) (version \(clientSpec.version)) and \(gatewayName) (version \(gatewaySpec.version)) share no version: nothing to measure"
            )
        }
        let plan = try BenchPlan(options: options, samples: samples, schema: schema, version: version)
        let directory = try makeCellFolder(prefix: "compat-bench-\(clientName)-\(gatewayName)")
        CellFolders.shared.started(directory)
        defer { CellFolders.shared.ended(directory) }

        var handles: [PeerHandle] = []
        var failure: Error?
        var ours: [BenchRun] = []
        var raw: [BenchRun] = []
        var load: BenchLoad?
        // How busy the machine is, before the peers start: their whole CPU time is counted at the end.
        let busyBefore = BenchLoad.machineBusySeconds()
        let ownBefore = BenchLoad.ownProcessSeconds()
        let started = Date()
        do {
            let gateway = try PeerHandle(spec: gatewaySpec, role: .gateway, stderrPath: directory + "/gateway.stderr", transcriptPath: nil)
            handles.append(gateway)
            // The client reports every latency before its answer: up to 20 digits and a comma each.
            let client = try PeerHandle(
                spec: clientSpec, role: .client, stderrPath: directory + "/client.stderr", transcriptPath: nil,
                stdoutBudget: StdoutBudget(bytes: StdoutBudget.perPeerMaximum + 21 * options.count))
            handles.append(client)
            // A run may take long; its answer comes at the end.
            let runSeconds =
                options.seconds > 0
                ? options.seconds
                : options.rate > 0 ? Double(options.count) / Double(options.rate) : Double(options.count) / 5_000
            let session = CellSession(
                client: client, gateway: gateway,
                commandTimeout: config.commandTimeout + .seconds(runSeconds + 10),
                cellDeadline: .now + .seconds(3600 * 24), folder: directory)
            let driver = BenchDriver(session: session, names: (clientName, gatewayName))
            try driver.setUp(
                endpoint: config.transport == .ipc ? "ipc://\(directory)/gateway.sock" : "tcp://127.0.0.1:*",
                version: version, allowRemote: options.allowRemote)
            for index in 1...options.runs {
                progress("run \(index)/\(options.runs): tgp")
                ours.append(
                    try driver.measure(
                        plan.request(raw: false, options: options, clientVersion: clientSpec.version),
                        serve: .tgp, replyBytes: plan.replyBytes))
                if options.baseline {
                    progress("run \(index)/\(options.runs): raw zmq")
                    raw.append(
                        try driver.measure(
                            plan.request(raw: true, options: options, clientVersion: clientSpec.version),
                            serve: .raw, replyBytes: plan.replyBytes))
                }
            }
            if let busyBefore, let busyAfter = BenchLoad.machineBusySeconds() {
                load = BenchLoad(
                    machineBusySeconds: busyAfter - busyBefore,
                    ownSeconds: client.process.cpuSeconds + gateway.process.cpuSeconds + BenchLoad.ownProcessSeconds() - ownBefore,
                    wallSeconds: Date().timeIntervalSince(started), cores: ProcessInfo.processInfo.activeProcessorCount)
            }
            _ = try? session.request(.client, .shutdown)
            _ = try? session.request(.gateway, .shutdown)
        } catch {
            failure = error
        }
        for handle in handles where handle.process.termination == nil {
            _ = failure == nil ? handle.process.finish(grace: .milliseconds(500)) : handle.process.kill()
        }
        if let failure {
            let tails = handles.map { "\($0.role.rawValue) \($0.spec.name) stderr:\n\($0.process.stderrTail())" }.joined(separator: "\n")
            try? FileManager.default.removeItem(atPath: directory)
            throw BenchError(message: "bench \(clientName) → \(gatewayName): \(Self.describe(failure))\n\(tails)")
        }
        try? FileManager.default.removeItem(atPath: directory)
        return BenchResult(
            client: clientName, gateway: gatewayName, version: version, options: options,
            frameBytes: plan.frames.map(\.count), replyBytes: plan.replyBytes,
            ours: BenchSeries(runs: ours), raw: options.baseline ? BenchSeries(runs: raw) : nil, load: load)
    }

    static func describe(_ error: Error) -> String {
        (error as? CellAbort)?.description ?? "\(error)"
    }
}

/// The commands of one benchmark, over a cell's session.
private struct BenchDriver {
    let session: CellSession
    let names: (client: String, gateway: String)

    func setUp(endpoint: String, version: Int, allowRemote: Bool) throws {
        try session.connectPeers(endpoint: endpoint, allowRemote: allowRemote)
        let logon = try session.request(.client, .logon(username: "bench", min: nil, max: nil))
        guard case .logonAck(let negotiated, _) = logon.kind, negotiated == version else {
            throw BenchError(message: "the client \(names.client) should log on at version \(version): \(logon.json.serialized)")
        }
        session.clearInboxes()
    }

    func measure(_ request: BenchRequest, serve mode: BenchServeMode, replyBytes: Int) throws -> BenchRun {
        let served = try session.request(.gateway, .benchServe(mode: mode, replyBytes: replyBytes))
        guard case .ok = served.kind else { throw unexpected(served, to: "bench_serve", by: .gateway) }
        let cpuBefore = (client: session.client.process.cpuSeconds, gateway: session.gateway.process.cpuSeconds)
        let done = try session.request(.client, .bench(request))
        let cpuAfter = (client: session.client.process.cpuSeconds, gateway: session.gateway.process.cpuSeconds)
        guard case .benchDone(let sent, let answered, let seconds) = done.kind else { throw unexpected(done, to: "bench", by: .client) }
        var histogram = BenchRun.emptyHistogram()
        for event in session.takeEvents(.client, where: { if case .benchLatencies = $0.kind { true } else { false } }) {
            guard case .benchLatencies(let nanoseconds) = event.kind else { continue }
            for value in nanoseconds { histogram.record(min(value, histogram.highestTrackableValue)) }
        }
        guard answered == sent else {
            throw BenchError(message: "\(mode.rawValue) run: the gateway \(names.gateway) answered \(answered) of \(sent) messages")
        }
        session.clearInboxes()
        return BenchRun(
            histogram: histogram, sent: sent, seconds: seconds,
            clientCPU: cpuAfter.client - cpuBefore.client, gatewayCPU: cpuAfter.gateway - cpuBefore.gateway)
    }

    private func unexpected(_ event: Event, to command: String, by role: Role) -> BenchError {
        let name = role == .client ? names.client : names.gateway
        if case .error(let message) = event.kind, message.contains("unknown command") {
            return BenchError(
                message: "the \(role.rawValue) \(name) does not support the benchmark commands of the peer contract (\(message))")
        }
        return BenchError(message: "the \(role.rawValue) \(name) answered \(command) with \(event.json.serialized)")
    }
}

extension PeerProcess {
    /// CPU time (user and system, every thread, ZeroMQ's I/O thread too) the process has
    /// used so far, from /proc/PID/stat; its resolution is the clock tick (10 ms).
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return 0 }
        // After the command name come field 3 (state) on: utime is field 14, stime 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
