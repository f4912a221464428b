// The composites SBE gives a meaning by their members' names: the message header
// (blockLength, templateId, schemaId, version), a group's dimension (blockLength, numInGroup)
// and a var-data encoding (length, varData). Members may be of any unsigned type, at any offset.

import SBE

extension TypeResolver {
    /// The schema's `headerType` composite.
    func header(named name: String, at user: Node) throws(SchemaFileError) -> HeaderSchema {
        let composite = try compositeDeclaration(named: name, role: "header type", at: user)
        return HeaderSchema(
            name: name, size: composite.size, blockLength: try slot("blockLength", of: composite),
            templateId: try slot("templateId", of: composite), schemaId: try slot("schemaId", of: composite),
            version: try slot("version", of: composite))
    }

    /// A group's `dimensionType` composite; numInGroup's maxValue bounds the entries.
    func dimension(named name: String, at user: Node) throws(SchemaFileError) -> DimensionSchema {
        let composite = try compositeDeclaration(named: name, role: "dimensionType", at: user)
        let numInGroup = try member("numInGroup", of: composite)
        return DimensionSchema(
            name: name, size: composite.size, blockLength: try slot("blockLength", of: composite),
            numInGroup: try slot(numInGroup, of: composite), maxEntries: maxValue(of: numInGroup))
    }

    /// A `data` element's composite: an unsigned `length` (its maxValue bounds the bytes), then
    /// `varData`, the char or uint8 bytes. Text when varData has a characterEncoding, or is char
    /// (SBE's default encoding for char is US-ASCII); raw bytes otherwise.
    func varDataEncoding(named name: String, at user: Node) throws(SchemaFileError) -> VarDataEncoding {
        let composite = try compositeDeclaration(named: name, role: "var-data type", at: user)
        let lengthMember = try member("length", of: composite)
        let length = try slot(lengthMember, of: composite)
        guard length.type.size <= 4 else {
            throw SchemaFileError("length of \(name) must be uint8, uint16 or uint32", at: lengthMember.node)
        }
        let bytes = try member("varData", of: composite)
        guard let primitive = bytes.resolved.primitive, primitive == .char || primitive == .uint8, !bytes.resolved.presence.isConstant
        else {
            throw SchemaFileError("varData of \(name) must be char or uint8", at: bytes.node)
        }
        guard bytes.offset >= length.end else {
            throw SchemaFileError("varData of \(name) must come after its length", at: bytes.node)
        }
        let characterEncoding = bytes.resolved.characterEncoding ?? (primitive == .char ? "US-ASCII" : nil)
        return VarDataEncoding(
            name: name, length: length, dataOffset: bytes.offset, maxLength: maxValue(of: lengthMember),
            characterEncoding: characterEncoding)
    }

    /// The top-level composite `name`, for the use `role` describes.
    private func compositeDeclaration(named name: String, role: String, at user: Node) throws(SchemaFileError) -> ResolvedType {
        guard isComposite(name) else {
            throw SchemaFileError("\(role) \"\(name)\" is not a declared composite", at: user)
        }
        return try resolve(named: name, at: user)
    }

    private func member(_ name: String, of composite: ResolvedType) throws(SchemaFileError) -> Member {
        guard let member = composite.members.first(where: { $0.name == name }) else {
            throw SchemaFileError("no member \(name)", at: composite.node!)
        }
        return member
    }

    private func slot(_ name: String, of composite: ResolvedType) throws(SchemaFileError) -> EncodedSlot {
        try slot(try member(name, of: composite), of: composite)
    }

    /// Where an unsigned integer member sits.
    private func slot(_ member: Member, of composite: ResolvedType) throws(SchemaFileError) -> EncodedSlot {
        let owner = composite.node!.attribute("name")!
        // The IR reads every one of these from the wire: a constant one has no place.
        guard !member.resolved.presence.isConstant else {
            throw SchemaFileError("\(member.name) of \(owner) is a constant: it must be on the wire", at: member.node)
        }
        guard case .primitive(let primitive)? = member.resolved.type, primitive.isUnsignedInteger else {
            throw SchemaFileError("\(member.name) of \(owner) must be an unsigned integer", at: member.node)
        }
        return EncodedSlot(offset: member.offset, type: primitive)
    }

    /// A member's maxValue as a count; nil when it names none.
    private func maxValue(of member: Member) -> Int? {
        guard case .unsigned(let value)? = member.resolved.maxValue else { return nil }
        return Int(clamping: value)
    }
}
