// PeerProcess against real child processes: lines in order, deadlines, stderr, how
// children end, whole process groups killed, no zombies, spawn errors, SIGPIPE.

import BuiltBinaries
import Foundation
import Testing

@testable import CompatRunner

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - Helpers

/// A fresh folder for one test's stderr files, removed at the end.
private final class Scratch {
    let path: String
    init() {
        var template = Array("/tmp/peerprocess-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf in
            mkdtemp(buf.baseAddress!).map { String(cString: $0) }
        }
        path = made!
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

private func after(_ duration: Duration) -> ContinuousClock.Instant { .now.advanced(by: duration) }

/// Whether `pid` is a live process (present in /proc and neither a zombie nor dead).
private func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
    return state != "Z" && state != "X"
}

/// Waits (up to `limit`) for `pid` to stop being alive: a killed orphan is reaped by init,
/// which takes a moment (and in a container, init may leave it a zombie: that counts as dead).
private func becomesDead(_ pid: Int32, within limit: Duration = .seconds(3)) -> Bool {
    let end = after(limit)
    while ContinuousClock.now < end {
        if !isAlive(pid) { return true }
        usleep(5_000)
    }
    return !isAlive(pid)
}

/// The live (not zombie) processes of the process group `pgid`, from /proc.
private func liveMembers(ofGroup pgid: Int32) -> [Int32] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return false
        }
        // After "pid (comm)": state, ppid, pgrp.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 2 && Int32(fields[2]) == pgid && !["Z", "X"].contains(fields[0])
    }
}

/// Waits (up to `limit`) for the group to have no live process left: a SIGKILL lands in a moment.
private func groupEnds(_ pgid: Int32, within limit: Duration = .seconds(3)) -> Bool {
    let end = after(limit)
    while !liveMembers(ofGroup: pgid).isEmpty {
        if ContinuousClock.now >= end { return false }
        usleep(5_000)
    }
    return true
}

/// True when `pid` is no child of ours any more (reaped): waitpid gives ECHILD.
private func isReaped(_ pid: Int32) -> Bool {
    var status: Int32 = 0
    return waitpid(pid, &status, WNOHANG) == -1 && errno == ECHILD
}

private func spawn(
    _ argv: [String], _ scratch: Scratch, name: String = "stderr.log",
    maxLineLength: Int = 4 * 1024 * 1024,
    registry: ProcessGroupRegistry = ProcessRegistry.shared
) throws -> PeerProcess {
    try PeerProcess(
        argv: argv, arguments: [], stderrPath: scratch.file(name),
        maxLineLength: maxLineLength, registry: registry)
}

private func ioError(_ body: () throws(PeerIOError) -> Void) -> PeerIOError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

private func spawnError(_ argv: [String], stderrPath: String?, workingDirectory: String? = nil) -> SpawnError? {
    do {
        _ = try PeerProcess(argv: argv, arguments: [], stderrPath: stderrPath, workingDirectory: workingDirectory)
        return nil
    } catch {
        return error
    }
}

// MARK: - Tests

@Suite struct PeerProcessTests {
    init() { ignoreSIGPIPE() }

    @Test func catEchoesLinesInOrderIncludingALongOne() throws {
        let scratch = Scratch()
        let cat = try spawn(["/bin/cat"], scratch)
        let long = String(repeating: "x", count: 100_000) + "é€"
        let lines = ["{\"id\":1,\"cmd\":\"hello\"}", "", "two", long, "héllo ✓", "last"]
        for line in lines { try cat.send(line: line, deadline: after(.seconds(5))) }
        for line in lines {
            let echoed = try cat.readLine(deadline: after(.seconds(5)))
            #expect(echoed.utf8.count == line.utf8.count)
            #expect(echoed == line)
        }
        #expect(ProcessRegistry.groups.contains(cat.pid))
        let end = cat.finish(grace: .seconds(5))
        #expect(end == .exited(0))
        #expect(end.isCleanExit)
        #expect(end.description == "exit 0")
        #expect(cat.termination == .exited(0))
        #expect(isReaped(cat.pid), "finish must reap the child: no zombie")
        #expect(!ProcessRegistry.groups.contains(cat.pid))
        #expect(cat.finish(grace: .seconds(1)) == .exited(0), "finishing twice returns the same")
        #expect(ioError { () throws(PeerIOError) in _ = try cat.readLine(deadline: after(.seconds(1))) } == .closed)
    }

