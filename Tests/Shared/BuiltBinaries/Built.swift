// Where the test targets find what `swift build` made (`compat`, `peer-v1` … `peer-v5`) and
// the repository's fixtures. One locator for every test target that starts real processes.

import Foundation

public enum Built {
    /// The folder with `compat` and `peer-v1` … `peer-v5`: `swift build` puts them next to the test bundle.
    public static let directory: String = {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().path)
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().path)
        candidates.append(Bundle.main.bundleURL.path)
        candidates.append(repositoryRoot + "/.build/debug")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0 + "/peer-v1") } ?? repositoryRoot + "/.build/debug"
    }()

    public static func peer(_ version: Int) -> String { directory + "/peer-v\(version)" }
    public static var compat: String { directory + "/compat" }

    /// This file is Tests/Shared/BuiltBinaries/Built.swift.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    public static var fixtures: String { repositoryRoot + "/fixtures" }
}
