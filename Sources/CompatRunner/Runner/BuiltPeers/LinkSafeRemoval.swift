// Removing from the peer cache without following symbolic links: a cache restored by CI, or
// written by anyone, may hold links to anywhere, and only the link itself is the cache's.

import Foundation

enum LinkSafeRemoval {
    /// Removes `path` as lstat(2) sees it: a link or a file is unlinked (never what a link points
    /// to), a folder emptied the same way and then removed. Nothing at `path` is no error.
    static func remove(_ path: String) throws(ConfigError) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT { return }
            throw failure(path, errno)
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            guard unlink(path) == 0 || errno == ENOENT else { throw failure(path, errno) }
            return
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw ConfigError("cannot list \(path) to remove it: \(error.localizedDescription)")
        }
        for name in names { try remove("\(path)/\(name)") }
        guard rmdir(path) == 0 || errno == ENOENT else { throw failure(path, errno) }
    }

    private static func failure(_ path: String, _ code: Int32) -> ConfigError {
        ConfigError("cannot remove \(path): \(String(cString: strerror(code)))")
    }

    /// Whether `path` is a folder itself, not a link to one.
    static func isRealFolder(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }
}
