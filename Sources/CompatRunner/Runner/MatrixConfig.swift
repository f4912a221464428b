// matrix.json: which peers make up the matrix, in which roles, with which timeouts,
// transport and known failures. Read strictly: a wrong file is exit 2 with the key named.

import Foundation
import MiniJSON
import SchemaXML
import TGP

/// A configuration problem: what to fix, in which file and key. Exit status 2.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// One program in the matrix: a TGP implementation of one version.
public struct PeerSpec: Sendable, Hashable {
    public let name: String
    public let version: Int
    /// As written in matrix.json; empty for a peer built from a git commit.
    public let argv: [String]
    /// argv with the program resolved: relative to the matrix file's folder, or found on PATH;
    /// for a peer built from a commit, its cached binary once `PeerBuilder` has built it (empty before).
    public internal(set) var resolvedArgv: [String]
    /// Where a peer that is built from a git commit comes from; nil for a program named by argv.
    public let build: PeerBuildSpec?
    /// The schema file the peer was built from, when it is not the matrix's (`"schema"` of a peer).
    public var schemaPath: String? = nil
    /// Where it starts: the matrix file's folder, so relative paths among its arguments mean what they say there.
    public var folder: String? = nil

    /// The longest name: names go into every check name, and cell folder names are bounded.
    public static let nameLimit = 64
}

public struct KnownFailure: Sendable, Hashable {
    public let client: String
    public let gateway: String
    /// A check name pattern (`*` matches anything), either the whole name or the part after `client=…/gateway=…/`.
    public let check: String
    public let reason: String
    /// It fails in some runs only (e.g. a released peer's answers whose order varies): a run in
    /// which it passes does not make the entry stale.
    public let intermittent: Bool
    /// The three patterns, compiled once: a long list is matched against every check of every cell.
    let clientPattern: Glob
    let gatewayPattern: Glob
    let checkPattern: Glob

    public init(client: String, gateway: String, check: String, reason: String, intermittent: Bool = false) {
        self.client = client
        self.gateway = gateway
        self.check = check
        self.reason = reason
        self.intermittent = intermittent
        clientPattern = Glob(client)
        gatewayPattern = Glob(gateway)
        checkPattern = Glob(check)
    }

    /// Whether its check is a pattern (`*`) rather than one check's name.
    public var isWildcard: Bool { !checkPattern.isLiteral }

    public func matches(_ checkName: String, client: String, gateway: String) -> Bool {
        applies(client: client, gateway: gateway)
            && matchesCheck(checkName, cellPrefix: CheckName.cellPrefix(client: client, gateway: gateway))
    }

    /// Whether it is about the cell of these two peers.
    func applies(client: String, gateway: String) -> Bool {
        clientPattern.matches(client) && gatewayPattern.matches(gateway)
    }

    /// Whether `check` matches a name of the cell whose names start with `cellPrefix`, whole or after the prefix.
    func matchesCheck(_ name: String, cellPrefix: String) -> Bool {
        checkPattern.matches(name) || (name.hasPrefix(cellPrefix) && checkPattern.matches(String(name.dropFirst(cellPrefix.count))))
    }
}

public enum Transport: String, Sendable, Hashable {
    case ipc, tcp
}

public struct MatrixConfig: Sendable {
    /// The file it was read from.
    public let path: String
    /// The folder `path` is in: where relative programs and the repository of `build` peers are found.
    public let folder: String
    public private(set) var peers: [PeerSpec]
    /// Names of the peers that play each role, in grid order.
    public private(set) var clients: [String]
    public private(set) var gateways: [String]

