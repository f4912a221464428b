// A program run to its end through the runner's one spawner: how it ended and what it wrote
// (`git` for a schema baseline at a ref; `compat` and the peers' command lines in the tests).

/// A program that has run to its end.
public struct CompletedProcess: Sendable {
    public var termination: Termination
    /// Everything it wrote on stdout (empty when it wrote too much or took too long).
    public var stdout: [UInt8]
    /// Its stderr as kept: whole when short, else its first and last 64 KiB.
    public var stderr: String

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

extension PeerProcess {
    /// Runs `argv` with its stdin closed until it has closed its stdout and exited. Past `timeout`,
    /// or with more than `maxOutput` bytes of stdout, it is killed with its process group.
    public static func run(
        _ argv: [String], environment: [String: String]? = nil, workingDirectory: String? = nil,
        timeout: Duration = .seconds(60), maxOutput: Int = 64 << 20
    ) throws(SpawnError) -> CompletedProcess {
        let process = try PeerProcess(
            argv: argv, stderrPath: nil, environment: environment, workingDirectory: workingDirectory,
            maxLineLength: maxOutput)
        process.closeStdin()
        let deadline = ContinuousClock.now + timeout
        let output = try? process.readToEnd(deadline: deadline)
        let termination = output == nil ? process.kill() : process.finish(grace: ContinuousClock.now.duration(to: deadline))
        return CompletedProcess(termination: termination, stdout: output ?? [], stderr: process.stderrText)
    }
}
