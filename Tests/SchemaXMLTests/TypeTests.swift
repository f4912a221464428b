// The `types` constructs: `type` (primitives, lengths, presence, values), composites (offsets,
// members of every kind, refs), enums and sets. Each is read from a declared composite or enum:
// SBE's MessageSchema builds the codec's layouts when made, and the codec of this branch carries
// only u8…u64, i64, char8 and enums in messages so far.

import SBE
import SchemaXML
import Testing

@Suite("Types")
struct TypeTests {
    /// The declared composite `name` of a schema whose extra types are `types`.
    func composite(_ name: String, in types: String) throws -> CompositeSchema {
        let schema = try loadStandard(types: types, messages: "")
        return try #require(schema.composites.first { $0.name == name })
    }

    @Test func everyPrimitivePacked() throws {
        let probe = try composite(
            "Probe",
            in: """
                <composite name="Probe">
                    <type name="a" primitiveType="char"/>
                    <type name="b" primitiveType="int8"/>
                    <type name="c" primitiveType="int16"/>
                    <type name="d" primitiveType="int32"/>
                    <type name="e" primitiveType="int64"/>
                    <type name="f" primitiveType="uint8"/>
                    <type name="g" primitiveType="uint16"/>
                    <type name="h" primitiveType="uint32"/>
                    <type name="i" primitiveType="uint64"/>
                    <type name="j" primitiveType="float"/>
                    <type name="k" primitiveType="double"/>
                </composite>
                """)
        #expect(
            probe.members.map(\.type) == [
                .chars(1), .primitive(.int8), .primitive(.int16), .primitive(.int32), .primitive(.int64), .primitive(.uint8),
                .primitive(.uint16), .primitive(.uint32), .primitive(.uint64), .primitive(.float), .primitive(.double),
            ])
        #expect(probe.members.map(\.offset) == [0, 1, 2, 4, 8, 16, 17, 19, 23, 31, 35])
        #expect(probe.size == 43)
    }

    @Test func lengths() throws {
        let probe = try composite(
            "Probe",
            in: """
                <type name="Symbol" primitiveType="char" length="6" characterEncoding="US-ASCII"/>
                <type name="Numbers" primitiveType="uint32" length="4"/>
                <type name="One" primitiveType="int16" length="1"/>
                <composite name="Probe">
                    <ref name="symbol" type="Symbol"/>
                    <ref name="numbers" type="Numbers"/>
                    <ref name="one" type="One"/>
                    <type name="letter" primitiveType="char" length="1"/>
                </composite>
                """)
        #expect(probe.members.map(\.type) == [.chars(6), .array(.uint32, 4), .primitive(.int16), .chars(1)])
        #expect(probe.members.map(\.offset) == [0, 6, 22, 24])
    }

    @Test func presenceAndValues() throws {
        let probe = try composite(
            "Probe",
            in: """
                <composite name="Probe">
                    <type name="price" primitiveType="int64" presence="optional" nullValue="-1" minValue="0" maxValue="1000000"/>
                    <type name="ratio" primitiveType="double" presence="optional" nullValue="NaN" minValue="-1e3" maxValue="1.5"/>
                    <type name="small" primitiveType="float" maxValue="3.25"/>
                    <type name="big" primitiveType="uint64" maxValue="18446744073709551614"/>
                    <type name="low" primitiveType="int8" minValue="-127"/>
                    <type name="flag" primitiveType="char" presence="optional" nullValue="N"/>
                    <type name="plain" primitiveType="uint16" presence="optional"/>
                </composite>
                """)
        let price = try #require(probe.member(named: "price"))
        #expect(price.presence == .optional)
        #expect(price.nullValue == .signed(-1) && price.minValue == .signed(0) && price.maxValue == .signed(1_000_000))
        let ratio = try #require(probe.member(named: "ratio"))
        guard case .double(let null)? = ratio.nullValue else {
            Issue.record("ratio's null is \(String(describing: ratio.nullValue))")
            return
        }
        #expect(null.isNaN && ratio.minValue == .double(-1000) && ratio.maxValue == .double(1.5))
        #expect(probe.member(named: "small")?.maxValue == .double(3.25))
        #expect(probe.member(named: "big")?.maxValue == .unsigned(UInt64.max - 1))
        #expect(probe.member(named: "low")?.minValue == .signed(-127))
        // A char's values are characters; a character array carries them as text.
        #expect(probe.member(named: "flag")?.nullValue == .text("N"))
        let plain = try #require(probe.member(named: "plain"))
        #expect(plain.isOptional && plain.nullValue == nil && plain.effectiveNullValue == .unsigned(65535))
    }

    @Test func constants() throws {
        let probe = try composite(
            "Probe",
            in: """
                <enum name="Model" encodingType="char">
                    <validValue name="A">A</validValue>
                    <validValue name="C">C</validValue>
                </enum>
                <type name="ModelC" primitiveType="char" presence="constant" valueRef="Model.C"/>
                <composite name="Probe">
                    <type name="capacity" primitiveType="uint16"/>
                    <type name="maxRpm" primitiveType="uint16" presence="constant">9000</type>
                    <type name="fuel" primitiveType="char" presence="constant">Petrol</type>
                    <type name="code" primitiveType="char" length="4" presence="constant">AB</type>
                    <ref name="model" type="ModelC"/>
                    <type name="cylinders" primitiveType="uint8"/>
                </composite>
                """)
        #expect(probe.member(named: "maxRpm")?.presence == .constant(.unsigned(9000)))
        // A char constant without a length is as long as its text.
        #expect(probe.member(named: "fuel")?.type == .chars(6))
        #expect(probe.member(named: "fuel")?.presence == .constant(.text("Petrol")))
        #expect(probe.member(named: "code")?.type == .chars(4))
        #expect(probe.member(named: "model")?.presence == .constant(.text("C")))
        // Constants take no bytes: cylinders follows capacity.
        #expect(probe.member(named: "cylinders")?.offset == 2)
        #expect(probe.size == 3)
        #expect(probe.member(named: "fuel")?.defaultValue == .text("Petrol"))
    }

    @Test func compositeOffsetsAndMembersOfEveryKind() throws {
        let probe = try composite(
            "Probe",
            in: """
                <type name="Percentage" primitiveType="int8" minValue="0" maxValue="100"/>
                <composite name="Probe" semanticType="Engine" sinceVersion="1">
                    <type name="capacity" primitiveType="uint16" offset="2"/>
                    <enum name="boost" encodingType="char" offset="6">
                        <validValue name="Turbo">T</validValue>
                    </enum>
                    <set name="options" encodingType="uint8">
                        <choice name="sunRoof">0</choice>
                    </set>
                    <composite name="inner">
                        <type name="x" primitiveType="uint8"/>
                        <type name="y" primitiveType="uint32" offset="4"/>
                    </composite>
                    <ref name="efficiency" type="Percentage" offset="20" sinceVersion="2" deprecated="2"/>
                </composite>
                """)
        #expect(probe.members.map(\.name) == ["capacity", "boost", "options", "inner", "efficiency"])
        #expect(probe.members.map(\.offset) == [2, 6, 7, 8, 20])
        #expect(probe.size == 21)
        #expect(probe.since == 1)
        guard case .composite(let inner)? = probe.member(named: "inner")?.type else {
            Issue.record("inner is no composite")
            return
        }
        #expect(inner.members.map(\.offset) == [0, 4] && inner.size == 8)
        guard case .enumeration(let boost)? = probe.member(named: "boost")?.type else {
            Issue.record("boost is no enum")
            return
        }
        #expect(boost.encoding == .char && boost.values == [EnumValue(84, "Turbo", since: 1)])
        let efficiency = try #require(probe.member(named: "efficiency"))
        #expect(efficiency.since == 2 && efficiency.deprecated == 2 && efficiency.maxValue == .signed(100))
        #expect(probe.member(named: "capacity")?.since == 1)
    }

    @Test func enums() throws {
        let schema = try loadStandard(
            types: """
                <enum name="Side" encodingType="uint8">
                    <validValue name="Buy">1</validValue>
                    <validValue name="Sell">2</validValue>
                    <validValue name="Short" sinceVersion="2" deprecated="2">3</validValue>
                </enum>
                <enum name="Model" encodingType="char" sinceVersion="1">
                    <validValue name="A">A</validValue>
                    <validValue name="Digit">7</validValue>
                </enum>
                <type name="u16Null" primitiveType="uint16" presence="optional" nullValue="0"/>
                <enum name="Wide" encodingType="u16Null">
                    <validValue name="Big">60000</validValue>
                </enum>
                <enum name="Huge" encodingType="uint64">
                    <validValue name="Max">18446744073709551614</validValue>
                </enum>
                """,
            messages: "")
        #expect(schema.enums.map(\.name) == ["Side", "Model", "Wide", "Huge"])
        let side = schema.enums[0]
        #expect(side.encoding == .uint8 && side.nullValue == .unsigned(255) && side.since == 0 && side.defaultValue == 1)
        #expect(
            side.values == [EnumValue(1, "Buy", since: 0), EnumValue(2, "Sell", since: 0), EnumValue(3, "Short", since: 2, deprecated: 2)])
        let model = schema.enums[1]
        #expect(model.encoding == .char && model.since == 1)
        #expect(model.values == [EnumValue(65, "A", since: 1), EnumValue(55, "Digit", since: 1)])
        // A named encoding type gives its primitive and its nullValue.
        #expect(schema.enums[2].encoding == .uint16 && schema.enums[2].nullValue == .unsigned(0))
        #expect(schema.enums[3].values.first?.value == UInt64.max - 1)
    }

    @Test func sets() throws {
        let schema = try loadStandard(
            types: """
                <set name="Flags" encodingType="uint16">
                    <choice name="a">0</choice>
                    <choice name="b" sinceVersion="1">15</choice>
                    <choice name="c" deprecated="2">3</choice>
                </set>
                <type name="Bits32" primitiveType="uint32"/>
                <set name="Named" encodingType="Bits32" sinceVersion="2">
                    <choice name="top">31</choice>
                </set>
                """,
            messages: "")
        #expect(
            schema.sets == [
                SetSchema(
                    "Flags", encoding: .uint16,
                    choices: [.init("a", bit: 0), .init("b", bit: 15, since: 1), .init("c", bit: 3, deprecated: 2)]),
                SetSchema("Named", encoding: .uint32, choices: [.init("top", bit: 31, since: 2)], since: 2),
            ])
    }

    /// Only composites that are field types are listed: the header's, the dimensions' and the
    /// var-data encodings' have their own places in the IR.
    @Test func listedComposites() throws {
        let schema = try loadStandard(
            types: #"<composite name="Pair"><type name="a" primitiveType="uint8"/><type name="b" primitiveType="uint8"/></composite>"#,
            messages: """
                <sbe:message name="M" id="1">
                    <group name="g" id="2"><field name="x" id="3" type="uint8"/></group>
                    <data name="d" id="4" type="varStringEncoding"/>
                </sbe:message>
                """)
        #expect(schema.composites.map(\.name) == ["Pair"])
    }

    /// XML whitespace around a value (space, tab, CR, LF) is no part of it; other blanks are.
    @Test func whitespaceAroundValues() throws {
        let schema = try loadStandard(
            types: """
                <enum name=" Side " encodingType=" uint8 ">
                    <validValue name="Buy">
                        1
                    </validValue>
                </enum>
                <type name="Venue" primitiveType="uint16" presence="constant">\t42\r\n</type>
                <composite name="C"><ref name="v" type="Venue"/></composite>
                """,
            messages: "")
        #expect(schema.enums.first?.name == "Side" && schema.enums.first?.values.first?.value == 1)
        #expect(schema.composites.first { $0.name == "C" }?.members.first?.presence == .constant(.unsigned(42)))
        let noBreakSpace = try standardError(types: "<type name=\"T\" primitiveType=\"uint16\" presence=\"constant\">\u{A0}42</type>")
        #expect(noBreakSpace?.hasSuffix(#"<type name="T">: constant "\#u{A0}42" does not fit uint16"#) == true, "\(noBreakSpace ?? "")")
    }
}
