// The command line of sbe-peer: `--schema FILE --version N --role client|gateway`, `--fault NAME`
// (profile tgp only), `--help`, `--version`. It plays version N of the protocol an SBE XML schema
// file describes, by the session profile its sidecar names: `tgp` runs the TGP peer over the
// file's schema, `sbe` the plain SBE peer. The file is read by the program's own `load`, so this
// module stays free of the XML reader and `peer` starts without it.

import TGP

#if canImport(Glibc)
    import Glibc
#endif

/// A protocol as read from its schema file: the schema and the profile its sessions follow.
public struct PeerProtocol: Sendable {
    public enum Profile: String, Sendable {
        /// Logon negotiation, Rejects and the reference gateway: the TGP peer.
        case tgp
        /// Plain SBE (SB1–SB5): the plain peer.
        case sbe
    }

    public let schema: Schema
    public let profile: Profile

    public init(schema: Schema, profile: Profile) {
        self.schema = schema
        self.profile = profile
    }
}

public enum SchemaPeerMain {
    /// Runs the peer that `arguments` (the command line after the program) ask for, and exits.
    /// `load` reads the schema file at a path; what it throws is said as it describes itself
    /// (a schema file's error as `file:line:column: …`), with exit status 2.
    public static func run(
        arguments: [String] = Array(CommandLine.arguments.dropFirst()), load: (_ path: String) throws -> PeerProtocol
    ) -> Never {
        // A runner that goes away must not kill us with SIGPIPE: writes fail and we exit cleanly.
        signal(SIGPIPE, SIG_IGN)
        var path: String?
        var versionText: String?
        var role: Role?
        var faults: Set<Fault> = []
        var printVersion = false
        var arguments = arguments[...]
        while let argument = arguments.popFirst() {
            let (option, inline) = PeerMain.split(argument)
            /// The option's value: after `=`, or the next argument.
            func value() -> String? { inline ?? arguments.popFirst() }
            switch option {
            case "--help", "-h":
                print(usage, terminator: "")
                exit(0)
            case "--schema":
                guard let value = value() else { fail("sbe-peer: --schema needs a schema file") }
                path = value
            case "--version":
                // `--version N` names the version to play; alone (last, or before another option) it asks for the program's.
                if let inline {
                    versionText = inline
                } else if let next = arguments.first, !next.hasPrefix("-") {
                    versionText = arguments.popFirst()
                } else {
                    printVersion = true
                }
            case "--schema-version":
                fail(
                    "sbe-peer: --schema-version is peer's option (TGP's built-in schema); sbe-peer plays a schema file: --schema FILE --version N"
                )
            case "--role":
                guard let value = value(), let parsed = Role(rawValue: value) else { fail("sbe-peer: --role needs client or gateway") }
                role = parsed
            case "--fault":
                guard let value = value(), let fault = Fault(rawValue: value) else {
                    fail("sbe-peer: --fault needs one of \(Fault.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                faults.insert(fault)
            default:
                fail("sbe-peer: unknown argument \(argument)")
            }
        }
        guard let path else {
            if printVersion {
                print("sbe-peer \(Peer.implementation): plays version N of an SBE schema file (--schema FILE --version N)")
                exit(0)
            }
            fail("sbe-peer: --schema FILE is required")
        }
        let loaded: PeerProtocol
        do {
            loaded = try load(path)
        } catch {
            fail("sbe-peer: \(error)", usage: false)
        }
        let schema = loaded.schema
        let versions = schema.versions.map { version in
            let range = schema.peerRanges[version]!
            return "\(version) (supports \(range.lowerBound)..\(range.upperBound))"
        }.joined(separator: ", ")
        guard let versionText else {
            if printVersion {
                print("sbe-peer \(Peer.implementation): \(path), profile \(loaded.profile.rawValue), versions \(versions)")
                exit(0)
            }
            fail("sbe-peer: --version N is required, N one of the versions of \(path): \(versions)", usage: false)
        }
        guard let version = Int(versionText), schema.peerRanges[version] != nil else {
            fail("sbe-peer: --version \(versionText): not a version of \(path); its versions are \(versions)", usage: false)
        }
        if printVersion {
            let range = schema.peerRanges[version]!
            print("sbe-peer \(Peer.implementation): \(path) version \(version), supports \(range.lowerBound)..\(range.upperBound)")
            exit(0)
        }
        guard let role else { fail("sbe-peer: --role client|gateway is required") }
        switch loaded.profile {
        case .tgp:
            let missing = Peer.missingSessionVocabulary(in: schema)
            guard missing.isEmpty else {
                fail(
                    "sbe-peer: \(path) has profile tgp, but lacks what the TGP peer sends and reads: \(missing.joined(separator: ", "))",
                    usage: false)
            }
            do {
                exit(try Peer(version: version, role: role, faults: faults, schema: schema).run())
            } catch {
                fail("peer-v\(version): \(error)", usage: false)
            }
        case .sbe:
            guard faults.isEmpty else {
                fail("sbe-peer: --fault injects defects into the TGP peer; \(path) has profile sbe", usage: false)
            }
            do {
                exit(try PlainPeer(schema: schema, version: version, role: role).run())
            } catch {
                fail("sbe-peer: \(error)", usage: false)
            }
        }
    }

    private static var usage: String {
        """
        usage: sbe-peer --schema FILE --version N --role client|gateway [--fault NAME]...

        A peer for the compat harness playing version N of the protocol an SBE XML schema file
        describes, with the profile sidecar NAME.profile.json beside NAME.xml when there is one
        (docs/SBE-SCHEMAS.md). It reads one JSON command per line on stdin and writes one JSON
        event per line on stdout; the protocol travels over ZeroMQ. See docs/PEER-CONTRACT.md.
        The sidecar's profile decides what the sessions do (docs/PROTOCOL.md): `tgp` plays the
        TGP peer over the file's schema (as `peer --schema-version N` plays TGP's built-in one),
        `sbe` plain SBE (SB1-SB5: no logon, each side at its own version, no Rejects).

        options:
          --schema FILE           the schema file (required); one that cannot be read is exit 2
                                  with its file, line and column
          --version N             the version to play (required), one of the schema's versions
                                  (`--version` alone prints them with --schema FILE)
          --role client|gateway   the side to play (required)
          --fault NAME            test aid, profile tgp only: inject a deliberate compatibility
                                  defect (repeatable; see docs/FAULTS.md)
          --help                  print this help and exit

        """
    }

    private static func fail(_ message: String, usage: Bool = true) -> Never {
        PeerMain.exitForCommandLine(message + "\n" + (usage ? Self.usage : ""))
    }
}
