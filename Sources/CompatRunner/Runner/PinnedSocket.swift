// The ipc socket a gateway reported, held by compat (T2). The gateway may replace the file at
// its path once it has reported it (a link to elsewhere, another socket): the client is sent to
// /proc/COMPAT/fd/N, which names the socket compat checked, whatever the path names later.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

final class PinnedSocket {
    /// The path the gateway reported, inside the run's folder.
    let path: String
    /// Open while the run lasts; its number is part of the endpoint clients are given.
    private let descriptor: Int32

    /// Opens `path`, inside `folder`, component by component without following a link, and
    /// keeps it when it is a socket.
    init(path: String, folder: String) throws(Endpoint.Refusal) {
        self.path = path
        descriptor = try Self.openSocket(path, folder: folder)
    }

    deinit { close(descriptor) }

    /// Where clients connect: the socket itself, through compat's descriptor.
    var endpoint: String { "ipc:///proc/\(getpid())/fd/\(descriptor)" }

    /// A new gateway bound the same path (an upgrade): the endpoint clients were given now names
    /// its socket, in one step, so their reconnections reach it.
    func repin(folder: String) throws(Endpoint.Refusal) {
        let replacement = try Self.openSocket(path, folder: folder)
        defer { close(replacement) }
        guard dup2(replacement, descriptor) >= 0 else {
            throw Endpoint.Refusal("it could not be held (\(String(cString: strerror(errno))))")
        }
    }

    private static func openSocket(_ path: String, folder: String) throws(Endpoint.Refusal) -> Int32 {
        guard path.hasPrefix(folder + "/") else { throw Endpoint.Refusal("an ipc endpoint must be inside the cell's folder \(folder)") }
        var names = path.dropFirst(folder.count + 1).split(separator: "/").map(String.init)
        let last = names.removeLast()
        var directory: Int32 = -1
        defer { if directory >= 0 { close(directory) } }
        do {
            directory = try openPath(folder, mustBeDirectory: true)
            for name in names {
                let next = try openPath(name, in: directory, mustBeDirectory: true)
                close(directory)
                directory = next
            }
        } catch {
            throw Endpoint.Refusal(
                "its folder is not a folder inside the cell's folder \(folder) (\(String(cString: strerror(error.errno))))")
        }
        let socket: Int32
        do {
            socket = try openPath(last, in: directory)
        } catch {
            throw Endpoint.Refusal("nothing is bound there (\(String(cString: strerror(error.errno)))); P4: listen answers once bound")
        }
        var info = stat()
        guard fstat(socket, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else {
            close(socket)
            let what = info.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : "not a socket"
            throw Endpoint.Refusal("it is \(what), not the socket a gateway binds")
        }
        return socket
    }
}
