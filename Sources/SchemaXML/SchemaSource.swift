// The one entry point: a FIX SBE XML message schema (and its profile sidecar, if any) read
// into the IR, or the first error with its file, line and column. Never a partial schema.

import Foundation
import SBE

public struct SchemaSource {
    /// The namespaces of `messageSchema` the reader accepts (besides none): FIX SBE 1.0 and
    /// the release candidates real schemas still declare.
    static let namespaces: Set<String> = [
        "http://fixprotocol.io/2016/sbe", "http://www.fixprotocol.org/ns/simple/1.0", "http://www.fixprotocol.org/ns/simple/RC3",
        "http://www.fixprotocol.org/ns/simple/RC4",
    ]

    /// Reads the schema at `path`. `profile` names the sidecar; when nil, `<name>.profile.json`
    /// beside `<name>.xml` is read if it exists, and plain SBE defaults apply if it does not.
    public static func load(xml path: String, profile: String? = nil) throws(SchemaFileError) -> Schema {
        try loadProtocol(xml: path, profile: profile).schema
    }

    /// Reads the schema at `path` with the session profile its sidecar names (`sbe` without one).
    public static func loadProtocol(xml path: String, profile: String? = nil) throws(SchemaFileError) -> ProtocolFile {
        let root = try XInclude.load(path, budget: ReadBudget())
        var sidecar: ProfileSidecar?
        if let sidecarPath = sidecarPath(for: path, given: profile) { sidecar = try ProfileSidecar.load(sidecarPath) }
        return ProtocolFile(path: path, schema: try read(root, sidecar: sidecar), profile: sidecar?.name ?? .sbe)
    }

    /// The sidecar to read: the one given (which must exist), else the one beside the schema if there is one.
    private static func sidecarPath(for xml: String, given: String?) -> String? {
        if let given { return given }
        let base = xml.hasSuffix(".xml") ? String(xml.dropLast(4)) : xml
        let candidate = base + ".profile.json"
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }

    private static func read(_ root: Node, sidecar: ProfileSidecar?) throws(SchemaFileError) -> Schema {
        guard root.name == "messageSchema", root.namespace.isEmpty || namespaces.contains(root.namespace) else {
            let namespace = root.namespace.isEmpty ? "" : " (namespace \(root.namespace))"
            throw SchemaFileError("unknown root element \(root.qualifiedName)\(namespace): expected an SBE messageSchema", at: root)
        }
        let attributes = try SchemaAttributes(root)
        try sidecar?.checkVersions(schemaVersion: attributes.version)
        var typeNodes: [Node] = []
        var messageNodes: [Node] = []
        for child in root.children {
            switch child.sbeName {
            case "types": typeNodes.append(child)
            case "message": messageNodes.append(child)
            default: throw SchemaFileError("unsupported element \(child.qualifiedName) in <\(root.qualifiedName)>", at: child)
            }
        }
        let context = ReadContext(
            oldestVersion: sidecar?.versions?.keys.min() ?? lowestSince(root), schemaVersion: attributes.version,
            absentValue: sidecar?.absentValue ?? .null, enumDefaults: sidecar?.enumDefaults ?? [:])
        let resolver = try TypeResolver(types: typeNodes, context: context)
        try resolver.resolveAll()
        let header = try resolver.header(named: attributes.headerType, at: root)
        try attributes.check(fitting: header, at: root)
        var reader = MessageReader(resolver: resolver, header: header, profile: sidecar)
        let messages = try reader.read(messageNodes)
        let declared = try Declared(resolver, excluding: reader.encodingNames.union([attributes.headerType]))
        try sidecar?.checkReferences(messages: messages, enums: declared.enums)
        return Schema(
            schemaId: UInt16(attributes.id), messages: messages, enums: declared.enums,
            peerRanges: sidecar?.versions ?? defaultRanges(from: context.oldestVersion, to: attributes.version),
            maxFrameSize: sidecar?.maxFrameSize ?? defaultMaxFrameSize,
            maxVarDataLength: sidecar?.maxVarDataLength ?? messages.flatMap(varData).map(\.encoding.maxLength).max() ?? 0,
            maxGroupEntries: sidecar?.maxGroupEntries ?? messages.flatMap(\.groups).flatMap(nested).map(\.dimension.maxEntries).max() ?? 0,
            sets: declared.sets, composites: declared.composites, package: attributes.package, version: attributes.version,
            semanticVersion: attributes.semanticVersion, byteOrder: attributes.byteOrder, description: attributes.description,
            header: header)
    }

