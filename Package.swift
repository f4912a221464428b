// swift-tools-version: 6.1
// compat: a compatibility test harness for TGP, the Trading Gateway Protocol.
import PackageDescription

/// Peers start many times per matrix run: link the Swift runtime statically so each
/// starts in about a millisecond instead of loading the shared runtime.
let staticRuntime: [LinkerSetting] = [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]

/// The peer of a schema file links Foundation (FoundationXML reads the XML) statically too. The
/// linker takes Foundation's static libraries in one group, as they refer to each other in a
/// circle (libxml2 itself stays shared); and the program is not position-independent, so its
/// start does not touch every page of Foundation's metadata to relocate it (a third of the time
/// a start takes).
let staticRuntimeWithFoundationXML: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-static-stdlib", "-Xclang-linker", "-no-pie", "-Xlinker", "--start-group", "-lFoundationXML", "-l_CFXMLInterface",
            "-lFoundation", "-lFoundationInternationalization", "-lFoundationEssentials", "-lCoreFoundation", "-l_FoundationICU",
            "-l_FoundationCShims", "-l_FoundationCollections", "-lswiftSynchronization", "-lxml2", "-Xlinker", "--end-group",
        ], .when(configuration: .release)),
]

/// A peer is one thread over one poll loop, and the compiler proves its static accesses
/// exclusive; the run-time checks of its class properties cost ~9% of a gateway's CPU under load.
let uncheckedExclusivity: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "compat",
    products: [
        .library(name: "SBE", targets: ["SBE"]),
        .library(name: "TGP", targets: ["TGP"]),
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .executable(name: "compat", targets: ["compat"]),
        // The reference peer of every released TGP version: `peer --schema-version N --role client|gateway`.
        .executable(name: "peer", targets: ["peer"]),
        // The peer of any SBE XML schema file: `sbe-peer --schema FILE --version N --role client|gateway`.
        .executable(name: "sbe-peer", targets: ["sbe-peer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Latency distributions for `compat bench`.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // libzmq from Debian's libzmq3-dev; pkg-config is left out on purpose: its flags make every build warn here.
        .systemLibrary(
            name: "CZeroMQ",
            path: "Sources/CZeroMQ",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], path: "Sources/ZeroMQ"),
        // The system calls Swift's Glibc module does not export (pipe2, posix_spawn's closefrom and chdir, prctl),
        // and SHA-256 from the system's libcrypto (libssl-dev), which checks the cached built peers.
        .target(name: "CSystemShims", path: "Sources/CSystemShims", linkerSettings: [.linkedLibrary("crypto")]),
        .target(name: "MiniJSON", path: "Sources/MiniJSON"),
        // The schema of an SBE protocol as data (the IR) and the one codec engine over it.
        .target(name: "SBE", path: "Sources/SBE"),
        // TGP, the project's own protocol: its schema (tgp.xml, with tgp.profile.json) and session rules.
        .target(
            name: "TGP", dependencies: ["SBE"], path: "Sources/TGP", exclude: ["tgp.xml", "tgp.profile.json"],
            plugins: ["SchemaCodegen"]),
        // The IR of a schema as Swift source, and the build plugin that runs it for every schema a target holds.
        .executableTarget(name: "sbe-codegen", dependencies: ["SchemaXML"], path: "Sources/SBECodegen"),
        .plugin(name: "SchemaCodegen", capability: .buildTool(), dependencies: ["sbe-codegen"], path: "Plugins/SchemaCodegen"),
        // Any FIX SBE XML message schema (with an optional profile sidecar) read into the IR; XML through FoundationXML.
        .target(name: "SchemaXML", dependencies: ["SBE", "MiniJSON"], path: "Sources/SchemaXML"),
        // The JSON-lines contract between the runner and a peer (docs/PEER-CONTRACT.md).
        .target(name: "PeerContract", dependencies: ["TGP", "MiniJSON"], path: "Sources/PeerContract"),
        .target(
            name: "VersionedPeers",
            dependencies: ["TGP", "PeerContract", "ZeroMQ", "MiniJSON"],
            path: "Sources/VersionedPeers/Peer",
            swiftSettings: uncheckedExclusivity
        ),
        // One executable for every version: it links the whole schema and is limited to the version
        // N of `--schema-version N` (one of the schema's versions) when it starts; only a peer built
        // from an older commit lacks a newer version's code.
        .executableTarget(
            name: "peer",
            dependencies: ["VersionedPeers"],
            path: "Sources/VersionedPeers/peer",
            linkerSettings: staticRuntime
        ),
        // The peer of version N of a schema file, by its profile: the TGP peer (`tgp`) or the plain
        // SBE peer (`sbe`). Its own program, as reading XML links Foundation, which would slow every
        // start of `peer`; the peers themselves are VersionedPeers' code.
        .executableTarget(
            name: "sbe-peer",
            dependencies: ["VersionedPeers", "SchemaXML"],
            path: "Sources/VersionedPeers/sbe-peer",
            linkerSettings: staticRuntimeWithFoundationXML
        ),
        // The runner: matrix, cells, checks, child processes and reports; the `compat` command over it.
        .target(
            name: "CompatRunner",
            dependencies: [
                "TGP", "PeerContract", "MiniJSON", "CSystemShims", "SchemaXML", "ZeroMQ",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Sources/CompatRunner/Runner"
        ),
        // Linked as sbe-peer is: every command starts faster without loading the shared runtime and Foundation.
        .executableTarget(
            name: "compat",
            dependencies: ["CompatRunner", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/CompatRunner/compat",
            linkerSettings: staticRuntimeWithFoundationXML
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        // What the test targets share: the seeded generator, and where the built binaries are.
        .target(name: "SeededRandom", path: "Tests/Shared/SeededRandom"),
        .target(name: "BuiltBinaries", path: "Tests/Shared/BuiltBinaries"),
        .testTarget(name: "MiniJSONTests", dependencies: ["MiniJSON", "SeededRandom"]),
        .testTarget(name: "TGPTests", dependencies: ["TGP", "SeededRandom"]),
        .testTarget(name: "SchemaXMLTests", dependencies: ["SchemaXML", "SBE", "TGP"]),
        // The codec engine over schemas built in the tests: every type, presence, header, byte order.
        .testTarget(name: "SBETests", dependencies: ["SBE", "SeededRandom"]),
        .testTarget(
            name: "VersionedPeersTests",
            dependencies: [
                "TGP", "PeerContract", "ZeroMQ", "MiniJSON", "VersionedPeers", "CompatRunner", "SeededRandom", "BuiltBinaries", "peer",
                "sbe-peer", "SchemaXML",
            ]
        ),
        .testTarget(
            name: "CompatRunnerTests",
            dependencies: ["CompatRunner", "TGP", "SchemaXML", "MiniJSON", "compat", "BuiltBinaries", "peer", "sbe-peer"],
            // Small misbehaving peers (shell scripts) that matrix files in the tests point at.
            exclude: ["Peers"]
        ),
    ]
)
