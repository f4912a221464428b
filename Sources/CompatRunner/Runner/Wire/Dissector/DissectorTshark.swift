// Running tshark for `compat dissector verify`: the Lua and a capture of the frames in a
// temporary folder (removed afterwards), tshark's JSON read into one layer per packet.

import Foundation
import MiniJSON

enum DissectorTshark {
    /// The path of `program` (a path, or a name found on PATH); a ConfigError (exit 2) when there is none.
    static func resolve(_ program: String) throws(ConfigError) -> String {
        let manager = FileManager.default
        if program.contains("/") {
            guard manager.isExecutableFile(atPath: program) else { throw ConfigError("--tshark \(program): not an executable file") }
            return program
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where manager.isExecutableFile(atPath: "\(folder)/\(program)") {
            return "\(folder)/\(program)"
        }
        throw ConfigError("\(program) is not on PATH: install Wireshark's tshark (Debian: apt-get install tshark) or give --tshark PATH")
    }

    /// tshark's layer of the dissector for each packet of a capture of `frames` (nil where it shows none).
    static func layers(of frames: [CheckedFrame], source: DissectorSource, program: String) throws(ConfigError) -> [JSON?] {
        let folder = NSTemporaryDirectory() + "compat-dissector-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ConfigError("cannot make a temporary folder \(folder): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/\(source.name).lua"
        let capture = folder + "/frames.pcapng"
        guard FileManager.default.createFile(atPath: script, contents: Data(source.lua.utf8)) else {
            throw ConfigError("cannot write \(script)")
        }
        let wire = frames.enumerated().map {
            WireFrame(nanoseconds: UInt64($0.offset) * 1000, direction: .clientToGateway, stream: 0, bytes: $0.element.bytes)
        }
        try Pcapng.write(Pcapng.file(dissector: source.name, comments: [], frames: wire), to: capture)
        let output = try run(program, script: script, capture: capture, name: source.name)
        return try parse(output, name: source.name)
    }

    private static func run(_ program: String, script: String, capture: String, name: String) throws(ConfigError) -> [UInt8] {
        // HOME elsewhere: a personal Lua plugin of the same name must not be loaded beside ours.
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = (script as NSString).deletingLastPathComponent
        environment["WIRESHARK_CONFIG_DIR"] = (script as NSString).deletingLastPathComponent
        let argv = [program, "-n", "-X", "lua_script:\(script)", "-r", capture, "-T", "json", "--no-duplicate-keys", "-J", name]
        let result: CompletedProcess
        do {
            result = try PeerProcess.run(argv, environment: environment, timeout: .seconds(300), maxOutput: 1 << 30)
        } catch {
            throw ConfigError("cannot run \(program): \(error)")
        }
        guard result.termination.isCleanExit else {
            throw ConfigError("\(program) failed (\(result.termination)): \(result.stderr.suffix(2000))")
        }
        // tshark goes on when a Lua script fails to load: its complaint is on stderr.
        if result.stderr.localizedCaseInsensitiveContains("lua") {
            let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("Running as user") }
            throw ConfigError("tshark could not load the generated dissector: \(lines.prefix(5).joined(separator: " | "))")
        }
        return result.stdout
    }

    private static func parse(_ output: [UInt8], name: String) throws(ConfigError) -> [JSON?] {
        let json: JSON
        do {
            json = try JSON.parse(output)
        } catch {
            throw ConfigError("tshark's JSON cannot be read: \(error)")
        }
        guard let packets = json.arrayValue else { throw ConfigError("tshark's JSON is not a list of packets") }
        return packets.map { packet in
            let layers = packet["_source"]?["layers"]
            // A Lua error shows as a layer of its own: the dissector broke on this frame.
            if let keys = layers?.objectValue?.keys, let error = keys.first(where: { $0.hasPrefix("Lua Error") }) {
                return .object(["\(name).bug": .string(error), "_ws.expert": .object(["\(name).bug": .string(error)])])
            }
            return layers?[name]
        }
    }
}
