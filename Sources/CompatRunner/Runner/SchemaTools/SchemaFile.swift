// The one place a schema file becomes a schema: an SBE XML file (with its profile sidecar beside
// it, when there is one) read by SchemaXML, or `tgp`, the project's own.

import SchemaXML
import TGP

public enum SchemaFile {
    /// The schema `path` names: `tgp` is TGP's own (`Schema.tgp`); anything else is an SBE XML file.
    /// A file that cannot be read is a configuration error (exit 2) naming file, line, column and element.
    public static func load(path: String, profile: String? = nil) throws(ConfigError) -> Schema {
        if path == "tgp" && profile == nil { return .tgp }
        do {
            return try SchemaSource.load(xml: path, profile: profile)
        } catch {
            throw ConfigError(error.description)
        }
    }
}
