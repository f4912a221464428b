// Safe by default: the runner sends a client only to an ipc endpoint in its cell's own folder or
// to tcp on a literal loopback address, whatever a gateway reports; --allow-remote lifts only the
// loopback rule.

import BuiltBinaries
import Foundation
import MiniJSON
import Testing

@testable import CompatRunner

/// How the runner reads the endpoint a gateway reports, against a cell folder of the test's own.
@Suite("Endpoint safety: parsed, not prefix-matched")
struct EndpointSafetyTests {
    static let literal =
        "the address must be literal: four decimal numbers 0-255, or an IPv6 address in brackets; host names are not accepted, not even localhost"
    static let notLoopback = "it is not a loopback address (127.0.0.0/8 or [::1]); --allow-remote permits it"
    static let source = "a source address (tcp://SOURCE;DESTINATION) is not accepted"
    static let needsPort = "a tcp endpoint is tcp://ADDRESS:PORT"
    static let scheme = "only ipc:// and tcp:// endpoints are accepted"
    static let relative = "an ipc path must be absolute (not relative, not an abstract @name)"
    static let components = "an ipc path may not hold '.', '..' or empty components"
    static func port(_ text: String) -> String { "the port must be a number from 1 to 65535, got \"\(text)\"" }

    /// tcp endpoints and why each is refused without --allow-remote (nil: accepted).
    static let tcp: [(endpoint: String, refusal: String?)] = [
        ("tcp://127.0.0.1:5555", nil), ("tcp://127.8.9.1:1", nil), ("tcp://127.255.255.254:65535", nil),
        ("tcp://[::1]:7000", nil), ("tcp://[0:0:0:0:0:0:0:1]:7000", nil),
        ("tcp://127.attacker.example:5555", literal), ("tcp://localhost:9", literal), ("tcp://127:1", literal),
        ("tcp://127.0.0:1", literal), ("tcp://127.0.0.1.5:1", literal), ("tcp://127.0.0.256:1", literal),
        ("tcp://127.0.0.01:1", literal), ("tcp://127.0.0.+1:1", literal), ("tcp://::1:5555", literal),
        ("tcp://[fe80::1%eth0]:5", literal), ("tcp://*:5555", literal), ("tcp://[127.0.0.1]:5", literal),
        ("tcp://127.0.0.1;10.1.2.3:5555", source), ("tcp://10.1.2.3;127.0.0.1:5555", source),
        ("tcp://10.0.0.5:5555", notLoopback), ("tcp://0.0.0.0:5555", notLoopback), ("tcp://[2001:db8::1]:80", notLoopback),
        ("tcp://[::ffff:127.0.0.1]:80", notLoopback),
        ("tcp://127.0.0.1:*", port("*")), ("tcp://127.0.0.1:0", port("0")), ("tcp://127.0.0.1:65536", port("65536")),
        ("tcp://127.0.0.1:05555", port("05555")), ("tcp://127.0.0.1:", port("")), ("tcp://127.0.0.1:+80", port("+80")),
        ("tcp://127.0.0.1", needsPort), ("tcp://[::1]", needsPort), ("tcp://[::1]7000", needsPort),
        ("tcp://[::1:7000", "an IPv6 address in brackets must end with ']'"),
        ("pgm://eth0;239.1.1.1:5555", scheme), ("inproc://x", scheme), ("udp://127.0.0.1:5", scheme),
        ("TCP://127.0.0.1:5", scheme), ("ws://127.0.0.1:5", scheme), ("", scheme),
        ("tcp://127.0.0.1:5555\n", "it holds the control character U+A"),
        ("tcp://127.0.0.1:55\u{0}55", "it holds the control character U+0"),
    ]

