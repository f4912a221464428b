// Sources/TGP/tgp.xml with tgp.profile.json, read by the reader, is TGP as Schema.tgp
// writes it by hand: message by message, field by field.

import Foundation
import SBE
import SchemaXML
import TGP
import Testing

@Suite("tgp.xml is Schema.tgp")
struct TGPEquivalenceTests {
    /// Sources/TGP/tgp.xml, from this file's place in the repository.
    static let tgpXML = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/TGP/tgp.xml").path

    static let loaded = Result { () throws(SchemaFileError) in try SchemaSource.load(xml: tgpXML) }

    @Test func loads() throws {
        _ = try Self.loaded.get()
    }

    @Test func schemaLevel() throws {
        let schema = try Self.loaded.get()
        let tgp = Schema.tgp
        #expect(schema.schemaId == tgp.schemaId)
        #expect(schema.peerRanges == tgp.peerRanges)
        #expect(schema.maxFrameSize == tgp.maxFrameSize)
        #expect(schema.maxVarDataLength == tgp.maxVarDataLength)
        #expect(schema.maxGroupEntries == tgp.maxGroupEntries)
        #expect(schema.version == tgp.version)
        #expect(schema.byteOrder == tgp.byteOrder)
        #expect(schema.header == tgp.header)
        #expect(schema.sets == tgp.sets)
        #expect(schema.composites == tgp.composites)
        #expect(schema.package == "tgp")
        #expect(schema.semanticVersion == "5")
    }

    @Test func enums() throws {
        let schema = try Self.loaded.get()
        #expect(schema.enums.map(\.name) == Schema.tgp.enums.map(\.name))
        for (loaded, written) in zip(schema.enums, Schema.tgp.enums) {
            #expect(loaded.encoding == written.encoding, "\(loaded.name)")
            #expect(loaded.values == written.values, "\(loaded.name)")
            #expect(loaded.defaultValue == written.defaultValue, "\(loaded.name)")
            #expect(loaded.nullValue == written.nullValue, "\(loaded.name)")
        }
    }

    @Test func messages() throws {
        let schema = try Self.loaded.get()
        #expect(schema.messages.map(\.name).sorted() == Schema.tgp.messages.map(\.name).sorted())
        for written in Schema.tgp.messages {
            let loaded = try #require(schema.message(named: written.name))
            #expect(loaded.templateId == written.templateId, "\(written.name)")
            #expect(loaded.direction == written.direction, "\(written.name)")
            #expect(loaded.since == written.since, "\(written.name)")
            #expect(loaded.attributes == written.attributes, "\(written.name)")
            expectSameFields(loaded.fields, written.fields, in: written.name)
            #expect(loaded.groups.count == written.groups.count, "\(written.name)")
            for (loadedGroup, writtenGroup) in zip(loaded.groups, written.groups) {
                #expect(loadedGroup.name == writtenGroup.name)
                #expect(loadedGroup.since == writtenGroup.since)
                #expect(loadedGroup.dimension == writtenGroup.dimension)
                #expect(loadedGroup.blockLengthAttribute == writtenGroup.blockLengthAttribute)
                expectSameFields(loadedGroup.fields, writtenGroup.fields, in: "\(written.name).\(writtenGroup.name)")
            }
            #expect(loaded.varData.map(\.name) == written.varData.map(\.name), "\(written.name)")
            #expect(loaded.varData.map(\.since) == written.varData.map(\.since), "\(written.name)")
            #expect(loaded.varData.map(\.encoding) == written.varData.map(\.encoding), "\(written.name)")
            #expect(loaded.logicalFields.map(\.name) == written.logicalFields.map(\.name), "\(written.name)")
        }
    }

    private func expectSameFields(_ loaded: [FieldSchema], _ written: [FieldSchema], in message: String) {
        #expect(loaded.map(\.name) == written.map(\.name), "\(message)")
        for (field, expected) in zip(loaded, written) {
            let name = "\(message).\(expected.name)"
            #expect(sameType(field.type, expected.type), "\(name): \(field.type) is not \(expected.type)")
            #expect(field.offset == expected.offset, "\(name)")
            #expect(field.since == expected.since, "\(name)")
            #expect(field.widens == expected.widens, "\(name)")
            #expect(field.presence == expected.presence, "\(name)")
            #expect(field.nullValue == expected.nullValue, "\(name)")
            #expect(field.defaultValue == expected.defaultValue, "\(name)")
        }
    }

    /// Equal types, but for an enum's own `since`: Schema.tgp's enums take EnumSchema's default, 0;
    /// tgp.xml's exist from TGP's first version, 1.
    private func sameType(_ loaded: FieldType, _ written: FieldType) -> Bool {
        guard case .enumeration(let loadedEnum) = loaded, case .enumeration(let writtenEnum) = written else { return loaded == written }
        return loadedEnum.since == 1 && writtenEnum.since == 0 && loadedEnum.name == writtenEnum.name
            && loadedEnum.values == writtenEnum.values && loadedEnum.defaultValue == writtenEnum.defaultValue
            && loadedEnum.encoding == writtenEnum.encoding && loadedEnum.nullValue == writtenEnum.nullValue
    }
}
