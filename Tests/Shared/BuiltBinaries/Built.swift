// Where the test targets find what `swift build` made (`compat`, `peer`, `sbe-peer`) and
// the repository's fixtures. One locator for every test target that starts real processes.

import Foundation

public enum Built {
    /// The folder with `compat` and `peer`: `swift build` puts them next to the test bundle.
    public static let directory: String = {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().path)
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().path)
        candidates.append(Bundle.main.bundleURL.path)
        candidates.append(repositoryRoot + "/.build/debug")
        return candidates.first { isProgram($0 + "/peer") } ?? repositoryRoot + "/.build/debug"
    }()

    /// An executable file, not a folder (whose search permission is an x bit too).
    private static func isProgram(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }

    /// The reference peer's program, which plays the version of its `--schema-version`.
    public static var peerProgram: String { directory + "/peer" }
    /// The argv of the reference peer of TGP `version` (a matrix entry's, before `--role`).
    public static func peer(_ version: Int) -> [String] { [peerProgram, "--schema-version", String(version)] }
    public static var compat: String { directory + "/compat" }
    /// The peer of a schema file, which plays the version of its `--version` by the file's profile.
    public static var sbePeerProgram: String { directory + "/sbe-peer" }
    /// The argv of the peer of version `version` of the schema file at `schema` (before `--role`).
    public static func sbePeer(schema: String, version: Int) -> [String] {
        [sbePeerProgram, "--schema", schema, "--version", String(version)]
    }

    /// This file is Tests/Shared/BuiltBinaries/Built.swift.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    public static var fixtures: String { repositoryRoot + "/fixtures" }
}
