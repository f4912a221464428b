// The XML of one file as a tree of elements, each with the file, line and column of its start
// tag, built from FoundationXML's XMLParser (libxml2) with namespace processing. The reader
// works on this tree; the limits on untrusted input are enforced while it is built.

import Foundation
import FoundationXML

/// One element: its names, attributes, character data and children, and where it starts.
struct Node {
    /// The local name (`message` for `<sbe:message>`).
    let name: String
    /// The namespace URI, empty when the element has none.
    let namespace: String
    /// The name as written (`sbe:message`), for errors.
    let qualifiedName: String
    let attributes: [String: String]
    var children: [Node] = []
    /// The character data directly inside the element (a constant's value, an enum value), CDATA included.
    var text = ""
    let file: String
    let line: Int
    let column: Int

    /// `<field name="price">`, or `<types>` for an element without a name.
    var label: String {
        attributes["name"].map { "<\(qualifiedName) name=\"\($0)\">" } ?? "<\(qualifiedName)>"
    }

    /// The attribute's value with surrounding whitespace removed; nil when it is absent.
    func attribute(_ key: String) -> String? {
        attributes[key].map(Self.trimmed)
    }

    var trimmedText: String { Self.trimmed(text) }

    /// `text` without leading and trailing XML whitespace (space, tab, CR, LF). Foundation's
    /// trimmingCharacters took a third of the time of reading tgp.xml, and counts more as blank than XML does.
    static func trimmed(_ text: String) -> String {
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        let bytes = text.utf8
        guard let first = bytes.first, let last = bytes.last, isBlank(first) || isBlank(last) else { return text }
        guard let start = bytes.firstIndex(where: { !isBlank($0) }) else { return "" }
        let end = bytes.lastIndex(where: { !isBlank($0) })!
        return String(text[start...end])
    }
}

/// Counts elements and bytes over a schema and the files it includes, against `ReadLimits`.
final class ReadBudget {
    var elements = 0
    var bytes = 0
}

enum XMLTree {
    /// Parses `path` into its root element. `depth` is the nesting of the element the file's
    /// root replaces (an `xi:include`'s parent), so included files count toward the same limit.
    static func parse(_ path: String, budget: ReadBudget, depth: Int = 0) throws(SchemaFileError) -> Node {
        let source = try SourceFile.read(path)
        // Many includes of one big file would each read it again.
        budget.bytes += source.bytes.count
        guard budget.bytes <= ReadLimits.totalSize else {
            throw SchemaFileError("the schema and its includes are larger than \(ReadLimits.totalSize) bytes together", file: path)
        }
        try refuseDoctype(source)
        let builder = TreeBuilder(source: source, budget: budget, baseDepth: depth)
        // Fed as a stream, in chunks: given as one buffer, libxml2 stops at its 10 MB lookahead limit
        // ("huge input") on a file below our own limit.
        let parser = XMLParser(stream: InputStream(data: Data(source.bytes)))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        _ = parser.parse()
        // parse() returns true after some errors (an unquoted attribute, extra content), so
        // the delegate's record decides.
        if let failure = builder.failure { throw failure }
        guard let root = builder.root else {
            let end = source.position(ofByte: source.bytes.count)
            throw SchemaFileError(
                file: path, line: end.line, column: end.column, element: "",
                reason: builder.stack.isEmpty ? "malformed XML: no root element" : "malformed XML: the file ends inside an element")
        }
        return root
    }

    /// Refuses a DOCTYPE in the prolog: XMLParser drops entity references it does not expand,
    /// silently losing text, and a DTD is never part of an SBE schema.
    static func refuseDoctype(_ source: SourceFile) throws(SchemaFileError) {
        let bytes = source.bytes
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func starts(_ prefix: String) -> Bool { bytes[index...].starts(with: prefix.utf8) }
        func skip(past terminator: String) -> Bool {
            let pattern = Array(terminator.utf8)
            var probe = index
            while probe + pattern.count <= bytes.count {
                if bytes[probe..<probe + pattern.count].elementsEqual(pattern) {
                    index = probe + pattern.count
                    return true
                }
                probe += 1
            }
            return false
        }
        while index < bytes.count {
            if [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
                index += 1
            } else if starts("<?") {
                guard skip(past: "?>") else { return }
            } else if starts("<!--") {
                guard skip(past: "-->") else { return }
            } else if starts("<!DOCTYPE") {
                let position = source.position(ofByte: index)
                throw SchemaFileError(
                    file: source.path, line: position.line, column: position.column, element: "",
                    reason: "a DOCTYPE is not accepted (no DTD, no entities in a schema)")
            } else {
                return
            }
        }
    }
}