    @Test func argumentsAreAppendedAndBareNamesAreSearchedInPath() throws {
        let scratch = Scratch()
        let sh = try PeerProcess(
            argv: ["sh", "-c", "echo \"$0|$1|$2\""], arguments: ["--role", "client", "x y"],
            stderrPath: scratch.file("e"))
        #expect(try sh.readLine(deadline: after(.seconds(5))) == "--role|client|x y")
        #expect(sh.commandLine == ["sh", "-c", "echo \"$0|$1|$2\"", "--role", "client", "x y"])
        #expect(sh.finish(grace: .seconds(5)) == .exited(0))
    }

    @Test func childStartsInItsOwnGroupWithDefaultSignalsAndOnlyStdio() throws {
        let scratch = Scratch()
        // The runner ignores SIGPIPE; its children must not inherit that, nor a blocked mask.
        let grep = try spawn(["/bin/grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status"], scratch)
        var fields: [String: UInt64] = [:]
        for _ in 0..<2 {
            let line = try grep.readLine(deadline: after(.seconds(5)))
            let parts = line.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            fields[parts[0]] = UInt64(parts[1], radix: 16)
        }
        #expect(fields["SigBlk"] == 0)
        let ignored = try #require(fields["SigIgn"])
        #expect(ignored & (1 << UInt64(SIGPIPE - 1)) == 0, "SIGPIPE must be at its default in the child")
        #expect(ignored & (1 << UInt64(SIGINT - 1)) == 0)
        #expect(grep.finish(grace: .seconds(5)) == .exited(0))

        // A new process group led by the child itself.
        let sleeper = try spawn(["/bin/sleep", "30"], scratch, name: "e2")
        #expect(getpgid(sleeper.pid) == sleeper.pid)
        #expect(getpgid(sleeper.pid) != getpgrp())
        #expect(fcntl(sleeper.stdoutFD, F_GETFD) & FD_CLOEXEC != 0, "the parent's ends are close-on-exec")
        #expect(sleeper.kill() == .killedAfterTimeout)

        // Only 0, 1 and 2 reach the child (ls adds its own directory descriptor).
        let ls = try spawn(["/bin/ls", "/proc/self/fd"], scratch, name: "e3")
        var fds: [String] = []
        while let line = try? ls.readLine(deadline: after(.seconds(5))) { fds.append(line) }
        #expect(ls.finish(grace: .seconds(5)) == .exited(0))
        #expect(fds.count == 4, "descriptors in the child: \(fds)")
        #expect(Array(fds.prefix(3)) == ["0", "1", "2"])
    }

    @Test func readLineOnASilentChildTimesOutAtItsDeadline() throws {
        let scratch = Scratch()
        let sleeper = try spawn(["/bin/sleep", "30"], scratch)
        let deadline = after(.milliseconds(100))
        let error = ioError { () throws(PeerIOError) in _ = try sleeper.readLine(deadline: deadline) }
        #expect(error == .timeout)
        #expect(ContinuousClock.now >= deadline, "it gave up before its deadline")
        #expect(try sleeper.availableLines().isEmpty)
        #expect(sleeper.pollExit() == nil, "still running")
        let end = sleeper.kill()
        #expect(end == .killedAfterTimeout)
        #expect(end.description == "killed after timeout")
        #expect(isReaped(sleeper.pid))
    }

    @Test func sendTimesOutWhenTheChildDoesNotRead() throws {
        let scratch = Scratch()
        let sleeper = try spawn(["/bin/sleep", "30"], scratch)
        let deadline = after(.milliseconds(100))
        let big = String(repeating: "y", count: 1 << 20)
        let error = ioError { () throws(PeerIOError) in try sleeper.send(line: big, deadline: deadline) }
        #expect(error == .timeout)
        #expect(ContinuousClock.now >= deadline, "it gave up before its deadline")
        #expect(ioError { () throws(PeerIOError) in try sleeper.send(line: "a\nb", deadline: after(.seconds(1))) } != nil)
        #expect(sleeper.kill() == .killedAfterTimeout)
    }

