// A matrix peer built from a git commit of the repository instead of a program on disk:
// `"build": {"ref": "<commit or tag>", "product": "peer-v3"}`, with `"arguments"` for a product that
// plays several versions (`"product": "peer", "arguments": ["--schema-version", "3"]`). Released
// clients and gateways carry their own bugs; a peer built from today's code would hide them.

import MiniJSON

public struct PeerBuildSpec: Sendable, Hashable {
    /// A commit, tag or branch of the repository the matrix file is in, as written.
    public let ref: String
    /// The package's executable product to build at that commit.
    public let product: String
    /// What the built program is started with before `--role`.
    public let arguments: [String]

    public init(ref: String, product: String, arguments: [String] = []) {
        self.ref = ref
        self.product = product
        self.arguments = arguments
    }

    /// Every problem names the peer, the key and the reason.
    init(json: JSON, key: String, peer: String, fail failAt: (String, String) -> ConfigError) throws(ConfigError) {
        func fail(_ key: String, _ problem: String) -> ConfigError { failAt(key, "peer \"\(peer)\": \(problem)") }
        guard let object = json.objectValue else {
            throw fail(key, "must be an object {\"ref\": COMMIT, \"product\": \"peer-v3\"}, got \(json.typeName)")
        }
        for field in object.keys where !["ref", "product", "arguments"].contains(field) {
            throw fail("\(key).\(field)", "unknown key (expected ref, product, arguments)")
        }
        guard let ref = object["ref"]?.stringValue, !ref.isEmpty else {
            throw fail("\(key).ref", "must be a non-empty string (a commit, tag or branch)")
        }
        // git would read a leading '-' as an option.
        guard !ref.hasPrefix("-"), !ref.contains(where: \.isWhitespace) else {
            throw fail("\(key).ref", "\"\(ref)\" is not a git ref (no leading '-', no spaces)")
        }
        guard let product = object["product"]?.stringValue, Self.isProductName(product) else {
            let rule =
                "the name of an executable product of the package (letters, digits, '-', '_', '.', not starting with '-' or '.'), e.g. \"peer-v3\""
            throw fail("\(key).product", object["product"].map { "\($0) is not \(rule)" } ?? "missing: give \(rule)")
        }
        let arguments = object["arguments"].map { $0.arrayValue?.compactMap(\.stringValue) } ?? []
        guard let arguments, arguments.count == (object["arguments"]?.arrayValue?.count ?? 0) else {
            throw fail("\(key).arguments", "must be an array of strings, e.g. [\"--schema-version\", \"3\"]")
        }
        self.init(ref: ref, product: product, arguments: arguments)
    }

    /// A name `swift build --product` takes as a product, never as an option, and a file name in
    /// the cache's entry folder (no '/', not "." or "..").
    static func isProductName(_ name: String) -> Bool {
        guard let first = name.first, first != "-", first != "." else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