    /// The matrix with only these clients and gateways in their roles (a gate narrowed as `matrix run` is).
    public func narrowed(clients: [String], gateways: [String]) -> MatrixConfig {
        var config = self
        config.clients = clients
        config.gateways = gateways
        return config
    }
    /// A whole cell may take this long before its peers are killed.
    public let pairTimeout: Duration
    /// One command may wait this long for its answer.
    public let commandTimeout: Duration
    /// How long a frame a peer owes is waited for, within `commandTimeout` (FrameWaits).
    public let frameWaits: FrameWaits.Policy
    public let transport: Transport
    public let knownFailures: [KnownFailure]
    /// The peers whose older contract version is accepted: their skipped checks do not fail the run.
    public let acceptedSkips: AcceptedSkips
    /// The client versions each gateway must serve (`compat upgrade`, `compat plan upgrade`).
    public let support: [SupportEntry]
    /// The protocol: the schema file `"schema"` names (TGP's, built in, without one) and the
    /// session profile (`"profile"`, else the schema's sidecar's).
    public let schema: Schema
    public let profile: SessionProfile
    /// The schema file, as resolved from the matrix's folder; nil for TGP's built-in schema.
    public let schemaPath: String?
    /// The schema each peer that names its own was built from, by peer name.
    public let peerSchemas: [String: Schema]

    /// The schema a peer was built from: its own, or the matrix's.
    public func schema(of peer: String) -> Schema { peerSchemas[peer] ?? schema }

    /// Each peer's position in `peers`, by name.
    private let peerIndex: [String: Int]

    public func peer(named name: String) -> PeerSpec? { peerIndex[name].map { peers[$0] } }

    /// The peers built from a commit run from their cached binaries: `programs` by peer name.
    public mutating func useBuiltPrograms(_ programs: [String: String]) {
        for (name, program) in programs {
            if let index = peerIndex[name] { peers[index].resolvedArgv = [program] + (peers[index].build?.arguments ?? []) }
        }
    }

    /// The most peers a matrix file may list: loading stays linear up to here (ScaleTests).
    public static let peerLimit = 200_000
    /// The most cells one run may have (before --shard splits it): 50 clients × 50 gateways. Every
    /// cell is planned, run and reported, and a merge reads every shard's results back.
    public static let cellLimit = 2_500

    /// Refuses a run of `clients` × `gateways` cells over `cellLimit`, before any is listed.
    public func requireCellLimit(clients: Int, gateways: Int) throws(ConfigError) {
        let (cells, overflow) = clients.multipliedReportingOverflow(by: gateways)
        guard overflow || cells > Self.cellLimit else { return }
        throw ConfigError(
            "\(path): \(clients) clients × \(gateways) gateways make \(overflow ? "too many" : String(cells)) cells, over the "
                + "\(Self.cellLimit) a run may have: choose fewer with --clients and --gateways, or with the file's "
                + "\"clients\" and \"gateways\"")
    }

