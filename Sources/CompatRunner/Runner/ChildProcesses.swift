// This process's children as the kernel sees them (Linux /proc), whoever started them: the
// orphans it adopted as a child subreaper are among them.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The pids of this process's children now, zombies included: each thread's
/// /proc/self/task/TID/children, or, where the kernel has no such file, every /proc/PID/stat's parent.
func childProcesses() -> [Int32] {
    let tasks = directoryEntries("/proc/self/task")
    var children: [Int32] = []
    for task in tasks {
        guard let text = readSmallFile("/proc/self/task/\(task)/children") else { return childrenByScanningProc() }
        children += text.split(separator: " ").compactMap { Int32($0) }
    }
    return children
}

/// Every process of /proc whose parent is this process (slower: one file per process).
private func childrenByScanningProc() -> [Int32] {
    let me = getpid()
    return directoryEntries("/proc").compactMap(Int32.init).filter { pid in
        guard let stat = readSmallFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return false }
        // After "pid (comm)": the state, then the parent's pid.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 && Int32(fields[1]) == me
    }
}

/// The names in a folder, "." and ".." left out; none when it cannot be read.
private func directoryEntries(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// A /proc file's text; nil when it cannot be opened.
private func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        bytes += chunk[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