    private func refusal(_ endpoint: String, folder: String = "/nonexistent-cell", allowRemote: Bool = false) -> String? {
        do {
            _ = try Endpoint.reported(endpoint, cellFolder: folder, allowRemote: allowRemote)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("tcp: a literal loopback address and a numeric port, nothing else", arguments: tcp.map(\.endpoint))
    func tcpEndpoint(_ endpoint: String) throws {
        let expected = try #require(Self.tcp.first { $0.endpoint == endpoint }).refusal
        #expect(refusal(endpoint) == expected)
    }

    @Test("tcp with --allow-remote: any literal address, still never garbage", arguments: tcp.map(\.endpoint))
    func tcpEndpointAllowingRemote(_ endpoint: String) throws {
        let expected = try #require(Self.tcp.first { $0.endpoint == endpoint }).refusal
        #expect(refusal(endpoint, allowRemote: true) == (expected == Self.notLoopback ? nil : expected))
    }

    @Test("the parsed address and port")
    func parsed() throws {
        #expect(try Endpoint.parse("tcp://127.1.2.3:80") == .tcp(address: .v4([127, 1, 2, 3]), port: 80))
        #expect(try Endpoint.parse("tcp://[::1]:65535") == .tcp(address: .v6([UInt8](repeating: 0, count: 15) + [1]), port: 65535))
        #expect(try Endpoint.parse("ipc:///a/b.sock") == .ipc(path: "/a/b.sock"))
    }

    @Test("ipc: only inside the cell's own folder, even through a link")
    func ipcEndpoint() throws {
        let cell = try TestMatrix(text: "{}")
        let folder = cell.folder
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: folder + "/out", withDestinationPath: "/tmp")
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.sock", withDestinationPath: "/tmp/other.sock")
        let inside = "an ipc endpoint must be inside the cell's folder \(folder)"
        let cases: [(String, String?)] = [
            ("ipc://\(folder)/gateway.sock", nil), ("ipc://\(folder)/sub/gateway.sock", nil),
            ("ipc:///tmp/elsewhere/gateway.sock", inside), ("ipc://\(folder)-other/gateway.sock", inside), ("ipc://\(folder)", inside),
            ("ipc://\(folder)/../gateway.sock", Self.components), ("ipc://\(folder)/sub/../../x.sock", Self.components),
            ("ipc://\(folder)/./gateway.sock", Self.components), ("ipc://\(folder)//gateway.sock", Self.components),
            ("ipc://\(folder)/", Self.components),
            ("ipc://gateway.sock", Self.relative), ("ipc://@abstract", Self.relative), ("ipc://*", Self.relative),
            ("ipc://\(folder)/nosuch/gateway.sock", "its folder \(folder)/nosuch does not exist"),
            ("ipc://\(folder)/out/gateway.sock", "its folder \(folder)/out is a link to /tmp, outside the cell's folder \(folder)"),
            ("ipc://\(folder)/link.sock", "it is a symbolic link, which may point outside the cell's folder \(folder)"),
        ]
        for (endpoint, expected) in cases {
            #expect(refusal(endpoint, folder: folder) == expected, "\(endpoint)")
            // --allow-remote is about tcp addresses: the folder rule holds all the same.
            #expect(refusal(endpoint, folder: folder, allowRemote: true) == expected, "\(endpoint)")
        }
        let long = folder + "/" + String(repeating: "s", count: 120)
        #expect(
            refusal("ipc://" + long, folder: folder)
                == "an ipc path is at most 107 bytes (a unix socket address); this one is \(long.utf8.count)")
    }
}

/// A gateway (Tests/CompatRunnerTests/Peers/reports.sh) that reports an endpoint of the test's
/// choosing: the runner must refuse it before the client is sent anywhere.
@Suite("Endpoint safety: what a gateway reports")
struct ReportedEndpointTests {
    static let refused = [
        "tcp://127.attacker.example:5555", "tcp://127.0.0.1;10.1.2.3:5555", "tcp://localhost:5555", "tcp://127.0.0.1:0",
        "ipc:///tmp/elsewhere/gateway.sock", "ipc://gateway.sock", "ipc://CELL/../gateway.sock", "ipc://@abstract",
    ]

    /// One cell: the reference v3 client against a gateway that reports `endpoint`; the matrix
    /// holds the cell's kept folder, and removes it when it goes.
    private func run(reporting endpoint: String, allowRemote: Bool) throws -> (cell: CellResult, matrix: TestMatrix) {
        let liar: JSON = .object([
            "name": "liar", "version": 3, "argv": .array([.string(TestPeers.script("reports")), "--report", .string(endpoint)]),
        ])
        let v3: JSON = .object(["name": "v3", "version": 3, "argv": .array(Built.peer(3).map(JSON.string))])
        let matrix = try TestMatrix(
            json: .object([
                "peers": .array([v3, liar]), "clients": ["v3"], "gateways": ["liar"],
                "timeouts": .object(["pairSeconds": 30, "commandSeconds": 2]),
            ]))
        let (config, samples) = try matrix.load()
        var options = RunOptions(jobs: 1, temporaryRoot: matrix.folder)
        options.allowRemote = allowRemote
        let cell = MatrixRunner(config: config, samples: samples).runCell(client: "v3", gateway: "liar", options: options)
        return (cell, matrix)
    }

    @Test("refused before the client connects, naming the gateway and the endpoint", arguments: refused)
    func refusedEndpoint(_ endpoint: String) throws {
        let (cell, matrix) = try run(reporting: endpoint, allowRemote: false)
        defer { withExtendedLifetime(matrix) {} }
        #expect(cell.state == .fail, "\(cell.state): \(cell.problem ?? "")")
        let problem = cell.problem ?? ""
        #expect(problem.hasPrefix("the gateway liar reported "), "\(problem)")
        #expect(problem.contains("refused"), "\(problem)")
        let transcript = try String(contentsOfFile: (cell.keptDirectory ?? "") + "/client.transcript", encoding: .utf8)
        #expect(!transcript.contains("\"connect\""), "the client was sent to it:\n\(transcript)")
    }

