// What `compat peers prune` removes, removed safely: never through a symbolic link (only the link
// goes), and never the work folder of a build that is running (it holds the folder's lock).

import Foundation

extension PeerCache {
    /// Whether a build holds the lock of `path`, a work folder or a lock of `leftoverWork()`.
    public func buildIsRunning(in path: String) throws(ConfigError) -> Bool {
        if case .held = try WorkLock.claim(Self.lockPath(of: path), create: false) { return true }
        return false
    }

    /// Removes `path`, an entry, a product or a leftover of `leftoverWork()`, without following
    /// links; false (and nothing removed) when it is the work of a build that is running.
    public func remove(_ path: String) throws(ConfigError) -> Bool {
        guard (path as NSString).lastPathComponent.hasPrefix(Self.workPrefix) else {
            try LinkSafeRemoval.remove(path)
            return true
        }
        switch try WorkLock.claim(Self.lockPath(of: path), create: false) {
        case .held:
            return false
        case .absent:
            try LinkSafeRemoval.remove(path)
        case .taken(let lock):
            try LinkSafeRemoval.remove(path)
            lock.unlinkFile()
        }
        return true
    }

    private static func lockPath(of path: String) -> String {
        path.hasSuffix(".lock") ? path : WorkLock.path(ofWork: path)
    }
}
