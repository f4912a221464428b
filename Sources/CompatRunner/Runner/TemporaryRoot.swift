// Where cells make their private folders: $TMPDIR, else /tmp. Checked before the first cell
// starts, so a folder that is missing or read-only is a configuration error naming TMPDIR, and
// one too long for a cell's unix socket path gives way to /tmp, instead of every cell failing.

import Foundation

public struct TemporaryRoot: Sendable, Equatable {
    /// The real path (no links, no '.', no '//') cell folders are made in.
    public let path: String
    /// Set when cells do not go where they were told (that folder is too long): what to tell the user.
    public let note: String?

    static let fallback = "/tmp"
    /// A cell folder is PREFIX-XXXXXX, the ipc socket in it gateway.sock.
    static let uniqueSuffix = "-XXXXXX"
    static let socket = "/gateway.sock"
    /// Every prefix starts with it; the root must leave room for at least this much.
    static let shortestPrefix = "compat"

    /// `configured` (RunOptions.temporaryRoot), else $TMPDIR, else /tmp; /tmp when that one is too long.
    public static func resolve(_ configured: String? = nil) throws(ConfigError) -> TemporaryRoot {
        let origin = Origin(configured)
        let path = try usablePath(origin)
        if fits(path) { return TemporaryRoot(path: path, note: nil) }
        let tooLong =
            "\(origin.named) is too long for a cell's unix socket path (\(socketPathLength(path)) bytes with the "
            + "cell's folder and socket; the limit is \(Endpoint.ipcPathLimit))"
        let fallbackPath = try usablePath(.fallback)
        guard origin != .fallback, fits(fallbackPath) else {
            throw ConfigError("\(tooLong), and so is \(fallback) (\(fallbackPath)): set TMPDIR to a shorter folder")
        }
        return TemporaryRoot(path: fallbackPath, note: "\(tooLong): cells make their private folders in \(fallback) instead")
    }

    /// `prefix`, shortened so a socket in a folder named after it fits: a name only helps people find a kept folder.
    static func fitted(_ prefix: String, in root: String) -> String {
        var budget = Endpoint.ipcPathLimit - socketPathLength(root) + shortestPrefix.utf8.count
        return String(
            prefix.prefix { character in
                budget -= character.utf8.count
                return budget >= 0
            })
    }

    /// The socket path of the shortest cell folder in `root`, in bytes.
    private static func socketPathLength(_ root: String) -> Int {
        root.utf8.count + 1 + shortestPrefix.utf8.count + uniqueSuffix.utf8.count + socket.utf8.count
    }

    private static func fits(_ root: String) -> Bool { socketPathLength(root) <= Endpoint.ipcPathLimit }

    /// The real path of a folder this user can make folders in, or what is wrong with it.
    private static func usablePath(_ origin: Origin) throws(ConfigError) -> String {
        var info = stat()
        let problem: String? =
            if stat(origin.path, &info) != 0 {
                "does not exist"
            } else if info.st_mode & S_IFMT != S_IFDIR {
                "is not a folder"
            } else if !canMakeFolder(in: origin.path) {
                "is not writable by this user"
            } else {
                nil
            }
        if let problem { throw ConfigError("\(origin.named): \(problem): each cell makes its private folder there; \(origin.fix)") }
        guard let real = realpath(origin.path, nil) else { return origin.path }
        defer { free(real) }
        return String(cString: real)
    }

    /// Whether a folder can be made in `path`, tried for real: `access` says yes to root even
    /// where no folder can be made (a read-only mount, /proc).
    private static func canMakeFolder(in path: String) -> Bool {
        var template = Array("\(path)/compat-probe-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { return false }
        rmdir(made)
        return true
    }

    /// Who chose the folder: the message names it and says how to fix it.
    private enum Origin: Equatable {
        case option(String)
        case environment(String)
        case fallback

        init(_ configured: String?) {
            if let configured {
                self = .option(configured)
            } else if let tmpdir = ProcessInfo.processInfo.environment["TMPDIR"], !tmpdir.isEmpty {
                self = .environment(tmpdir)
            } else {
                self = .fallback
            }
        }

        var path: String {
            switch self {
            case .option(let path), .environment(let path): path
            case .fallback: TemporaryRoot.fallback
            }
        }

        var named: String {
            switch self {
            case .option(let path): "the temporary folder \(path)"
            case .environment(let path): "TMPDIR=\(path)"
            case .fallback: TemporaryRoot.fallback
            }
        }

        var fix: String {
            switch self {
            case .option: "give a folder you can write to"
            case .environment: "set TMPDIR to a folder you can write to, or unset it"
            case .fallback: "set TMPDIR to a folder you can write to"
            }
        }
    }
}

/// A cell's private folder (mode 0700): in `root` as TemporaryRoot resolves it, its name
/// `prefix` shortened as far as the ipc socket path in it needs.
func makeCellFolder(prefix: String, in root: String? = nil) throws -> String {
    let base = try TemporaryRoot.resolve(root).path
    return try makePrivateDirectory(prefix: TemporaryRoot.fitted(prefix, in: base), in: base)
}
