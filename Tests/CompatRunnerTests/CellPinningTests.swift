// When a matrix's workers keep to a CPU each, and that a worker's pin and batch scheduling reach
// the processes it starts (a real child reads its own allowed CPUs and policy from /proc).

import Foundation
import Synchronization
import Testing

@testable import CompatRunner

@Suite("Cell pinning")
struct CellPinningTests {
    @Test("pins from two workers up to the CPUs it may use; never one worker, never more workers than CPUs")
    func pays() {
        let pinned = [(1, 2), (2, 2), (3, 2), (2, 8), (8, 8), (9, 8), (2, 1), (2, nil)].filter { workers, cpus in
            CellPinning.pays(workers: workers, allowedCPUs: cpus)
        }
        #expect(pinned.map { "\($0.0)/\($0.1!)" } == ["2/2", "2/8", "8/8"])
    }

    @Test("a child started by a pinned thread may run on that one CPU only")
    func childInheritsPin() throws {
        let allowedBefore = try #require(Self.allowedCPUs(of: "thread-self"))
        let lastIndex = allowedBefore.count - 1
        let childCPUs = try Self.onNewThread { () throws -> [Int]? in
            try pinCurrentThread(toAllowedCPU: lastIndex)
            let child = try PeerProcess.run(["/bin/sh", "-c", "grep Cpus_allowed_list /proc/self/status"])
            return Self.cpuList(child.stdoutText.split(separator: ":").last.map(String.init) ?? "")
        }
        #expect(childCPUs == [allowedBefore[lastIndex]])
        // Only the thread that pinned itself was pinned.
        #expect(Self.allowedCPUs(of: "thread-self") == allowedBefore)
    }

    @Test("a pinned worker and the processes it starts run as batch work; an unpinned one as the system's default")
    func pinnedWorkersAreBatchWork() {
        for pinned in [true, false] {
            let policies = Mutex<[String]>([])
            concurrentlyForEach(2, workers: 2, pinned: pinned) { _ in
                // Field 41 of a process's stat is its scheduling policy: 0 SCHED_OTHER, 3 SCHED_BATCH.
                let child = try? PeerProcess.run(["/bin/sh", "-c", "cut -d ' ' -f 41 /proc/self/stat"])
                let policy = child?.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) ?? "not run"
                policies.withLock { $0.append(policy) }
            }
            #expect(policies.withLock { $0 } == Array(repeating: pinned ? "3" : "0", count: 2), "pinned: \(pinned)")
        }
    }

    @Test("a pinned thread that adopts the process's CPUs may run wherever the main thread may")
    func adoptProcessCPUs() throws {
        let mainThreadCPUs = try #require(Self.allowedCPUs(of: "self"))
        let (pinned, adopted) = try Self.onNewThread { () throws -> ([Int]?, [Int]?) in
            try pinCurrentThread(toAllowedCPU: 0)
            let pinned = Self.allowedCPUs(of: "thread-self")
            try CompatRunner.adoptProcessCPUs()
            return (pinned, Self.allowedCPUs(of: "thread-self"))
        }
        #expect(pinned == [mainThreadCPUs[0]])
        #expect(adopted == mainThreadCPUs)
    }

    @Test("an index past the CPUs it may use is refused with EINVAL")
    func indexPastTheCPUs() throws {
        let count = try #require(allowedCPUCount())
        let refused = try Self.onNewThread { () -> Int32? in
            do {
                try pinCurrentThread(toAllowedCPU: count)
                return nil
            } catch let error as SystemError {
                return error.errno
            }
        }
        #expect(refused == EINVAL)
    }

    /// `body`'s result on a thread of its own (a pin stays with the thread that made it).
    static func onNewThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            outcome.withLock { $0 = Result { try body() } }
            finished.signal()
        }.start()
        finished.wait()
        return try outcome.withLock { $0! }.get()
    }

    /// The CPUs in a status file's Cpus_allowed_list, e.g. "0-2,5".
    static func allowedCPUs(of process: String) -> [Int]? {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        return cpuList(String(line.dropFirst("Cpus_allowed_list:".count)))
    }

    static func cpuList(_ text: String) -> [Int]? {
        var cpus: [Int] = []
        for part in text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            guard let first = bounds.first, let last = bounds.last, bounds.count <= 2 else { return nil }
            cpus += Array(first...last)
        }
        return cpus.isEmpty ? nil : cpus
    }
}
