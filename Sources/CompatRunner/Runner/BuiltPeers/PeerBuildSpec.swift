// A matrix peer built from a git commit of the repository instead of a program on disk:
// `"build": {"ref": "<commit or tag>", "product": "peer-v3"}`. Released clients and gateways
// carry their own bugs; a peer built from today's code would hide them.

import MiniJSON

public struct PeerBuildSpec: Sendable, Hashable {
    /// A commit, tag or branch of the repository the matrix file is in, as written.
    public let ref: String
    /// The package's executable product to build at that commit.
    public let product: String

    public init(ref: String, product: String) {
        self.ref = ref
        self.product = product
    }

    init(json: JSON, key: String, fail: (String, String) -> ConfigError) throws(ConfigError) {
        guard let object = json.objectValue else {
            throw fail(key, "must be an object {\"ref\": COMMIT, \"product\": \"peer-v3\"}, got \(json.typeName)")
        }
        for field in object.keys where field != "ref" && field != "product" {
            throw fail("\(key).\(field)", "unknown key (expected ref, product)")
        }
        guard let ref = object["ref"]?.stringValue, !ref.isEmpty else {
            throw fail("\(key).ref", "must be a non-empty string (a commit, tag or branch)")
        }
        // git would read a leading '-' as an option.
        guard !ref.hasPrefix("-"), !ref.contains(where: \.isWhitespace) else {
            throw fail("\(key).ref", "\"\(ref)\" is not a git ref (no leading '-', no spaces)")
        }
        guard let product = object["product"]?.stringValue, !product.isEmpty,
            product.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) })
        else {
            throw fail("\(key).product", "must be the name of an executable product of the package, e.g. \"peer-v3\"")
        }
        self.init(ref: ref, product: product)
    }
}
