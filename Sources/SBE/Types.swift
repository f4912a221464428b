// SBE's type system as the IR holds it: primitives, byte order, presence, and the encodings
// a schema names (enums, sets, composites, group dimensions, var-data, the message header).
// Every type here is resolved: offsets and sizes are known, no name is left to look up.

/// One of SBE's primitive types (FIX SBE 1.0, "Encoding types").
public enum Primitive: String, Sendable, Hashable, CaseIterable {
    case char, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float, double

    /// Bytes on the wire.
    public var size: Int {
        switch self {
        case .char, .int8, .uint8: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float: 4
        case .int64, .uint64, .double: 8
        }
    }

    public var isSigned: Bool { [.int8, .int16, .int32, .int64].contains(self) }
    public var isFloatingPoint: Bool { self == .float || self == .double }
    /// Unsigned integers and `char`, carried as `FieldValue.unsigned`.
    public var isUnsigned: Bool { !isSigned && !isFloatingPoint }

    /// SBE's default null value of the type (used by an optional field that names none).
    public var nullValue: FieldValue {
        switch self {
        case .char: .unsigned(0)
        case .int8: .signed(Int64(Int8.min))
        case .int16: .signed(Int64(Int16.min))
        case .int32: .signed(Int64(Int32.min))
        case .int64: .signed(Int64.min)
        case .uint8: .unsigned(UInt64(UInt8.max))
        case .uint16: .unsigned(UInt64(UInt16.max))
        case .uint32: .unsigned(UInt64(UInt32.max))
        case .uint64: .unsigned(UInt64.max)
        case .float, .double: .double(.nan)
        }
    }

    /// SBE's default least valid value (the null value is outside the range).
    public var minValue: FieldValue {
        switch self {
        case .char: .unsigned(0x20)
        case .int8: .signed(Int64(Int8.min) + 1)
        case .int16: .signed(Int64(Int16.min) + 1)
        case .int32: .signed(Int64(Int32.min) + 1)
        case .int64: .signed(Int64.min + 1)
        case .uint8, .uint16, .uint32, .uint64: .unsigned(0)
        case .float: .double(-Double(Float.greatestFiniteMagnitude))
        case .double: .double(-Double.greatestFiniteMagnitude)
        }
    }

    /// SBE's default greatest valid value.
    public var maxValue: FieldValue {
        switch self {
        case .char: .unsigned(0x7E)
        case .int8: .signed(Int64(Int8.max))
        case .int16: .signed(Int64(Int16.max))
        case .int32: .signed(Int64(Int32.max))
        case .int64: .signed(Int64.max)
        case .uint8: .unsigned(UInt64(UInt8.max) - 1)
        case .uint16: .unsigned(UInt64(UInt16.max) - 1)
        case .uint32: .unsigned(UInt64(UInt32.max) - 1)
        case .uint64: .unsigned(UInt64.max - 1)
        case .float: .double(Double(Float.greatestFiniteMagnitude))
        case .double: .double(Double.greatestFiniteMagnitude)
        }
    }

    /// The largest unsigned value the type's bytes hold (nil for signed and floating-point types).
    public var unsignedMax: UInt64? {
        guard isUnsigned else { return nil }
        return size == 8 ? UInt64.max : (1 << UInt64(size * 8)) - 1
    }
}

/// The byte order of every multi-byte value of a schema (the `byteOrder` attribute).
public enum ByteOrder: String, Sendable, Hashable {
    case littleEndian, bigEndian
}

/// Whether a field is always on the wire, may carry its null value, or is a constant that takes no bytes.
public enum Presence: Sendable, Hashable {
    case required
    /// The field's `nullValue` means "no value", decoded as `FieldValue.null`.
    case optional
    /// Not on the wire: every frame carries this value.
    case constant(FieldValue)

    public var isConstant: Bool {
        if case .constant = self { return true }
        return false
    }

    /// `required`, `optional` or `constant`, as the XML spells it.
    public var name: String {
        switch self {
        case .required: "required"
        case .optional: "optional"
        case .constant: "constant"
        }
    }
}

/// A set: a bit field of an unsigned type, each bit a named choice.
public struct SetSchema: Sendable, Hashable {
    public struct Choice: Sendable, Hashable {
        public let name: String
        /// The bit's position, 0 the least significant.
        public let bit: Int
        public let since: Int
        public let deprecated: Int?

        public init(_ name: String, bit: Int, since: Int = 0, deprecated: Int? = nil) {
            self.name = name
            self.bit = bit
            self.since = since
            self.deprecated = deprecated
        }
    }

    public let name: String
    /// uint8, uint16, uint32 or uint64.
    public let encoding: Primitive
    public let choices: [Choice]
    public let since: Int

    public init(_ name: String, encoding: Primitive, choices: [Choice], since: Int = 0) {
        self.name = name
        self.encoding = encoding
        self.choices = choices
        self.since = since
    }