    @Test(
        "--allow-remote still refuses what is not a literal address and port",
        arguments: [
            "tcp://127.attacker.example:5555", "tcp://127.0.0.1;10.1.2.3:5555", "tcp://10.1.2.3:*", "pgm://eth0;239.1.1.1:5555",
        ])
    func garbageRefusedWithAllowRemote(_ endpoint: String) throws {
        let (cell, matrix) = try run(reporting: endpoint, allowRemote: true)
        defer { withExtendedLifetime(matrix) {} }
        #expect(cell.state == .fail, "\(cell.state): \(cell.problem ?? "")")
        #expect((cell.problem ?? "").hasPrefix("the gateway liar reported "), "\(cell.problem ?? "")")
        let transcript = try String(contentsOfFile: (cell.keptDirectory ?? "") + "/client.transcript", encoding: .utf8)
        #expect(!transcript.contains("\"connect\""), "the client was sent to it:\n\(transcript)")
    }
}

/// A unix stream socket bound and listening at `path`, non-blocking, so a test can ask whether a
/// connection is waiting for it.
private final class Listener {
    let descriptor: Int32

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = unixAddress(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(descriptor, 4) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
        _ = fcntl(descriptor, F_SETFL, O_NONBLOCK)
    }

    deinit { close(descriptor) }

    /// Whether a connection was made to it (and takes it).
    var tookConnection: Bool {
        let accepted = accept(descriptor, nil, nil)
        if accepted >= 0 { close(accepted) }
        return accepted >= 0
    }
}

private func unixAddress(_ path: String) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
        for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
    }
    return address
}

/// Connects a unix stream socket to `path`; whether it could.
private func connects(to path: String) -> Bool {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = unixAddress(path)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    } == 0
}

@Suite("Endpoint safety: the ipc socket is held once checked")
struct PinnedSocketTests {
    @Test("a gateway that swaps its socket for a link after reporting it: the client still reaches the socket compat checked")
    func swappedAfterReporting() throws {
        let cell = try TestMatrix(text: "{}")
        let path = cell.folder + "/gateway.sock"
        let original = try Listener(path: path)
        let pinned = try PinnedSocket(path: path, folder: cell.folder)
        #expect(pinned.endpoint == "ipc:///proc/\(getpid())/fd/\(pinnedDescriptor(pinned))")

        // The swap: the socket moved away, the path now a link to a socket of the gateway's choosing.
        try FileManager.default.moveItem(atPath: path, toPath: cell.folder + "/moved.sock")
        let decoy = try Listener(path: cell.folder + "/decoy.sock")
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: cell.folder + "/decoy.sock")
        // By its path, a client would now reach the decoy: the window the pin closes.
        #expect(connects(to: path) && decoy.tookConnection && !original.tookConnection)
        #expect(connects(to: String(pinned.endpoint.dropFirst("ipc://".count))))
        #expect(original.tookConnection && !decoy.tookConnection)

        // An upgrade's new gateway binds the same path: the same endpoint then reaches it.
        try FileManager.default.removeItem(atPath: path)
        let successor = try Listener(path: path)
        try pinned.repin(folder: cell.folder)
        #expect(connects(to: String(pinned.endpoint.dropFirst("ipc://".count))))
        #expect(successor.tookConnection && !original.tookConnection)
    }

    @Test("what is not a socket inside the cell's folder is refused when it is pinned")
    func refusals() throws {
        let cell = try TestMatrix(text: "{}")
        let folder = cell.folder
        let elsewhere = try TestMatrix(text: "{}")
        let outside = try Listener(path: elsewhere.folder + "/outside.sock")
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.sock", withDestinationPath: elsewhere.folder + "/outside.sock")
        try FileManager.default.createSymbolicLink(atPath: folder + "/out", withDestinationPath: elsewhere.folder)
        #expect(FileManager.default.createFile(atPath: folder + "/plain.sock", contents: Data()))
        let cases: [(String, String)] = [
            ("link.sock", "it is a symbolic link, not the socket a gateway binds"),
            ("plain.sock", "it is not a socket, not the socket a gateway binds"),
            ("none.sock", "nothing is bound there (No such file or directory); P4: listen answers once bound"),
            ("out/outside.sock", "its folder is not a folder inside the cell's folder \(folder) (Not a directory)"),
        ]
        for (name, message) in cases {
            #expect(throws: Endpoint.Refusal(message), "\(name)") { _ = try PinnedSocket(path: folder + "/" + name, folder: folder) }
        }
        #expect(!outside.tookConnection)
    }

    /// The descriptor number in a pinned endpoint.
    private func pinnedDescriptor(_ pinned: PinnedSocket) -> String { String(pinned.endpoint.split(separator: "/").last ?? "") }
}
