// Fallback driver for when libFuzzer cannot be built: a seeded mutation loop over the same
// `LLVMFuzzerTestOneInput` target (DecodeFuzzer.swift), compiled without sanitizers.
// scripts/fuzz uses it only when `swiftc -sanitize=fuzzer` fails; it takes a subset of
// libFuzzer's flags so the script drives both the same way:
//   decode-mutator [-runs=N] [-max_total_time=S] [-max_len=N] [-timeout=S] [-seed=N]
//                  [-artifact_prefix=DIR/] CORPUS_DIR_OR_FILE...
// With -runs=0 it only runs the given inputs (replay).
// A trap, crash or hang writes the input to <artifact_prefix>crash-input / timeout-input.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

nonisolated(unsafe) private var currentInput = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
nonisolated(unsafe) private var currentSize = 0
nonisolated(unsafe) private var crashPath: UnsafeMutablePointer<CChar>? = nil
nonisolated(unsafe) private var timeoutPath: UnsafeMutablePointer<CChar>? = nil

private func saveInputAndExit(_ path: UnsafeMutablePointer<CChar>?, _ message: StaticString) -> Never {
    if let path {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd >= 0 {
            _ = write(fd, currentInput, currentSize)
            close(fd)
        }
    }
    _ = message.withUTF8Buffer { write(2, $0.baseAddress, $0.count) }
    _exit(1)
}

// The tests' seeded generator (Tests/Shared/SeededRandom, compiled in by scripts/fuzz):
// reproducible from -seed.
extension SeededGenerator {
    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }
}

/// Values that sit on the decoder's limits: lengths, counts, versions.
private let interesting16: [UInt16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 16, 24, 28, 40, 63, 64, 65, 0x7F, 0x80, 0xFF, 0x100,
                                       1023, 1024, 1025, 4088, 4096, 4097, 0x4754, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF]

private func mutate(_ input: inout [UInt8], _ rng: inout SeededGenerator, corpus: [[UInt8]], maxLength: Int) {
    for _ in 0...rng.below(4) {
        switch rng.below(9) {
        case 0 where !input.isEmpty:  // flip a bit
            input[rng.below(input.count)] ^= UInt8(1) << UInt8(rng.below(8))
        case 1 where !input.isEmpty:  // random byte
            input[rng.below(input.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 2 where input.count >= 2:  // an interesting u16, little-endian
            let at = rng.below(input.count - 1)
            let value = interesting16[rng.below(interesting16.count)]
            input[at] = UInt8(value & 0xFF)
            input[at + 1] = UInt8(value >> 8)
        case 3:  // insert bytes
            let at = rng.below(input.count + 1)
            let count = 1 + rng.below(16)
            input.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
        case 4 where !input.isEmpty:  // erase bytes
            let at = rng.below(input.count)
            input.removeSubrange(at..<min(input.count, at + 1 + rng.below(16)))
        case 5 where !input.isEmpty:  // truncate
            input.removeLast(rng.below(input.count) + 1)
        case 6 where !input.isEmpty:  // duplicate a chunk
            let at = rng.below(input.count)
            let chunk = input[at..<min(input.count, at + 1 + rng.below(32))]
            input.insert(contentsOf: chunk, at: rng.below(input.count + 1))
        case 7 where !corpus.isEmpty:  // splice with another seed
            let other = corpus[rng.below(corpus.count)]
            let cut = rng.below(input.count + 1)
            let from = rng.below(other.count + 1)
            input = Array(input[..<cut]) + other[from...]
        default:  // set a header u16 (blockLength, templateId, schemaId, version) to an interesting value
            if input.count >= 8 {
                let at = 2 * rng.below(4)
                let value = interesting16[rng.below(interesting16.count)]
                input[at] = UInt8(value & 0xFF)
                input[at + 1] = UInt8(value >> 8)
            }
        }
    }
    if input.count > maxLength { input.removeLast(input.count - maxLength) }
}

private func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return bytes
}

private func listFiles(_ directory: String) -> [String] {
    guard let dir = opendir(directory) else { return [directory] }  // a file: itself
    defer { closedir(dir) }
    var paths: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name.hasPrefix(".") { continue }
        paths.append(directory + "/" + name)
    }
    return paths.sorted()
}

private func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

@main
struct MutationDriver {
    static func main() {
        var runs = -1, maxTotalTime = 0, maxLength = 8192, timeout = 5
        var seed: UInt64 = 1
        var artifactPrefix = "./"
        var directories: [String] = []
        for argument in CommandLine.arguments.dropFirst() {
            func value(_ flag: String) -> String? { argument.hasPrefix(flag) ? String(argument.dropFirst(flag.count)) : nil }
            if let v = value("-runs=") { runs = Int(v) ?? runs }
            else if let v = value("-max_total_time=") { maxTotalTime = Int(v) ?? 0 }
            else if let v = value("-max_len=") { maxLength = min(Int(v) ?? maxLength, 1 << 16) }
            else if let v = value("-timeout=") { timeout = Int(v) ?? timeout }
            else if let v = value("-seed=") { seed = UInt64(v) ?? seed }
            else if let v = value("-artifact_prefix=") { artifactPrefix = v }
            else if argument.hasPrefix("-") { continue }  // other libFuzzer flags: ignored
            else { directories.append(argument) }
        }
        crashPath = strdup(artifactPrefix + "crash-input")
        timeoutPath = strdup(artifactPrefix + "timeout-input")
        for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            signal(sig) { _ in saveInputAndExit(crashPath, "==mutator== deadly signal; input saved as crash-input\n") }
        }
        signal(SIGALRM) { _ in saveInputAndExit(timeoutPath, "==mutator== timeout; input saved as timeout-input\n") }

        var corpus = directories.flatMap(listFiles).compactMap(readFile).map { Array($0.prefix(maxLength)) }
        if corpus.isEmpty && runs != 0 { corpus = [[]] }
        var rng = SeededGenerator(seed: seed)
        let start = now()
        var executed = 0
        func run(_ input: [UInt8]) {
            currentSize = input.count
            input.withUnsafeBufferPointer { buffer in
                if let base = buffer.baseAddress { currentInput.update(from: base, count: buffer.count) }
                alarm(UInt32(timeout))
                _ = fuzz(currentInput, currentSize)
                alarm(0)
            }
            executed += 1
        }
        for seedInput in corpus { run(seedInput) }  // the seeds themselves first
        var nextReport = 1 << 16
        while (runs < 0 || executed < runs) && !corpus.isEmpty {
            var input = corpus[rng.below(corpus.count)]
            mutate(&input, &rng, corpus: corpus, maxLength: maxLength)
            run(input)
            if executed >= nextReport {
                nextReport <<= 1
                let elapsed = now() - start
                print("#\(executed)\tpulse exec/s: \(Int(Double(executed) / max(elapsed, 1e-9)))")
                if maxTotalTime > 0 && elapsed >= Double(maxTotalTime) { break }
            }
            if maxTotalTime > 0 && executed % 65536 == 0 && now() - start >= Double(maxTotalTime) { break }
        }
        let elapsed = now() - start
        print("stat::number_of_executed_units: \(executed)")
        print("stat::average_exec_per_sec:     \(Int(Double(executed) / max(elapsed, 1e-9)))")
        print("Done \(executed) runs in \(Int(elapsed)) second(s)")
    }
}
