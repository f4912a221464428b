// XInclude (`<xi:include href="common-types.xml"/>`), as real schemas use it: the included
// file's root element takes the include's place. The href is untrusted: it must be a relative
// path that stays inside the including file's folder, symlinks resolved.

import Foundation

enum XInclude {
    static let namespace = "http://www.w3.org/2001/XInclude"

    /// Loads `path` and every file it includes, recursively, into one tree.
    static func load(_ path: String, budget: ReadBudget) throws(SchemaFileError) -> Node {
        let root = try XMLTree.parse(path, budget: budget)
        return try expand(root, depth: 1, chain: [canonical(path) ?? path], budget: budget)
    }

    /// `node` with each `xi:include` below it replaced. `depth` is `node`'s nesting; `chain`
    /// the real paths of the files being included, outermost first, to refuse a cycle.
    private static func expand(_ node: Node, depth: Int, chain: [String], budget: ReadBudget) throws(SchemaFileError) -> Node {
        guard node.children.contains(where: { $0.namespace == namespace || !$0.children.isEmpty }) else { return node }
        var expanded = node
        expanded.children = []
        for child in node.children {
            if child.namespace == namespace {
                expanded.children.append(try include(child, depth: depth, chain: chain, budget: budget))
            } else {
                expanded.children.append(try expand(child, depth: depth + 1, chain: chain, budget: budget))
            }
        }
        return expanded
    }

    /// The root element of the file `element` includes, itself expanded.
    private static func include(_ element: Node, depth: Int, chain: [String], budget: ReadBudget) throws(SchemaFileError) -> Node {
        guard element.name == "include" else {
            throw SchemaFileError("unsupported XInclude element \(element.qualifiedName)", at: element)
        }
        if let parse = element.attribute("parse"), parse != "xml" {
            throw SchemaFileError("unsupported parse=\"\(parse)\": only XML is included", at: element)
        }
        if element.attributes["xpointer"] != nil {
            throw SchemaFileError("unsupported xpointer: the whole file is included", at: element)
        }
        if !element.children.isEmpty {
            throw SchemaFileError("unsupported content (xi:fallback): an include that fails is an error", at: element)
        }
        guard chain.count <= ReadLimits.includeDepth else {
            throw SchemaFileError("includes nested deeper than \(ReadLimits.includeDepth)", at: element)
        }
        let (path, real) = try resolve(element)
        if let first = chain.firstIndex(of: real) {
            let cycle = (chain[first...] + [real]).map { ($0 as NSString).lastPathComponent }.joined(separator: " → ")
            throw SchemaFileError("include cycle: \(cycle)", at: element)
        }
        let root = try XMLTree.parse(path, budget: budget, depth: depth)
        return try expand(root, depth: depth + 1, chain: chain + [real], budget: budget)
    }

    /// The path of the file `element` names, as written and with symlinks resolved. Refused: an
    /// absolute path, a URL, and a path that leaves the including file's folder.
    private static func resolve(_ element: Node) throws(SchemaFileError) -> (path: String, real: String) {
        guard let href = element.attribute("href"), !href.isEmpty else {
            throw SchemaFileError("xi:include has no href", at: element)
        }
        guard !href.hasPrefix("/"), !href.contains(":") else {
            throw SchemaFileError("href \"\(href)\" must be a relative path", at: element)
        }
        // `..` may not climb above the folder (checked on the text: realpath needs every step to exist).
        var depth = 0
        for component in href.split(separator: "/") where component != "." {
            depth += component == ".." ? -1 : 1
            guard depth >= 0 else {
                throw SchemaFileError("href \"\(href)\" leaves the folder of \((element.file as NSString).lastPathComponent)", at: element)
            }
        }
        let folder = (element.file as NSString).deletingLastPathComponent
        let path = folder.isEmpty ? href : folder + "/" + href
        guard let realFolder = canonical(folder.isEmpty ? "." : folder), let real = canonical(path) else {
            throw SchemaFileError("cannot read \"\(href)\": \(String(cString: strerror(errno)))", at: element)
        }
        guard real.hasPrefix(realFolder == "/" ? "/" : realFolder + "/") else {
            throw SchemaFileError("href \"\(href)\" leaves the folder of \((element.file as NSString).lastPathComponent)", at: element)
        }
        return (path, real)
    }

    /// The absolute path with every symlink, `.` and `..` resolved; nil when it does not exist.
    private static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
