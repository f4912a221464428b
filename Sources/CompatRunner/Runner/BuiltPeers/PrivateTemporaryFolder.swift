// swift's driver leaves a `TemporaryDirectory.*` folder in TMPDIR even for `swift --version`: the
// toolchain's children get a TMPDIR of compat's own, removed when they are done.

import Foundation

/// Runs `body` with this process's environment but for TMPDIR, a new folder inside the current
/// TMPDIR (or /tmp), which is removed afterwards with whatever was left in it.
func withPrivateTemporaryFolder<T>(_ body: ([String: String]) throws -> T) throws -> T {
    var environment = ProcessInfo.processInfo.environment
    let base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array("\(base)/compat-toolchain.XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
        throw ConfigError("cannot make a temporary folder in \(base): \(String(cString: strerror(errno)))")
    }
    let folder = String(cString: made)
    defer { try? LinkSafeRemoval.remove(folder) }
    environment["TMPDIR"] = folder
    return try body(environment)
}