/// The XMLParser delegate that builds the tree on a stack of open elements.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    let source: SourceFile
    let budget: ReadBudget
    let baseDepth: Int
    var cursor = ForwardCursor()
    var stack: [Node] = []
    var root: Node?
    /// The first error: later callbacks after an error or an abort change nothing.
    var failure: SchemaFileError?

    init(source: SourceFile, budget: ReadBudget, baseDepth: Int) {
        self.source = source
        self.budget = budget
        self.baseDepth = baseDepth
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        guard failure == nil else { return }
        let (line, column) = tagStart(parser)
        let node = Node(
            name: elementName, namespace: namespaceURI ?? "", qualifiedName: qualifiedName ?? elementName, attributes: attributes,
            file: source.path, line: line, column: column)
        budget.elements += 1
        if budget.elements > ReadLimits.elements {
            abort(parser, SchemaFileError("more than \(ReadLimits.elements) elements", at: node))
        } else if baseDepth + stack.count + 1 > ReadLimits.depth {
            abort(parser, SchemaFileError("elements nested deeper than \(ReadLimits.depth)", at: node))
        } else {
            stack.append(node)
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard failure == nil, let node = stack.popLast() else { return }
        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].children.append(node)
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard failure == nil, !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA block: Data) {
        guard failure == nil, !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: block, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard failure == nil else { return }
        let code = (parseError as NSError).code
        failure = SchemaFileError(
            file: source.path, line: parser.lineNumber, column: parser.columnNumber, element: "",
            reason: "malformed XML: \(Self.describe(code)) (libxml2 error \(code))")
    }

    private func abort(_ parser: XMLParser, _ error: SchemaFileError) {
        failure = error
        parser.abortParsing()
    }

    /// Where the start tag being reported begins. libxml2 reports the position at the tag's end
    /// (its `>`, or the `/` of `/>`); `<` cannot occur inside a tag, so the nearest one before is its start.
    private func tagStart(_ parser: XMLParser) -> (Int, Int) {
        let (line, column) = (parser.lineNumber, parser.columnNumber)
        let bytes = source.bytes
        guard !bytes.isEmpty else { return (line, column) }
        let end = min(cursor.offset(in: source, line: line, column: column), bytes.count - 1)
        var start = end
        var characters = 0
        while start > 0 && bytes[start] != UInt8(ascii: "<") {
            start -= 1
            if SourceFile.startsCharacter(bytes[start]) { characters += 1 }
            // A tag over several lines: count its start's line and column from the file's start.
            if bytes[start] == UInt8(ascii: "\n") {
                while start > 0 && bytes[start] != UInt8(ascii: "<") { start -= 1 }
                return source.position(ofByte: start)
            }
        }
        guard start >= 0, bytes[start] == UInt8(ascii: "<") else { return (line, column) }
        return (line, column - characters)
    }

    /// libxml2's error numbers (xmlerror.h; XMLParser passes them through) for the mistakes a
    /// hand-edited schema makes.
    static func describe(_ code: Int) -> String {
        switch code {
        case 1: "libxml2 refused the input (one of its own limits)"
        case 4: "no element found (start tag expected, '<' not found)"
        case 5: "extra content at the end of the document"
        case 9: "invalid character"
        case 23: "entity reference without ';'"
        case 26: "undeclared entity"
        case 38: "'<' in an attribute value"
        case 39: "attribute value without quotes"
        case 40: "attribute value not closed"
        case 41: "attribute without a value"
        case 42: "attribute given twice"
        case 45: "comment not closed"
        case 63: "CDATA section not closed"
        case 65: "space required"
        case 68: "name expected"
        case 73: "'>' expected"
        case 76: "end tag does not match the start tag"
        case 77: "tag not closed"
        case 80: "'--' inside a comment"
        case 81: "invalid UTF-8 (or the declared encoding)"
        case 85: "unbalanced tags"
        case 201: "undeclared namespace prefix"
        case 203: "attribute given twice (same namespace)"
        default: "parse error"
        }
    }
}
