// The registry while a spawn is under way: it holds no lock that reaping or registering needs,
// and a `killAll()` that comes during the spawn still ends the child that spawn brings.

import Foundation
import Synchronization
import Testing

@testable import CompatRunner

#if canImport(Glibc)
    import Glibc
#endif

@Suite("process registry during a spawn")
struct ProcessRegistryTests {
    /// A `start` on its own thread that stops inside its spawn until `release` is signalled; its
    /// outcome is in `outcome` once `finished` is signalled.
    final class SpawnUnderWay: Sendable {
        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<pid_t??>(nil)

        init(_ registry: ProcessGroupRegistry, spawn: @escaping @Sendable () throws(SystemError) -> pid_t) {
            Thread { [self] in
                let pid = try? registry.start { () throws(SystemError) -> pid_t in
                    inside.signal()
                    release.wait()
                    return try spawn()
                }
                outcome.withLock { $0 = .some(pid) }
                finished.signal()
            }.start()
            inside.wait()
        }
    }

    @Test("reaping and reading the groups do not wait for a spawn under way")
    func registryIsFreeDuringASpawn() throws {
        let registry = ProcessGroupRegistry()
        let spawn = SpawnUnderWay(registry) { 999_999 }
        let answered = DispatchSemaphore(value: 0)
        Thread {
            registry.reaped(4242)
            registry.unregister(4242)
            _ = registry.groups
            answered.signal()
        }.start()
        let inTime = answered.wait(timeout: .now() + .seconds(30)) == .success
        spawn.release.signal()
        spawn.finished.wait()
        #expect(inTime, "the registry's lock was held for the whole spawn")
        #expect(registry.groups == [999_999])
    }

    @Test("killAll during a spawn: the child is killed as soon as it is born, and returned for its owner to reap")
    func killAllDuringASpawn() throws {
        let registry = ProcessGroupRegistry()
        let pipes = try ChildPipes()
        let spawn = SpawnUnderWay(registry) { () throws(SystemError) -> pid_t in
            try spawnChild(["/bin/sleep", "30"], pipes: pipes, setting: ChildSetting())
        }
        let killed = DispatchSemaphore(value: 0)
        Thread {
            _ = registry.killAll()
            killed.signal()
        }.start()
        let killedInTime = killed.wait(timeout: .now() + .seconds(30)) == .success
        spawn.release.signal()
        spawn.finished.wait()
        if !killedInTime { killed.wait() }
        #expect(killedInTime, "killAll waited for the spawn under way")
        pipes.closeChildEnds()
        pipes.closeParentEnds()
        let pid = try #require(spawn.outcome.withLock { $0 ?? nil })
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        #expect(status & 0x7f == SIGKILL, "the child spawned during killAll ended with status \(status)")
        #expect(registry.groups.isEmpty)
    }
}
