// The command line of the peer binary: `--schema-version N --role client|gateway`, `--fault NAME`,
// `--help`, `--version`. N is one of the schema's versions (Schema.tgp.versions). A schema file
// (`--schema FILE --version N`) is sbe-peer's (SchemaPeerMain.swift), so that this program starts
// without the XML reader.

import TGP

#if canImport(Glibc)
    import Glibc
#endif

public enum PeerMain {
    /// Runs the peer that `arguments` (the command line after the program) ask for, and exits:
    /// the peer of TGP version N of `--schema-version N`.
    public static func run(arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        // A runner that goes away must not kill us with SIGPIPE: writes fail and we exit cleanly.
        signal(SIGPIPE, SIG_IGN)
        var version: Int?
        var role: Role?
        var faults: Set<Fault> = []
        var printVersion = false
        var arguments = arguments[...]
        while let argument = arguments.popFirst() {
            let (option, inline) = split(argument)
            /// The option's value: after `=`, or the next argument.
            func value() -> String? { inline ?? arguments.popFirst() }
            switch option {
            case "--help", "-h":
                print(usage, terminator: "")
                exit(0)
            case "--version":
                printVersion = true
            case "--schema-version":
                version = schemaVersion(value())
            case "--schema":
                fail(
                    "peer: --schema FILE is sbe-peer's option: run sbe-peer --schema FILE --version N --role client|gateway"
                        + " (peer plays TGP's built-in schema, --schema-version N)")
            case "--fault":
                guard let value = value(), let fault = Fault(rawValue: value) else {
                    fail("peer: --fault needs one of \(Fault.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                faults.insert(fault)
            case "--role":
                guard let value = value(), let parsed = Role(rawValue: value) else {
                    fail("peer: --role needs client or gateway")
                }
                role = parsed
            default:
                fail("peer: unknown argument \(argument)")
            }
        }
        if printVersion {
            if let version {
                let range = Schema.tgp.peerRanges[version]!
                print("peer \(Peer.implementation): TGP version \(version), supports \(range.lowerBound)..\(range.upperBound)")
            } else {
                print("peer \(Peer.implementation): TGP versions \(versionList) (--schema-version N)")
            }
            exit(0)
        }
        guard let version else {
            fail("peer: --schema-version N is required, N one of the schema's versions: \(versionList)")
        }
        guard let role else { fail("peer-v\(version): --role client|gateway is required") }
        do {
            exit(try Peer(version: version, role: role, faults: faults).run())
        } catch {
            fail("peer-v\(version): \(error)", usage: false)
        }
    }

    /// `--name=value` as the option and its value; any other argument as it is.
    static func split(_ argument: String) -> (option: String, value: String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    /// The N of `--schema-version N`: one of the schema's versions, or exit 2 saying which they are.
    private static func schemaVersion(_ text: String?) -> Int {
        guard let text else { fail("peer: --schema-version needs a version: \(versionList)") }
        guard let version = Int(text), Schema.tgp.versions.contains(version) else {
            fail("peer: --schema-version \(text): not a version of the schema; its versions are \(versionList)")
        }
        return version
    }

    /// The schema's versions, oldest first: "1, 2, 3, 4, 5".
    private static var versionList: String { Schema.tgp.versions.map(String.init).joined(separator: ", ") }

    private static var usage: String {
        let ranges = Schema.tgp.versions.map { version in
            let range = Schema.tgp.peerRanges[version]!
            return "\(version) (supports \(range.lowerBound)..\(range.upperBound))"
        }
        return """
            usage: peer --schema-version N --role client|gateway [--fault NAME]...

            A TGP peer for the compat harness, playing version N of the schema: \(ranges.joined(separator: ", ")).
            It reads one JSON command per line on stdin and writes one JSON event per line on
            stdout; the protocol travels over ZeroMQ. See docs/PEER-CONTRACT.md.

            options:
              --schema-version N      the TGP version to play (required), one of \(versionList):
                                      the peer encodes, decodes and names only what version N has
              --role client|gateway   the side to play (required)
              --fault NAME            test aid, off by default: inject a deliberate compatibility
                                      defect so the harness's self-check can prove it fails
                                      (repeatable; see docs/FAULTS.md): \(Fault.allCases.map(\.rawValue).joined(separator: ", "))
              --version               print the version (N's, with --schema-version N) and exit
              --help                  print this help and exit

            A protocol given as an SBE XML schema file (TGP's own tgp.xml, or a plain SBE one) is
            played by sbe-peer: sbe-peer --schema FILE --version N --role client|gateway.

            """
    }

    private static func fail(_ message: String, usage: Bool = true) -> Never {
        exitForCommandLine(message + "\n" + (usage ? Self.usage : ""))
    }

    /// Writes `text` to stderr and exits with status 2, a bad command line's.
    static func exitForCommandLine(_ text: String) -> Never {
        var text = text
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        exit(2)
    }
}
