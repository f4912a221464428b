// The commands' FILE argument as a schema: `SchemaFile.load` of the runner library.

import CompatRunner
import TGP

func loadSchema(path: String, profile: String? = nil) throws(ConfigError) -> Schema {
    try SchemaFile.load(path: path, profile: profile)
}