    @Test func stderrGoesToAPrivateFileAndItsTailIsReadable() throws {
        let scratch = Scratch()
        let script = "i=0; while [ $i -lt 2000 ]; do echo \"log line $i\" >&2; i=$((i+1)); done; echo done"
        let sh = try spawn(["/bin/sh", "-c", script], scratch, name: "peer.stderr")
        #expect(try sh.readLine(deadline: after(.seconds(10))) == "done")
        #expect(sh.finish(grace: .seconds(5)) == .exited(0))

        let tail = sh.stderrTail(maxBytes: 100)
        #expect(tail.hasPrefix("log line "), "cut at a line start: \(tail.debugDescription)")
        #expect(tail.hasSuffix("log line 1999\n"))
        #expect(tail.utf8.count <= 100)
        #expect(sh.stderrTail().hasSuffix("log line 1998\nlog line 1999\n"))
        #expect(sh.stderrTail().utf8.count <= 4096 && sh.stderrTail().utf8.count > 4000)

        var st = stat()
        #expect(stat(scratch.file("peer.stderr"), &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)

        // Small files come back whole; a cut without a newline still starts on a character.
        let small = try spawn(["/bin/sh", "-c", "printf 'hello\\nwörld' >&2"], scratch, name: "small")
        #expect(small.finish(grace: .seconds(5)) == .exited(0))
        #expect(small.stderrTail() == "hello\nwörld")
        #expect(small.stderrTail(maxBytes: 4) == "rld")
        #expect(small.stderrTail(maxBytes: 5) == "örld")
    }

    @Test func crashesAndExitCodesAreReported() throws {
        let scratch = Scratch()
        let segv = try spawn(["/bin/sh", "-c", "ulimit -c 0; kill -SEGV $$"], scratch)
        let crash = segv.finish(grace: .seconds(5))
        #expect(crash == .signaled(11))
        #expect(crash.description == "signal 11 (SIGSEGV)")
        #expect(!crash.isCleanExit)

        let abrt = try spawn(["/bin/sh", "-c", "ulimit -c 0; kill -ABRT $$"], scratch, name: "e2")
        #expect(abrt.finish(grace: .seconds(5)).description == "signal 6 (SIGABRT)")

        let three = try spawn(["/bin/sh", "-c", "exit 3"], scratch, name: "e3")
        var seen: Termination?
        let end = after(.seconds(5))
        while seen == nil && ContinuousClock.now < end {
            seen = three.pollExit()
            if seen == nil { usleep(2_000) }
        }
        #expect(seen == .exited(3))
        #expect(seen?.description == "exit 3")
        #expect(seen?.isCleanExit == false)
        #expect(isReaped(three.pid))
        #expect(three.kill() == .exited(3), "after the fact, kill reports how it really ended")
        #expect(Termination.signaled(64).description == "signal 64")
    }

    @Test func killTakesTheWholeProcessGroup() throws {
        let scratch = Scratch()
        let sh = try spawn(["/bin/sh", "-c", "sleep 100 & echo $!; wait"], scratch)
        let grandchild = try #require(Int32(sh.readLine(deadline: after(.seconds(5)))))
        #expect(isAlive(sh.pid) && isAlive(grandchild))
        #expect(getpgid(grandchild) == sh.pid)
        #expect(sh.kill() == .killedAfterTimeout)
        #expect(isReaped(sh.pid))
        #expect(becomesDead(grandchild), "the background grandchild must die with its group")
        #expect(groupEnds(sh.pid), "left in the group: \(liveMembers(ofGroup: sh.pid))")
    }

    @Test func finishKillsAChildThatIgnoresStdinCloseAfterTheGrace() throws {
        let scratch = Scratch()
        let sleeper = try spawn(["/bin/sleep", "30"], scratch)
        let graceEnds = after(.milliseconds(300))
        let end = sleeper.finish(grace: .milliseconds(300))
        #expect(end == .killedAfterTimeout, "killed by us, not ended on its own")
        #expect(ContinuousClock.now >= graceEnds, "killed before its grace was over")
        #expect(isReaped(sleeper.pid))
        #expect(!isAlive(sleeper.pid))
        #expect(groupEnds(sleeper.pid))
    }

