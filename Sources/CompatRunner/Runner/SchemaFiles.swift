// The schema files a matrix names (`"schema"`, at the top and for a peer): each read once, found
// relative to the matrix's folder, and never outside it.

import Foundation
import MiniJSON
import SchemaXML

struct SchemaFiles {
    let folder: String
    private var loaded: [String: ProtocolFile] = [:]

    init(folder: String) {
        self.folder = folder
    }

    /// The file `json` names, read (or taken from those read already).
    mutating func load(_ json: JSON, key: String, fail: (String, String) -> ConfigError) throws(ConfigError) -> ProtocolFile {
        guard let relative = json.stringValue, !relative.isEmpty else {
            throw fail(key, "must be the path of an SBE XML schema file, relative to the matrix file's folder")
        }
        let base = URL(fileURLWithPath: folder).standardizedFileURL.path
        let path = URL(fileURLWithPath: relative, relativeTo: URL(fileURLWithPath: base + "/")).standardizedFileURL.path
        guard path.hasPrefix(base + "/") else {
            throw fail(key, "\"\(relative)\" is outside the matrix file's folder \(base)")
        }
        if let file = loaded[path] { return file }
        do {
            let file = try SchemaSource.loadProtocol(xml: path)
            loaded[path] = file
            return file
        } catch {
            throw fail(key, "\(error)")
        }
    }
}