    /// Without a sidecar frames are bounded by what a 2-byte length prefix (SOFH's, usual under
    /// SBE) can frame; a sidecar says otherwise.
    static let defaultMaxFrameSize = 65535

    /// Without a sidecar every version is released, each negotiating down to the oldest.
    private static func defaultRanges(from oldest: Int, to newest: Int) -> [Int: ClosedRange<Int>] {
        Dictionary(uniqueKeysWithValues: (oldest...max(oldest, newest)).map { ($0, oldest...$0) })
    }

    /// The oldest version without a sidecar: the lowest `sinceVersion` of a message or of what
    /// it holds, one without counting as 0. (Types do not count: one without `sinceVersion` is
    /// simply there in every version.)
    private static func lowestSince(_ root: Node) -> Int {
        var lowest = Int.max
        var pending = root.children.filter { $0.sbeName == "message" }
        while let node = pending.popLast() {
            lowest = min(lowest, node.attribute("sinceVersion").flatMap { Int($0) } ?? 0)
            pending += node.children
        }
        return lowest == Int.max ? 0 : lowest
    }

    /// A group and every group nested in it.
    private static func nested(_ group: GroupSchema) -> [GroupSchema] { [group] + group.groups.flatMap(nested) }

    /// Every var-data of a message, in its groups too.
    private static func varData(_ message: MessageSchema) -> [VarDataSchema] {
        message.varData + message.groups.flatMap(nested).flatMap(\.varData)
    }
}

/// The attributes of `messageSchema`.
private struct SchemaAttributes {
    let package: String
    let id: Int
    let version: Int
    let semanticVersion: String?
    let description: String?
    let byteOrder: ByteOrder
    let headerType: String

    init(_ root: Node) throws(SchemaFileError) {
        package = root.attribute("package") ?? ""
        guard let id = try root.integer("id", in: 0...65535) else { throw SchemaFileError("id is missing", at: root) }
        self.id = id
        // SBE's header carries the version as a uint16; a bound also keeps the default version list small.
        version = try root.integer("version", in: 0...65535) ?? 0
        semanticVersion = root.attribute("semanticVersion")
        description = root.attribute("description")
        let order = root.attribute("byteOrder") ?? "littleEndian"
        guard let byteOrder = ByteOrder(rawValue: order) else {
            throw SchemaFileError("byteOrder \"\(order)\" is not littleEndian or bigEndian", at: root)
        }
        self.byteOrder = byteOrder
        headerType = root.attribute("headerType") ?? "messageHeader"
    }

    /// The schema id and version fit the header's members.
    func check(fitting header: HeaderSchema, at root: Node) throws(SchemaFileError) {
        if UInt64(id) > header.schemaId.max {
            throw SchemaFileError("id \(id) does not fit the header's schemaId (\(header.schemaId.type.rawValue))", at: root)
        }
        if UInt64(version) > header.version.max {
            throw SchemaFileError("version \(version) does not fit the header's version (\(header.version.type.rawValue))", at: root)
        }
    }
}

/// The enums, sets and composites declared at the top of `types`, in the order written; the
/// header, dimension and var-data composites are not field types and are left out.
private struct Declared {
    var enums: [EnumSchema] = []
    var sets: [SetSchema] = []
    var composites: [CompositeSchema] = []

    init(_ resolver: TypeResolver, excluding encodings: Set<String>) throws(SchemaFileError) {
        for node in resolver.order {
            let name = node.attribute("name")!
            switch try resolver.resolve(named: name, at: node).type {
            case .enumeration(let enumSchema)?: enums.append(enumSchema)
            case .set(let setSchema)?: sets.append(setSchema)
            case .composite(let composite)? where !encodings.contains(name): composites.append(composite)
            default: break
            }
        }
    }
}