    @Test func finishKillsAGrandchildLeftBehindByACleanExit() throws {
        let scratch = Scratch()
        let sh = try spawn(["/bin/sh", "-c", "sleep 100 & echo $!; exec cat"], scratch)
        let grandchild = try #require(Int32(sh.readLine(deadline: after(.seconds(5)))))
        #expect(isAlive(grandchild))
        #expect(sh.finish(grace: .seconds(30)) == .exited(0), "cat exits when its stdin closes, and was not killed")
        #expect(isReaped(sh.pid))
        #expect(becomesDead(grandchild))
        #expect(groupEnds(sh.pid), "left in the group: \(liveMembers(ofGroup: sh.pid))")
    }

    @Test func droppingAPeerKillsAndReapsIt() throws {
        let scratch = Scratch()
        var pid: Int32 = 0
        do {
            let sleeper = try spawn(["/bin/sleep", "30"], scratch)
            pid = sleeper.pid
            #expect(isAlive(pid))
        }
        #expect(isReaped(pid))
        #expect(!isAlive(pid))
        #expect(!ProcessRegistry.groups.contains(pid))
    }

    @Test func spawnErrorsNameTheProgram() throws {
        let scratch = Scratch()
        let missing = try #require(spawnError(["/nonexistent/peer-v9"], stderrPath: scratch.file("e")))
        #expect(missing.description == "cannot start /nonexistent/peer-v9: No such file or directory")
        #expect(missing.errno == ENOENT)

        let bare = try #require(spawnError(["no-such-peer-program-xyz", "--x"], stderrPath: scratch.file("e")))
        #expect(bare.description.contains("no-such-peer-program-xyz"))
        #expect(bare.description.contains("searched PATH"))

        let plain = scratch.file("not-executable")
        #expect(
            FileManager.default.createFile(
                atPath: plain, contents: Data("#!/bin/sh\necho hi\n".utf8),
                attributes: [.posixPermissions: 0o644]))
        let denied = try #require(spawnError([plain], stderrPath: scratch.file("e")))
        #expect(denied.description == "cannot start \(plain): Permission denied")

        let folder = try #require(spawnError([scratch.path], stderrPath: scratch.file("e")))
        #expect(folder.description.contains(scratch.path))

        let empty = try #require(spawnError([], stderrPath: scratch.file("e")))
        #expect(empty.description.contains("empty"))

