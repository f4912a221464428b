// Why a schema file or its sidecar could not be read, and where: the one error of the reader.

/// A schema that could not be read: the file (the schema, an included file or the sidecar), the
/// position, the element and the reason. Reading stops at the first such error and returns no schema.
public struct SchemaFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    /// From 1. For an element: where its start tag begins (its `<`).
    public let line: Int
    /// From 1, in characters.
    public let column: Int
    /// The element as `<field name="price">`, a sidecar key as `directions.Logon`; empty when the
    /// error is about the file as a whole (malformed XML, a file that cannot be read).
    public let element: String
    public let reason: String

    public init(file: String, line: Int, column: Int, element: String, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.element = element
        self.reason = reason
    }

    /// `file:line:column: <element name="…">: reason`, the element left out when there is none.
    public var description: String {
        element.isEmpty ? "\(file):\(line):\(column): \(reason)" : "\(file):\(line):\(column): \(element): \(reason)"
    }
}

extension SchemaFileError {
    /// An error about an element of the XML: at its start tag, named as `<field name="…">`.
    init(_ reason: String, at node: Node) {
        self.init(file: node.file, line: node.line, column: node.column, element: node.label, reason: reason)
    }

    /// An error about a whole file, at its start.
    init(_ reason: String, file: String) {
        self.init(file: file, line: 1, column: 1, element: "", reason: reason)
    }
}
