// The one place a command turns its FILE argument into a schema: the seam where reading SBE
// XML (module SchemaXML, `SchemaSource.load(xml:profile:)`) plugs in. Until it does, only the
// project's own protocol is known, by the name `tgp`.

import CompatRunner
import TGP

/// The schema `path` names: `tgp` is TGP's own (`Schema.tgp`); anything else is an SBE XML file,
/// which needs the SchemaXML reader.
func loadSchema(path: String) throws(ConfigError) -> Schema {
    guard path == "tgp" else {
        throw ConfigError("\(path): reading SBE XML needs the SchemaXML module (for now only `tgp`, TGP's own schema, is known)")
    }
    return .tgp
}