        let noStderr = try #require(spawnError(["/bin/cat"], stderrPath: scratch.file("missing/dir/e")))
        #expect(noStderr.description.contains("/bin/cat"))
        #expect(noStderr.description.contains("missing/dir/e"))
    }

    @Test func waitForAnyLineReturnsThePeerThatWroteFirst() throws {
        let scratch = Scratch()
        let a = try spawn(["/bin/cat"], scratch, name: "a")
        let b = try spawn(["/bin/cat"], scratch, name: "b")
        defer {
            _ = a.kill()
            _ = b.kill()
        }
        let peers = [a, b]

        let deadline = after(.milliseconds(100))
        #expect(waitForAnyLine(peers, deadline: deadline).isEmpty)
        #expect(ContinuousClock.now >= deadline, "it gave up before its deadline")

        try b.send(line: "from b", deadline: after(.seconds(5)))
        #expect(waitForAnyLine(peers, deadline: after(.seconds(5))) == [1])
        #expect(try b.readLine(deadline: after(.seconds(1))) == "from b")

        try a.send(line: "from a", deadline: after(.seconds(5)))
        #expect(waitForAnyLine(peers, deadline: after(.seconds(5))) == [0])
        // Only the peer with something to say is ready.
        try b.send(line: "b again", deadline: after(.seconds(5)))
        #expect(try a.readLine(deadline: after(.seconds(1))) == "from a")
        let both = waitForAnyLine(peers, deadline: after(.seconds(5)))
        #expect(both == [1])
        #expect(try b.availableLines() == ["b again"])

        // A peer whose stdout ends is ready too (readLine then says .closed).
        let quitter = try spawn(["/bin/sh", "-c", "exit 0"], scratch, name: "q")
        #expect(waitForAnyLine([a, quitter], deadline: after(.seconds(5))) == [1])
        #expect(ioError { () throws(PeerIOError) in _ = try quitter.readLine(deadline: after(.seconds(1))) } == .closed)
        #expect(quitter.finish(grace: .seconds(5)) == .exited(0))
    }

    @Test func writingToAnExitedChildIsClosedNotACrash() throws {
        let scratch = Scratch()
        let quitter = try spawn(["/bin/sh", "-c", "exit 0"], scratch)
        let end = after(.seconds(5))
        while quitter.pollExit() == nil && ContinuousClock.now < end { usleep(2_000) }
        #expect(quitter.termination == .exited(0))
        let big = String(repeating: "z", count: 200_000)
        #expect(ioError { () throws(PeerIOError) in try quitter.send(line: big, deadline: after(.seconds(2))) } == .closed)
        #expect(ioError { () throws(PeerIOError) in try quitter.send(line: "x", deadline: after(.seconds(2))) } == .closed)

        let cat = try spawn(["/bin/cat"], scratch, name: "cat")
        #expect(cat.finish(grace: .seconds(5)) == .exited(0))
        #expect(ioError { () throws(PeerIOError) in try cat.send(line: "after finish", deadline: after(.seconds(1))) } == .closed)
    }

    @Test func aLineOverTheLimitIsAnError() throws {
        let scratch = Scratch()
        let cat = try spawn(["/bin/cat"], scratch, maxLineLength: 1000)
        try cat.send(line: "short", deadline: after(.seconds(5)))
        try cat.send(line: String(repeating: "w", count: 5000), deadline: after(.seconds(5)))
        #expect(try cat.readLine(deadline: after(.seconds(5))) == "short")
        let error = ioError { () throws(PeerIOError) in _ = try cat.readLine(deadline: after(.seconds(5))) }
        guard case .lineTooLong(let n)? = error else {
            Issue.record("expected lineTooLong, got \(String(describing: error))")
            return
        }
        #expect(n > 1000)
        #expect(cat.kill() == .killedAfterTimeout)
    }

    @Test func aLongLineUnderTheDefaultLimitArrivesWhole() throws {
        let scratch = Scratch()
        let sh = try spawn(["/bin/sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' a; echo; echo next"], scratch)
        let line = try sh.readLine(deadline: after(.seconds(30)))
        #expect(line.utf8.count == 3_000_000)
        #expect(line.utf8.allSatisfy { $0 == UInt8(ascii: "a") })
        #expect(try sh.readLine(deadline: after(.seconds(30))) == "next")
        #expect(sh.finish(grace: .seconds(5)) == .exited(0))
    }

    @Test func availableLinesTakesWhatIsThereWithoutWaiting() throws {
        let scratch = Scratch()
        let sh = try spawn(["/bin/sh", "-c", "echo one; echo two; printf three"], scratch)
        #expect(sh.finish(grace: .seconds(5)) == .exited(0))
        // The unterminated last line comes at EOF; then the stream is closed.
        #expect(try sh.availableLines() == ["one", "two", "three"])
        #expect(ioError { () throws(PeerIOError) in _ = try sh.availableLines() } == .closed)
    }

    @Test func registryKillAllKillsEveryGroupAndRefusesNewOnes() throws {
        let scratch = Scratch()
        let registry = ProcessGroupRegistry()
        let sh = try spawn(["/bin/sh", "-c", "sleep 100 & echo $!; wait"], scratch, registry: registry)
        let other = try spawn(["/bin/sleep", "30"], scratch, name: "e2", registry: registry)
        let grandchild = try #require(Int32(sh.readLine(deadline: after(.seconds(5)))))
        #expect(registry.groups == [sh.pid, other.pid])

        #expect(registry.killAll() == 2)
        #expect(registry.isClosed)
        #expect(becomesDead(grandchild))
        var ends: [Termination?] = [nil, nil]
        let end = after(.seconds(5))
        while ends.contains(nil) && ContinuousClock.now < end {
            ends = [sh.pollExit(), other.pollExit()]
            usleep(2_000)
        }
        #expect(ends == [.signaled(SIGKILL), .signaled(SIGKILL)])
        #expect(isReaped(sh.pid) && isReaped(other.pid))

        // After an interrupt nothing new may start.
        do {
            _ = try spawn(["/bin/sleep", "30"], scratch, name: "e3", registry: registry)
            Issue.record("spawn after killAll must fail")
        } catch {
            #expect("\(error)".contains("shutting down"))
        }
    }

    @Test func fiftySpawnsEachEndReapedAndUnregistered() throws {
        let scratch = Scratch()
        for i in 0..<50 {
            let p = try spawn(["/bin/true"], scratch, name: "t\(i)")
            #expect(p.finish(grace: .seconds(30)) == .exited(0))
            #expect(isReaped(p.pid) && !ProcessRegistry.groups.contains(p.pid), "spawn \(i): pid \(p.pid) is left")
        }
    }

    @Test func runToItsEndCapturesStatusAndOutput() throws {
        let scratch = Scratch()
        let run = try PeerProcess.run(
            ["/bin/sh", "-c", "pwd; echo \"$MARK\"; echo oops >&2; exit 3"],
            environment: ["MARK": "marked", "PATH": "/usr/bin:/bin"], workingDirectory: scratch.path)
        #expect(run.termination == .exited(3))
        #expect(run.stdoutText == "\(scratch.path)\nmarked\n")
        #expect(run.stderr == "oops\n")

        // Too slow, or too much output: killed with its group, nothing of its stdout returned.
        let slow = try PeerProcess.run(["/bin/sh", "-c", "echo started; exec sleep 30"], timeout: .milliseconds(200))
        #expect(slow.termination == .killedAfterTimeout && slow.stdout.isEmpty)
        let talkative = try PeerProcess.run(["/bin/sh", "-c", "head -c 1000000 /dev/zero; sleep 30"], maxOutput: 1000)
        #expect(talkative.termination == .killedAfterTimeout && talkative.stdout.isEmpty)

        let missing = try #require(spawnError(["/nonexistent/git"], stderrPath: nil))
        #expect(missing.description == "cannot start /nonexistent/git: No such file or directory")
        let noFolder = try #require(spawnError(["/bin/true"], stderrPath: nil, workingDirectory: scratch.file("none")))
        #expect(noFolder.description == "cannot start /bin/true: No such file or directory (to start in \(scratch.file("none")))")
    }

    @Test("one owner of child processes: one posix_spawn call in the project, no Foundation Process, no dlsym")
    func oneSpawnerInTheWholeProject() throws {
        let root = Built.repositoryRoot
        var found: [String: [String]] = [:]
        for folder in ["Sources", "Tests", "Fuzz"] {
            guard let walker = FileManager.default.enumerator(atPath: root + "/" + folder) else { continue }
            while let relative = walker.nextObject() as? String {
                guard relative.hasSuffix(".swift") || relative.hasSuffix(".c") || relative.hasSuffix(".h"),
                    let text = try? String(contentsOfFile: "\(root)/\(folder)/\(relative)", encoding: .utf8)
                else { continue }
                for needle in ["posix_spawn(", "posix_spawnp(", "Process()", "dlsym(", "unsafeBitCast("] where text.contains(needle) {
                    found[needle, default: []].append("\(folder)/\(relative)")
                }
            }
        }
        // This file names the needles, and so is not counted.
        func files(_ needle: String) -> Set<String> { Set(found[needle] ?? []).filter { !$0.hasSuffix("/PeerProcessTests.swift") } }
        let spawns = files("posix_spawn(").union(files("posix_spawnp("))
        #expect(spawns == ["Sources/CompatRunner/Runner/Spawn.swift"], "posix_spawn is called in \(spawns.sorted())")
        let others = ["Process()", "dlsym(", "unsafeBitCast("].flatMap { needle in files(needle).sorted().map { "\(needle) in \($0)" } }
        #expect(others.isEmpty, "\(others)")
    }
}
