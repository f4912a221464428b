// An SBE schema file as it was at a git ref (`compat schema diff --baseline REF[:PATH]`): the
// file and the files beside it (what its xi:include may name, its profile sidecar) are copied
// out of git into a temporary folder, read there, and the folder removed.

import Foundation
import SBE

public enum SchemaAtRef {
    /// The most files and bytes taken from the schema's folder at the ref: git output is untrusted input.
    static let maximumFiles = 256
    static let maximumBytes = 64 << 20

    /// Reads `path` (relative to the current folder, inside a git work tree) at `ref` with `read`,
    /// which gets the path of the copy. The description names the ref and the path.
    public static func load<T>(
        ref: String, path: String, read: (String) throws(ConfigError) -> T
    ) throws(ConfigError) -> (value: T, description: String) {
        guard !ref.isEmpty, !ref.hasPrefix("-"), !ref.contains(where: \.isWhitespace) else {
            throw ConfigError("--baseline \(ref): not a git ref")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let gitFolder = folder.isEmpty ? "." : folder
        let name = (path as NSString).lastPathComponent
        let copy = NSTemporaryDirectory() + "compat-schema-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
        } catch {
            throw ConfigError("cannot create a temporary folder for the schema at \(ref): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try copyFolder(at: ref, gitFolder: gitFolder, into: copy, wanted: name)
        return (try read(copy + "/" + name), "\(path) at git ref \(ref)")
    }

    /// Copies the regular files of `gitFolder` at `ref` (not its subfolders) into `copy`.
    private static func copyFolder(at ref: String, gitFolder: String, into copy: String, wanted: String) throws(ConfigError) {
        let listing = try git(["ls-tree", "-z", "--name-only", "\(ref):./"], in: gitFolder, ref: ref, what: "the folder \(gitFolder)")
        let names = listing.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard names.contains(wanted) else {
            throw ConfigError("--baseline \(ref): no \(wanted) in \(gitFolder) at git ref \(ref)")
        }
        var total = 0
        for name in names.prefix(maximumFiles) where isPlainName(name) && (name.hasSuffix(".xml") || name.hasSuffix(".json")) {
            let bytes = try git(["show", "\(ref):./\(name)"], in: gitFolder, ref: ref, what: name)
            total += bytes.count
            guard total <= maximumBytes else {
                throw ConfigError("--baseline \(ref): the schema's folder holds more than \(maximumBytes >> 20) MiB of XML and JSON")
            }
            guard FileManager.default.createFile(atPath: copy + "/" + name, contents: Data(bytes)) else {
                throw ConfigError("cannot write \(name) of git ref \(ref) into \(copy)")
            }
        }
    }

    /// A file name git listed that stays inside the copy's folder.
    private static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && name != "." && name != ".."
    }

    private static func git(_ arguments: [String], in folder: String, ref: String, what: String) throws(ConfigError) -> [UInt8] {
        let result = SchemaBaseline.runGit(arguments, in: folder)
        guard let result, result.termination == .exited(0) else {
            let why = result.map { $0.stderr.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "cannot run git"
            throw ConfigError("--baseline \(ref): cannot read \(what) at git ref \(ref) (git: \(why))")
        }
        return result.stdout
    }
}