    public func choice(named name: String) -> Choice? { choices.first { $0.name == name } }
    /// The bits of every choice known at `version`.
    public func knownBits(at version: Int) -> UInt64 {
        choices.filter { $0.since <= version }.reduce(0) { $0 | 1 << UInt64($1.bit) }
    }
}

/// A composite: members at fixed offsets inside its own bytes.
public struct CompositeSchema: Sendable, Hashable {
    public let name: String
    /// In offset order; a member may itself be a composite, an enum or a set.
    public let members: [FieldSchema]
    /// The bytes the composite takes (members' ends, or more when offsets leave padding).
    public let size: Int
    public let since: Int

    public init(_ name: String, members: [FieldSchema], size: Int? = nil, since: Int = 0) {
        self.name = name
        self.members = members
        self.size = size ?? (members.map(\.end).max() ?? 0)
        self.since = since
    }

    public func member(named name: String) -> FieldSchema? { members.first { $0.name == name } }
}

/// Where one integer of a header-like composite sits: the message header, a group's dimension,
/// a var-data field's length.
public struct EncodedSlot: Sendable, Hashable {
    public let offset: Int
    /// An unsigned integer type.
    public let type: Primitive

    public init(offset: Int, type: Primitive) {
        self.offset = offset
        self.type = type
    }

    public var end: Int { offset + type.size }
    /// The largest value it carries.
    public var max: UInt64 { type.unsignedMax ?? UInt64(Int64.max) }
}

/// The message header composite: where blockLength, templateId, schemaId and version sit.
/// Any other member (SBE 2.0's numGroups, numVarDataFields) is written as 0 and not read.
public struct HeaderSchema: Sendable, Hashable {
    public let name: String
    public let size: Int
    public let blockLength: EncodedSlot
    public let templateId: EncodedSlot
    public let schemaId: EncodedSlot
    public let version: EncodedSlot

    public init(
        name: String = "messageHeader", size: Int, blockLength: EncodedSlot, templateId: EncodedSlot, schemaId: EncodedSlot,
        version: EncodedSlot
    ) {
        self.name = name
        self.size = size
        self.blockLength = blockLength
        self.templateId = templateId
        self.schemaId = schemaId
        self.version = version
    }

    /// SBE's usual header: four uint16 in this order, 8 bytes (TGP's W2).
    public static let standard = HeaderSchema(
        size: 8, blockLength: EncodedSlot(offset: 0, type: .uint16), templateId: EncodedSlot(offset: 2, type: .uint16),
        schemaId: EncodedSlot(offset: 4, type: .uint16), version: EncodedSlot(offset: 6, type: .uint16))
}

/// A group's dimension composite (`groupSizeEncoding`): the entry blockLength and numInGroup.
public struct DimensionSchema: Sendable, Hashable {
    public let name: String
    public let size: Int
    public let blockLength: EncodedSlot
    public let numInGroup: EncodedSlot
    /// The most entries a group may carry (numInGroup's maxValue, or its type's largest value).
    public let maxEntries: Int

    public init(name: String = "groupSizeEncoding", size: Int, blockLength: EncodedSlot, numInGroup: EncodedSlot, maxEntries: Int? = nil) {
        self.name = name
        self.size = size
        self.blockLength = blockLength
        self.numInGroup = numInGroup
        self.maxEntries = maxEntries ?? Int(clamping: numInGroup.max)
    }

    /// Two uint16, 4 bytes (TGP's W4).
    public static let standard = DimensionSchema(
        size: 4, blockLength: EncodedSlot(offset: 0, type: .uint16), numInGroup: EncodedSlot(offset: 2, type: .uint16))
}

/// A var-data field's encoding composite (`varStringEncoding`): its length, then the bytes.
public struct VarDataEncoding: Sendable, Hashable {
    public let name: String
    public let length: EncodedSlot
    /// Where the bytes start (the length's end, in every schema seen).
    public let dataOffset: Int
    /// The most bytes it may carry (the length's maxValue, or its type's largest value).
    public let maxLength: Int
    /// The varData element's characterEncoding: text when set (`UTF-8`, `ASCII` …), raw bytes when nil.
    public let characterEncoding: String?

    public init(
        name: String = "varStringEncoding", length: EncodedSlot, dataOffset: Int? = nil, maxLength: Int? = nil,
        characterEncoding: String? = "UTF-8"
    ) {
        self.name = name
        self.length = length
        self.dataOffset = dataOffset ?? length.end
        self.maxLength = maxLength ?? Int(clamping: length.max)
        self.characterEncoding = characterEncoding
    }

    public var isText: Bool { characterEncoding != nil }

    /// A uint16 length and UTF-8 bytes (TGP's W1 string), at most `maxLength` bytes.
    public static func standard(maxLength: Int) -> VarDataEncoding {
        VarDataEncoding(length: EncodedSlot(offset: 0, type: .uint16), maxLength: maxLength)
    }
}
