// The process side of the peer contract: hello, bad input on stdin, the command line,
// and ending when stdin closes.
import BuiltBinaries
import MiniJSON
import PeerContract
import TGP
import Testing

/// Checks a `hello` reply against the schema's range and message list for `version`.
func expectHello(_ event: Event, version: Int, role: Role, sourceLocation: SourceLocation = #_sourceLocation) {
    guard case .hello(let implementation, let helloVersion, let min, let max, let helloRole, let messages, let contract) = event.kind else {
        Issue.record("hello answered \(event.line)", sourceLocation: sourceLocation)
        return
    }
    let range = Schema.tgp.peerRanges[version]!
    #expect(!implementation.isEmpty, sourceLocation: sourceLocation)
    #expect(helloVersion == version, sourceLocation: sourceLocation)
    #expect(min == range.lowerBound && max == range.upperBound, "hello range \(min)..\(max)", sourceLocation: sourceLocation)
    #expect(helloRole == role.rawValue, sourceLocation: sourceLocation)
    #expect(messages == Schema.tgp.messages(knownAt: version).map(\.name), sourceLocation: sourceLocation)
    #expect(contract == ContractVersion.current, "hello's contract", sourceLocation: sourceLocation)
}

@Suite struct ContractTests {
    @Test(arguments: Schema.tgp.versions, Role.allCases)
    func helloDescribesThePeer(version: Int, role: Role) throws {
        let peer = try PeerProcess(version: version, role: role)
        expectHello(try peer.request(.hello), version: version, role: role)
        try peer.shutdown()
    }

    /// A stdin line of more than 1 MiB that would be a `shutdown` if the peer read it whole.
    static let overlongShutdown = #"{"id":77,"cmd":"shutdown","pad":""# + String(repeating: "x", count: (1 << 20) + 16) + #""}"#

