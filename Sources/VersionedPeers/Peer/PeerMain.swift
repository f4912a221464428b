// The command line of a peer binary: `--role client|gateway`, `--help`, `--version`.

import TGP

#if canImport(Glibc)
    import Glibc
#endif

public enum PeerMain {
    /// Runs the peer of TGP `version` with the process's arguments and exits.
    public static func run(version: Int) -> Never {
        // A runner that goes away must not kill us with SIGPIPE: writes fail and we exit cleanly.
        signal(SIGPIPE, SIG_IGN)
        let name = "peer-v\(version)"
        let range = Schema.tgp.peerRanges[version]!
        let usage = """
            usage: \(name) --role client|gateway

            A TGP version \(version) peer (supports versions \(range.lowerBound)..\(range.upperBound)) for the compat harness.
            It reads one JSON command per line on stdin and writes one JSON event per line on
            stdout; the protocol travels over ZeroMQ. See docs/PEER-CONTRACT.md.

            options:
              --role client|gateway   the side to play (required)
              --fault NAME            test aid, off by default: inject a deliberate compatibility
                                      defect so the harness's self-check can prove it fails
                                      (repeatable; see docs/FAULTS.md): \(Fault.allCases.map(\.rawValue).joined(separator: ", "))
              --version               print the version and exit
              --help                  print this help and exit

            """
        var role: Role?
        var faults: Set<Fault> = []
        var arguments = CommandLine.arguments.dropFirst()
        while let argument = arguments.popFirst() {
            switch argument {
            case "--help", "-h":
                print(usage, terminator: "")
                exit(0)
            case "--version":
                print("\(name) \(Peer.implementation): TGP version \(version), supports \(range.lowerBound)..\(range.upperBound)")
                exit(0)
            case "--fault":
                guard let value = arguments.popFirst(), let fault = Fault(rawValue: value) else {
                    fail("\(name): --fault needs one of \(Fault.allCases.map(\.rawValue).joined(separator: ", "))", usage: usage)
                }
                faults.insert(fault)
            case "--role":
                guard let value = arguments.popFirst(), let parsed = Role(rawValue: value) else {
                    fail("\(name): --role needs client or gateway", usage: usage)
                }
                role = parsed
            default:
                if argument.hasPrefix("--role="), let parsed = Role(rawValue: String(argument.dropFirst("--role=".count))) {
                    role = parsed
                } else {
                    fail("\(name): unknown argument \(argument)", usage: usage)
                }
            }
        }
        guard let role else { fail("\(name): --role client|gateway is required", usage: usage) }
        do {
            exit(try Peer(version: version, role: role, faults: faults).run())
        } catch {
            fail("\(name): \(error)", usage: nil)
        }
    }

    private static func fail(_ message: String, usage: String?) -> Never {
        var text = message + "\n" + (usage ?? "")
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        exit(2)
    }
}