    /// Reads and checks a matrix file against the schema (versions must exist).
    public static func load(path: String, schema: Schema = .tgp) throws(ConfigError) -> MatrixConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("\(path): cannot read the matrix file (use --matrix FILE)")
        }
        let json: JSON
        do {
            json = try JSON.parse(Array(data))
        } catch {
            throw ConfigError("\(path): \(error)")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try MatrixConfig(json: json, path: path, folder: folder, schema: schema)
    }

    init(json: JSON, path: String, folder: String, schema: Schema) throws(ConfigError) {
        func fail(_ key: String, _ problem: String) -> ConfigError { ConfigError("\(path): \(key): \(problem)") }
        guard let root = json.objectValue else { throw fail("(top level)", "must be an object, got \(json.typeName)") }
        let topKeys: Set = [
            "peers", "clients", "gateways", "timeouts", "transport", "knownFailures", "acceptedSkips", "support", "schema", "profile",
        ]
        for key in root.keys where !topKeys.contains(key) {
            throw fail(key, "unknown key (expected one of \(topKeys.sorted().joined(separator: ", ")))")
        }
        var schemas = SchemaFiles(folder: folder)
        let protocolFile = try root["schema"].map { json throws(ConfigError) in try schemas.load(json, key: "schema", fail: fail) }
        let schema = protocolFile?.schema ?? schema
        var profile = protocolFile?.profile ?? .tgp
        if let profileJSON = root["profile"] {
            guard let name = profileJSON.stringValue, let named = SessionProfile(rawValue: name) else {
                throw fail(
                    "profile",
                    "must be one of \(SessionProfile.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \(profileJSON.serialized)"
                )
            }
            profile = named
        }
        guard protocolFile != nil || profile == .tgp else {
            throw fail("profile", "\"\(profile.rawValue)\" needs the protocol's schema: add \"schema\": \"path/to/schema.xml\"")
        }
        var peerSchemas: [String: Schema] = [:]

        guard let peersJSON = root["peers"] else {
            throw fail(
                "peers",
                "missing: list the peers, e.g. {\"name\": \"v3\", \"version\": 3, \"argv\": [\"path/to/peer\", \"--schema-version\", \"3\"]}"
            )
        }
        guard let peerList = peersJSON.arrayValue, !peerList.isEmpty else { throw fail("peers", "must be a non-empty array") }
        guard peerList.count <= Self.peerLimit else {
            throw fail("peers", "\(peerList.count) peers, over the \(Self.peerLimit) a matrix file may list")
        }
        var peers: [PeerSpec] = []
        var peerIndex: [String: Int] = [:]
        for (index, peerJSON) in peerList.enumerated() {
            let key = "peers[\(index)]"
            guard let peer = peerJSON.objectValue else { throw fail(key, "must be an object, got \(peerJSON.typeName)") }
            for peerKey in peer.keys where !["name", "version", "argv", "build", "schema"].contains(peerKey) {
                throw fail("\(key).\(peerKey)", "unknown key (expected name, version, argv or build, and schema)")
            }
            guard let name = peer["name"]?.stringValue, !name.isEmpty else { throw fail("\(key).name", "must be a non-empty string") }
            guard name.count <= PeerSpec.nameLimit else {
                throw fail(
                    "\(key).name",
                    "is \(name.count) characters long; at most \(PeerSpec.nameLimit) (it is part of every check name and cell folder name)")
            }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
                throw fail("\(key).name", "\"\(name)\" may hold only letters, digits, '-', '_', '.' and '@' (it is part of check names)")
            }
            guard !name.hasPrefix("-") else {
                throw fail("\(key).name", "\"\(name)\" may not start with '-' (compat pair would read it as an option)")
            }
            guard peerIndex[name] == nil else { throw fail("\(key).name", "\"\(name)\" is used twice") }
            peerIndex[name] = index
            guard let version = peer["version"]?.intValue else { throw fail("\(key).version", "must be an integer") }
            let ownSchema = try peer["schema"].map { json throws(ConfigError) in try schemas.load(json, key: "\(key).schema", fail: fail) }
            if let ownSchema { peerSchemas[name] = ownSchema.schema }
            let peerSchema = ownSchema?.schema ?? schema
            guard peerSchema.peerRanges[version] != nil else {
                throw fail(
                    "\(key).version",
                    "\(version) is not a released version of \(ownSchema?.path ?? protocolFile?.path ?? "TGP") (\(peerSchema.versions.map(String.init).joined(separator: ", ")))"
                )
            }
            switch (peer["argv"], peer["build"]) {
            case (nil, let buildJSON?):
                let build = try PeerBuildSpec(json: buildJSON, key: "\(key).build", peer: name, fail: fail)
                peers.append(
                    PeerSpec(
                        name: name, version: version, argv: [], resolvedArgv: [], build: build, schemaPath: ownSchema?.path, folder: folder)
                )
            case (let argvJSON?, nil):
                guard let argvList = argvJSON.arrayValue else {
                    throw fail("\(key).argv", "must be an array of strings (never a shell string)")
                }
                let argv = argvList.compactMap(\.stringValue)
                guard argv.count == argvList.count, !argv.isEmpty, !argv[0].isEmpty else {
                    throw fail("\(key).argv", "must be a non-empty array of strings, the program first")
                }
                peers.append(
                    PeerSpec(
                        name: name, version: version, argv: argv, resolvedArgv: Self.resolve(argv: argv, from: folder),
                        build: nil, schemaPath: ownSchema?.path, folder: folder))
            case (nil, nil):
                throw fail("\(key).argv", "missing: give argv (the program to run) or build ({\"ref\": COMMIT, \"product\": \"peer-v3\"})")
            case (_?, _?):
                throw fail("\(key).build", "a peer has argv or build, not both")
            }
        }

        func names(_ key: String) throws(ConfigError) -> [String] {
            guard let value = root[key] else { return peers.map(\.name) }
            guard let list = value.arrayValue else { throw fail(key, "must be an array of peer names") }
            // An empty role makes a matrix of no cells, which every command would pass.
            guard !list.isEmpty else { throw fail(key, "is empty: name at least one peer, or leave the key out for every peer") }
            var result: [String] = []
            var listed: Set<String> = []
            for (index, item) in list.enumerated() {
                guard let name = item.stringValue, peerIndex[name] != nil else {
                    throw fail(
                        "\(key)[\(index)]", "\(item.serialized) is not the name of a peer (\(peers.map(\.name).joined(separator: ", ")))")
                }
                guard listed.insert(name).inserted else { throw fail("\(key)[\(index)]", "\"\(name)\" is listed twice") }
                result.append(name)
            }
            return result
        }
        clients = try names("clients")
        gateways = try names("gateways")

        var pairTimeout = Duration.seconds(60)
        var commandTimeout = Duration.seconds(5)
        var frameWaits = FrameWaits.Policy()
        if let timeouts = root["timeouts"] {
            guard let object = timeouts.objectValue else {
                throw fail("timeouts", "must be an object with pairSeconds, commandSeconds, frameWaitFloorSeconds or frameWaitMultiple")
            }
            for (key, value) in object {
                if key == "frameWaitMultiple" {
                    guard let multiple = value.intValue, (1...1000).contains(multiple) else {
                        throw fail("timeouts.\(key)", "must be a whole number from 1 to 1000")
                    }
                    frameWaits.multiple = multiple
                    continue
                }
                guard let seconds = value.doubleValue, seconds > 0, seconds <= 3600 else {
                    throw fail("timeouts.\(key)", "must be a number of seconds above 0 and at most 3600")
                }
                switch key {
                case "pairSeconds": pairTimeout = .milliseconds(Int64(seconds * 1000))
                case "commandSeconds": commandTimeout = .milliseconds(Int64(seconds * 1000))
                case "frameWaitFloorSeconds": frameWaits.floor = .milliseconds(Int64(seconds * 1000))
                default:
                    throw fail(
                        "timeouts.\(key)", "unknown key (expected pairSeconds, commandSeconds, frameWaitFloorSeconds, frameWaitMultiple)")
                }
            }
        }
        self.pairTimeout = pairTimeout
        self.commandTimeout = commandTimeout
        self.frameWaits = frameWaits

        if let transportJSON = root["transport"] {
            guard let name = transportJSON.stringValue, let parsed = Transport(rawValue: name) else {
                throw fail("transport", "must be \"ipc\" or \"tcp\" (loopback), got \(transportJSON.serialized)")
            }
            transport = parsed
        } else {
            transport = .ipc
        }

        var known: [KnownFailure] = []
        if let knownJSON = root["knownFailures"] {
            guard let list = knownJSON.arrayValue else { throw fail("knownFailures", "must be an array") }
            for (index, item) in list.enumerated() {
                let key = "knownFailures[\(index)]"
                guard let entry = item.objectValue else { throw fail(key, "must be an object {client, gateway, check, reason}") }
                for entryKey in entry.keys where !["client", "gateway", "check", "reason", "intermittent"].contains(entryKey) {
                    throw fail("\(key).\(entryKey)", "unknown key (expected client, gateway, check, reason, intermittent)")
                }
                var intermittent = false
                if let flag = entry["intermittent"] {
                    guard let value = flag.boolValue else { throw fail("\(key).intermittent", "must be true or false") }
                    intermittent = value
                }
                var fields: [String: String] = [:]
                for field in ["client", "gateway", "check", "reason"] {
                    guard let text = entry[field]?.stringValue, !text.isEmpty else {
                        throw fail("\(key).\(field)", "must be a non-empty string")
                    }
                    fields[field] = text
                }
                // A name, or a pattern that matches one (`*`, `*@r1`: every peer of a release).
                for role in ["client", "gateway"] where fields[role] != "*" && peerIndex[fields[role]!] == nil {
                    let pattern = Glob(fields[role]!)
                    guard !pattern.isLiteral, peers.contains(where: { pattern.matches($0.name) }) else {
                        throw fail(
                            "\(key).\(role)",
                            "\"\(fields[role]!)\" is not the name of a peer" + (pattern.isLiteral ? "" : " nor a pattern matching one"))
                    }
                }
                known.append(
                    KnownFailure(
                        client: fields["client"]!, gateway: fields["gateway"]!, check: fields["check"]!, reason: fields["reason"]!,
                        intermittent: intermittent))
            }
        }
        knownFailures = known
        support = try Self.support(root["support"], peers: peers, fail: fail)
        acceptedSkips = try AcceptedSkips.parse(root["acceptedSkips"], peers: peers, fail: fail)
        self.schema = schema
        self.profile = profile
        self.schemaPath = protocolFile?.path
        self.peerSchemas = peerSchemas
        self.path = path
        self.folder = folder
        self.peers = peers
        self.peerIndex = peerIndex
    }

    /// `"support": [{"gateway": "v5", "clients": ["v3", "v4", "v5"]}]`, every name a peer.
    static func support(_ json: JSON?, peers: [PeerSpec], fail: (String, String) -> ConfigError) throws(ConfigError) -> [SupportEntry] {
        guard let json else { return [] }
        let names = Set(peers.map(\.name))
        var entries: [SupportEntry] = []
        let objects = try objectList(
            json, named: "support", keys: ["gateway", "clients"], shape: "{\"gateway\": NAME, \"clients\": [NAME, …]}", fail: fail)
        for (key, entry) in objects {
            guard let gateway = entry["gateway"]?.stringValue, names.contains(gateway) else {
                throw fail("\(key).gateway", "must name a peer (\(peers.map(\.name).joined(separator: ", ")))")
            }
            guard let clientList = entry["clients"]?.arrayValue else { throw fail("\(key).clients", "must be an array of peer names") }
            var clients: [String] = []
            for (position, client) in clientList.enumerated() {
                guard let name = client.stringValue, names.contains(name) else {
                    throw fail("\(key).clients[\(position)]", "\(client.serialized) is not the name of a peer")
                }
                clients.append(name)
            }
            entries.append(SupportEntry(gateway: gateway, clients: clients))
        }
        return entries
    }

    /// The objects of a matrix key that is an array of objects with only `keys`, each with its
    /// place (`support[2]`) for error messages; exit 2 naming the key or the entry otherwise.
    static func objectList(
        _ json: JSON, named name: String, keys: [String], shape: String, fail: (String, String) -> ConfigError
    ) throws(ConfigError) -> [(key: String, entry: JSONObject)] {
        guard let list = json.arrayValue else { throw fail(name, "must be an array of \(shape)") }
        var objects: [(key: String, entry: JSONObject)] = []
        for (index, item) in list.enumerated() {
            let key = "\(name)[\(index)]"
            guard let entry = item.objectValue else { throw fail(key, "must be an object {\(keys.joined(separator: ", "))}") }
            for entryKey in entry.keys where !keys.contains(entryKey) {
                throw fail("\(key).\(entryKey)", "unknown key (expected \(keys.joined(separator: ", ")))")
            }
            objects.append((key, entry))
        }
        return objects
    }

    /// A program with a slash is relative to the matrix file's folder; a bare name is looked up on PATH.
    /// argv resolved: the program as `resolve` finds it, and every argument naming a file or folder
    /// that exists relative to the matrix's folder made absolute, so the peer runs from anywhere
    /// (`["java", "-jar", "peer.jar"]`). Options (`-…`) and absolute paths are left as written.
    static func resolve(argv: [String], from folder: String) -> [String] {
        [resolve(argv[0], from: folder)]
            + argv.dropFirst().map { argument in
                guard !argument.isEmpty, !argument.hasPrefix("/"), !argument.hasPrefix("-") else { return argument }
                let path = URL(fileURLWithPath: folder).appendingPathComponent(argument).standardizedFileURL.path
                return FileManager.default.fileExists(atPath: path) ? path : argument
            }
    }

    static func resolve(_ program: String, from folder: String) -> String {
        if program.hasPrefix("/") { return program }
        if program.contains("/") { return URL(fileURLWithPath: folder).appendingPathComponent(program).standardizedFileURL.path }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return program
    }

    /// Every peer that will run must be an executable program: checked before any cell starts.
    public func validatePrograms(for names: Set<String>) throws(ConfigError) {
        for peer in peers where names.contains(peer.name) {
            guard let program = peer.resolvedArgv.first else {
                throw ConfigError(
                    "\(path): peer \"\(peer.name)\": built from \(peer.build?.ref ?? "a commit") but not built yet (compat peers build --matrix \(path))"
                )
            }
            if let problem = Executable.problem(program) {
                let missing = !FileManager.default.fileExists(atPath: program)
                let hint = missing && program.contains("/.build/") ? " (build the peers first: swift build -c release)" : ""
                throw ConfigError("\(path): peer \"\(peer.name)\": program \(program) \(problem)\(hint)")
            }
        }
    }
}