    @Test(arguments: [(3, Role.client), (5, Role.gateway)])
    func garbageOnStdinGetsErrorsAndThePeerGoesOn(version: Int, role: Role) throws {
        let directory = try TemporaryDirectory()
        let peer = try PeerProcess(version: version, role: role)
        // Each line and the id its error must carry (nil: the line had none, or could not be read).
        let wrongRole =
            role == .client
            ? #"{"id":4,"cmd":"listen","endpoint":"\#(directory.endpoint())"}"#
            : #"{"id":4,"cmd":"connect","endpoint":"\#(directory.endpoint())"}"#
        let lines: [(line: String, id: JSON?)] = [
            ("this is not JSON", nil),
            ("[1,2]", nil),
            (#"{"id":1}"#, 1),
            (#"{"id":2,"cmd":"fly"}"#, 2),
            (role == .client ? #"{"id":3,"cmd":"listen"}"# : #"{"id":3,"cmd":"logon","username":"x"}"#, 3),
            (wrongRole, 4),
            (#"{"id":5,"cmd":"hello","extra":true}"#, 5),
        ]
        for (line, id) in lines {
            try peer.write(line: line)
            let event = try peer.take("the error for \(line)") { $0.errorMessage != nil }
            #expect(event.id == id, "the error for \(line) has id \(event.id?.serialized ?? "none")")
            #expect(event.errorMessage?.isEmpty == false)
        }
        // Refused without being read whole: an error, and the shutdown inside it is not obeyed.
        try peer.write(line: Self.overlongShutdown)
        let overlong = try peer.take("the error for a line over 1 MiB") { $0.errorMessage != nil }
        #expect(overlong.id == nil || overlong.id == 77)
        #expect(peer.count { $0.kind == .bye } == 0, "a line over 1 MiB was obeyed")

        // Still answering, ids of any JSON type echoed.
        expectHello(try peer.request(.hello), version: version, role: role)
        try peer.write(line: #"{"id":"h-1","cmd":"hello"}"#)
        expectHello(try peer.reply(to: .string("h-1")), version: version, role: role)
        #expect(peer.count { $0.errorMessage != nil } == lines.count + 1)
        try peer.shutdown()
    }

    @Test func commandLine() throws {
        let peer = Built.peer(3)
        let versionList = Schema.tgp.versions.map(String.init).joined(separator: ", ")
        let help = try runToEnd([Built.peerProgram, "--help"])
        #expect(help.status == 0, "--help: \(help.stderr)")
        #expect(help.stdout.contains("--role") && help.stdout.contains("--schema-version N"), "--help printed: \(help.stdout)")
        // The versions it offers are the schema's, each with its range.
        #expect(help.stdout.contains("one of \(versionList):"), "--help printed: \(help.stdout)")
        for version in Schema.tgp.versions {
            let range = Schema.tgp.peerRanges[version]!
            #expect(
                help.stdout.contains("\(version) (supports \(range.lowerBound)..\(range.upperBound))"), "--help printed: \(help.stdout)")
        }

        let version = try runToEnd(peer + ["--version"])
        #expect(version.status == 0, "--version: \(version.stderr)")
        #expect(version.stdout.contains("TGP version 3, supports 1..3"), "--version printed: \(version.stdout)")

        let none = try runToEnd(peer)
        #expect(none.status == 2)
        #expect(!none.stderr.isEmpty)
        #expect(none.stdout.isEmpty, "a bad command line printed on stdout: \(none.stdout)")

        let badRole = try runToEnd(peer + ["--role", "referee"])
        #expect(badRole.status == 2)
        #expect(!badRole.stderr.isEmpty)

        // The version: required, and one of the schema's; each refusal names them.
        let unreleased = String(Schema.tgp.latestVersion + 1)
        for arguments in [
            ["--role", "client"], ["--schema-version", unreleased, "--role", "client"], ["--schema-version", "0", "--role", "gateway"],
            ["--schema-version", "three", "--role", "client"], ["--role", "client", "--schema-version"],
        ] {
            let run = try runToEnd([Built.peerProgram] + arguments)
            #expect(run.status == 2, "\(arguments): exit \(run.status.map(String.init) ?? "none")")
            #expect(run.stdout.isEmpty, "\(arguments) printed on stdout: \(run.stdout)")
            #expect(run.stderr.hasPrefix("peer: --schema-version") && run.stderr.contains(versionList), "\(arguments): \(run.stderr)")
        }
    }

    @Test(arguments: Role.allCases)
    func closingStdinEndsThePeer(role: Role) throws {
        let peer = try PeerProcess(version: 4, role: role)
        expectHello(try peer.request(.hello), version: 4, role: role)
        peer.closeStdin()
        let status = peer.waitForExit()
        #expect(status == 0, "exit status \(status.map(String.init) ?? "none: still running")\n\(peer.transcript)")
        #expect(peer.count { $0.kind == .bye } == 0)
    }

    @Test func closingStdinEndsPeersInASession() throws {
        let exchange = try Exchange(gateway: 4)
        let client = try exchange.connectClient(4)
        #expect(try client.request(.logon(username: "u", min: nil, max: nil)).logonAck?.version == 4)
        _ = try exchange.gateway.nextSession("logged_on")
        for peer in [client, exchange.gateway] {
            peer.closeStdin()
            let status = peer.waitForExit()
            #expect(status == 0, "\(peer.label) exit status \(status.map(String.init) ?? "none: still running")\n\(peer.transcript)")
        }
    }
}

/// The contract's own version (P3, P17): what a hello states, and a peer that keeps contract 1.
@Suite struct ContractVersionTests {
    static let hello = #"{"id":1,"event":"hello","implementation":"x","version":3,"min":1,"max":3,"role":"client","messages":["Logon"]"#

    @Test("hello's contract: none is contract 1 (nil), a positive integer is taken, anything else is an error naming P3")
    func helloContractParsing() throws {
        func contract(_ suffix: String) throws -> Int? {
            guard case .hello(_, _, _, _, _, _, let contract) = try Event(json: try JSON.parse(Self.hello + suffix + "}")).kind else {
                return -1
            }
            return contract
        }
        #expect(try contract("") == nil)
        #expect(try contract(#","contract":1"#) == 1)
        #expect(try contract(#","contract":7"#) == 7)
        for bad in ["0", "-1", "1.5", #""3""#, "null", "[3]"] {
            #expect {
                _ = try contract(#","contract":"# + bad)
            } throws: { error in
                "\(error)".contains("\"contract\" must be a positive integer") && "\(error)".contains("(P3)")
            }
        }
    }

    @Test("--fault contract-1: no contract in hello, no sessionId in session events, no logon on a logged-on client")
    func peerKeepingContract1() throws {
        let exchange = try Exchange(gateway: 4, arguments: ["--fault", "contract-1"])
        guard case .hello(_, _, _, _, _, _, let contract) = try exchange.gateway.request(.hello).kind else {
            Issue.record("hello answered otherwise")
            return
        }
        #expect(contract == nil)
        let client = try exchange.connectClient(4, arguments: ["--fault", "contract-1"])
        let ack = try client.request(.logon(username: "old", min: nil, max: nil))
        #expect(ack.logonAck?.version == 4, "\(ack.line)")
        let session = try #require(try exchange.gateway.nextSession("logged_on").session)
        #expect(session.version == 4 && session.sessionId == nil, "P14 before contract 2: no sessionId")
        _ = try client.nextReceived("LogonAck")
        let again = try client.request(.logon(username: "old", min: nil, max: nil))
        #expect(again.errorMessage?.contains("peer contract 1") == true, "\(again.line)")
        try client.shutdown()
        try exchange.gateway.shutdown()
    }
}
