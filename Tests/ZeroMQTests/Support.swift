// Shared helpers for the ZeroMQ tests: private temp dirs for ipc:// endpoints and a
// bounded wait for work that would hang if the code under test were wrong.
import Foundation

@testable import ZeroMQ

/// A fresh directory under /tmp, removed on deinit. Kept short: ipc paths are limited to ~107 bytes.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = "/tmp/zmqtest-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    func endpoint(_ name: String) -> String { "ipc://\(path)/\(name)" }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `work` on its own thread; returns whether it finished within `seconds`.
/// A hang then fails the test instead of freezing the whole run.
func finishes(within seconds: Double, _ work: @escaping @Sendable () -> Void) -> Bool {
    let done = DispatchSemaphore(value: 0)
    Thread {
        work()
        done.signal()
    }.start()
    return done.wait(timeout: .now() + seconds) == .success
}

/// The bytes of a string, for readable payloads.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