/// A `*` wildcard pattern over a whole string.
public struct Glob: Sendable, Hashable {
    /// As written.
    public let pattern: String
    let parts: [Substring]
    /// `parts` as UTF-8: matching runs for every check of every cell, and byte comparison keeps it
    /// cheap (check names are compared as written, not as Unicode-equivalent text).
    private let partBytes: [[UInt8]]

    public init(_ pattern: String) {
        self.pattern = pattern
        parts = pattern.split(separator: "*", omittingEmptySubsequences: false)
        partBytes = parts.map { Array($0.utf8) }
    }

    /// Without a wildcard: it matches its own text only.
    var isLiteral: Bool { parts.count == 1 }
    /// `*`: it matches everything.
    var matchesEverything: Bool { parts.allSatisfy(\.isEmpty) }

    public func matches(_ text: String) -> Bool {
        guard parts.count > 1 else { return text == pattern }
        var text = text
        return text.withUTF8 { matches(bytes: $0) }
    }

    private func matches(bytes text: UnsafeBufferPointer<UInt8>) -> Bool {
        let head = partBytes[0]
        let tail = partBytes[partBytes.count - 1]
        guard text.count >= head.count + tail.count, text.starts(with: head) else { return false }
        var from = head.count
        let end = text.count - tail.count
        for middle in partBytes.dropFirst().dropLast() where !middle.isEmpty {
            guard let found = Self.firstOffset(of: middle, in: text, from: from, end: end) else { return false }
            from = found + middle.count
        }
        return text[end...].elementsEqual(tail)
    }

    /// Where `needle` first lies wholly inside `text[from..<end]`.
    private static func firstOffset(of needle: [UInt8], in text: UnsafeBufferPointer<UInt8>, from: Int, end: Int) -> Int? {
        guard end - from >= needle.count else { return nil }
        for start in from...(end - needle.count) where text[start] == needle[0] {
            if text[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }
}
