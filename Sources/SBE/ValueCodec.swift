// The fields the plain wires do not carry (FieldSlot.Wire.general): optional and constant
// presence, an explicit range, chars of any length, arrays, enums of any encoding, sets and
// composites. Each is described once per message type by a ValueCodec; reading and writing
// one goes out of line, and a refusal comes back as a value the caller names the field in.

/// How one field or composite member travels.
struct ValueCodec: Sendable {
    enum Shape: Sendable {
        case primitive(Primitive)
        /// Text: printable ASCII, then 0x00 padding to the length (W1, R7).
        case chars(Int)
        /// `count` values of the primitive, as `FieldValue.array`.
        case array(Primitive, count: Int)
        /// The wire value, as `FieldValue.unsigned`; `table` in `VersionLayout.enums`.
        case enumeration(EnumSchema, table: Int)
        /// The bits, as `FieldValue.unsigned`; `table` in `VersionLayout.sets`.
        case set(SetSchema, table: Int)
        /// The members in offset order, as `FieldValue.composite`.
        case composite(LayoutTable<ValueCodec>)
        /// No bytes: `value` on every frame; an encoder takes it or the field's default.
        case constant(FieldValue, default: FieldValue)
    }

    let shape: Shape
    /// From the start of the block or composite that holds it.
    let offset: Int
    /// An optional field's value that means "no value": it decodes as `.null`, and `.null` encodes as it.
    let null: FieldValue?
    /// The range the schema names. Only the encoder checks it (E2): decoders stay lenient and
    /// deliver what the sender's version allowed.
    let minValue: FieldValue?
    let maxValue: FieldValue?
    let isRequired: Bool
    /// The field's or member's name and type name, for error texts.
    let name: String
    let typeName: String

    init(shape: Shape, field: FieldSchema) {
        self.shape = shape
        offset = field.offset
        null = field.effectiveNullValue
        minValue = field.minValue
        maxValue = field.maxValue
        isRequired = field.presence == .required
        name = field.name
        typeName = field.type.name
    }

    /// Whether `value`, as read from the wire, is the null value (NaN matches a NaN null).
    func isNull(_ value: FieldValue) -> Bool {
        guard let null else { return false }
        if case .double(let number) = value, case .double(let nullNumber) = null, number.isNaN, nullNumber.isNaN { return true }
        return value.isSame(as: null)
    }
}

/// Why a receiver refuses a general field: the reason, the byte, and the composite members
/// down to the one at fault (outermost first).
struct DecodeRefusal: Error {
    let reason: DecodeError.Reason
    let offset: Int
    var members: [String] = []

    func inside(_ member: String) -> DecodeRefusal {
        DecodeRefusal(reason: reason, offset: offset, members: [member] + members)
    }
}

/// Why a sender refuses a general field's value (E2), with the members down to the one at fault.
struct EncodeRefusal: Error {
    let refusal: EncodeError.Refusal
    let detail: String
    var members: [String] = []

    init(_ refusal: EncodeError.Refusal, _ detail: String) {
        self.refusal = refusal
        self.detail = detail
    }

    func inside(_ member: String) -> EncodeRefusal {
        var copy = self
        copy.members.insert(member, at: 0)
        return copy
    }
}

// MARK: - Decoding

extension Codec {
    /// The value of a general field at `base + codec.offset`, checked to be in the frame, or
    /// why a receiver whose newest version is `maxVersion` refuses it (R7).
    @inline(never)
    func decodeValue<Order: WireByteOrder>(
        _ codec: ValueCodec, in frame: FrameReader<Order>, base: Int, maxVersion: Int, layout: VersionLayout
    ) throws(DecodeRefusal) -> FieldValue {
        let offset = base + codec.offset
        let value: FieldValue
        switch codec.shape {
        case .constant(let constant, _): return constant
        case .primitive(let primitive): value = frame.primitive(primitive, at: offset)
        case .chars(let length): value = try Self.decodeChars(frame.inBounds(at: offset, count: length), at: offset)
        case .array(let primitive, let count):
            var elements: [FieldValue] = []
            elements.reserveCapacity(count)
            for index in 0..<count {
                let element = frame.primitive(primitive, at: offset + index * primitive.size)
                elements.append(codec.isNull(element) ? .null : element)
            }
            // Every element null: the optional array has no value, as `.null` encodes it.
            return elements.allSatisfy { $0 == .null } && count > 0 ? .null : .array(elements)
        case .enumeration(let enumSchema, let table):
            value = frame.primitive(enumSchema.encoding, at: offset)
            guard !codec.isNull(value) else { return .null }
            // R7: a value the receiver's own version does not have.
            guard case .unsigned(let number) = value, layout.enums[table].since(number, in: enumSchema) <= maxVersion else {
                throw DecodeRefusal(reason: .unknownEnumValue(value.unsignedValue, enumName: codec.typeName), offset: offset)
            }
        case .set(let setSchema, let table):
            value = frame.primitive(setSchema.encoding, at: offset)
            guard !codec.isNull(value) else { return .null }
            // R7: a choice the receiver's own version does not have.
            let unknown = value.unsignedValue & ~layout.sets[table].knownBits(at: maxVersion)
            guard unknown == 0 else {
                throw DecodeRefusal(reason: .unknownSetChoice(bits: unknown, setName: codec.typeName), offset: offset)
            }
        case .composite(let members):
            var values: [FieldValue] = []
            values.reserveCapacity(members.count)
            for member in members {
                do throws(DecodeRefusal) {
                    values.append(try decodeValue(member, in: frame, base: offset, maxVersion: maxVersion, layout: layout))
                } catch {
                    throw error.inside(member.name)
                }
            }
            value = .composite(values)
        }
        return codec.isNull(value) ? .null : value
    }

    /// A chars field by W1/R7 generalised to its length: printable ASCII up to the first NUL,
    /// only NULs after it.
    private static func decodeChars(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(DecodeRefusal) -> FieldValue {
        let (length, invalidAt) = bytes.count == 8 ? char8(bytes) : chars(bytes)
        if let invalidAt {
            let reason: DecodeError.Reason =
                bytes.count == 8 ? .invalidChar8(byte: bytes[invalidAt]) : .invalidChars(byte: bytes[invalidAt], length: bytes.count)
            throw DecodeRefusal(reason: reason, offset: offset + invalidAt)
        }
        return .text(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self))
    }

    /// `char8`'s rule for any length, a byte at a time: the text's length, and the index of the
    /// first byte that breaks the rule.
    static func chars(_ bytes: UnsafeRawBufferPointer) -> (length: Int, invalidAt: Int?) {
        guard let length = bytes.firstIndex(of: 0) else {
            return (bytes.count, bytes.firstIndex { !(0x20...0x7E).contains($0) })
        }
        if let bad = bytes[0..<length].firstIndex(where: { !(0x20...0x7E).contains($0) }) { return (length, bad) }
        return (length, bytes[length...].firstIndex { $0 != 0 })
    }
}

// MARK: - Encoding

extension Codec {
    /// Writes a general field's value at `base + codec.offset`, or refuses it (E2): `version`
    /// is the acting version, which enum values and set choices must not be newer than.
    @inline(never)
    func encodeValue<Order: WireByteOrder>(
        _ value: FieldValue, _ codec: ValueCodec, base: Int, version: Int, layout: VersionLayout, into writer: FrameWriter<Order>
    ) throws(EncodeRefusal) {
        let offset = base + codec.offset
        if case .null = value {
            guard let null = codec.null else { throw Self.noNull(codec) }
            // An optional array with no value: every element at its null value.
            if case .array(_, let count) = codec.shape {
                return try encodeValue(
                    .array(Array(repeating: .null, count: count)), codec, base: base, version: version, layout: layout, into: writer)
            }
            return try encodeValue(null, codec, base: base, version: version, layout: layout, into: writer)
        }
        switch codec.shape {
        case .constant(let constant, let defaultValue):
            guard value.isSame(as: constant) || value.isSame(as: defaultValue) else {
                throw EncodeRefusal(.invalidValue, "\(codec.name) is the constant \(constant.plainText); got \(value.plainText)")
            }
        case .primitive(let primitive):
            try encodePrimitive(value, primitive, codec, at: offset, into: writer)
        case .chars(let length):
            try Self.encodeChars(value, length: length, at: offset, into: writer)
        case .array(let primitive, let count):
            guard case .array(let elements) = value, elements.count == count else {
                throw EncodeRefusal(.invalidValue, "expected an array of \(count) \(primitive.shortName), got \(value)")
            }
            for (index, element) in elements.enumerated() {
                let elementValue: FieldValue
                if case .null = element {
                    guard let null = codec.null else { throw Self.noNull(codec) }
                    elementValue = null
                } else {
                    elementValue = element
                }
                try encodePrimitive(elementValue, primitive, codec, at: offset + index * primitive.size, into: writer)
            }
        case .enumeration(let enumSchema, let table):
            try encodeEnum(value, enumSchema, codec, table: table, version: version, layout: layout, at: offset, into: writer)
        case .set(let setSchema, let table):
            try encodeSet(value, setSchema, codec, table: table, version: version, layout: layout, at: offset, into: writer)
        case .composite(let members):
            guard case .composite(let values) = value, values.count == members.count else {
                throw EncodeRefusal(.invalidValue, "expected a composite of \(members.count) members, got \(value)")
            }
            for (index, member) in members.enumerated() {
                do throws(EncodeRefusal) {
                    try encodeValue(values[index], member, base: offset, version: version, layout: layout, into: writer)
                } catch {
                    throw error.inside(member.name)
                }
            }
        }
    }

    private func encodePrimitive<Order: WireByteOrder>(
        _ value: FieldValue, _ primitive: Primitive, _ codec: ValueCodec, at offset: Int, into writer: FrameWriter<Order>
    ) throws(EncodeRefusal) {
        // E2: the schema's range; the null value is outside it by design.
        if !codec.isNull(value), !value.isWithin(codec.minValue, codec.maxValue) {
            throw EncodeRefusal(
                .invalidValue,
                "\(value.plainText) is outside \(codec.name)'s range \(codec.minValue?.plainText ?? "")...\(codec.maxValue?.plainText ?? "")"
            )
        }
        guard writer.setPrimitive(value, as: primitive, at: offset) else { throw Self.notOf(value, primitive) }
    }

    private static func encodeChars<Order: WireByteOrder>(
        _ value: FieldValue, length: Int, at offset: Int, into writer: FrameWriter<Order>
    ) throws(EncodeRefusal) {
        guard case .text(let text) = value else { throw EncodeRefusal(.invalidValue, "expected a string, got \(value)") }
        let fitted = withUTF8(of: value) { utf8 in
            guard utf8.count <= length, utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else { return false }
            writer.set(utf8, at: offset)
            return true
        }
        guard fitted == true else {
            throw EncodeRefusal(.invalidValue, "\"\(text)\" is not up to \(length) characters of printable ASCII")
        }
    }

    private func encodeEnum<Order: WireByteOrder>(
        _ value: FieldValue, _ enumSchema: EnumSchema, _ codec: ValueCodec, table: Int, version: Int, layout: VersionLayout,
        at offset: Int, into writer: FrameWriter<Order>
    ) throws(EncodeRefusal) {
        guard case .unsigned(let number) = value else { throw Self.notOf(value, enumSchema.encoding) }
        // The null value of an optional enum is no value of the enum, but it is written.
        if !codec.isNull(value), layout.enums[table].since(number, in: enumSchema) > version {
            throw Self.enumRefusal(number, enumSchema, version: version)
        }
        guard writer.setPrimitive(value, as: enumSchema.encoding, at: offset) else { throw Self.notOf(value, enumSchema.encoding) }
    }

    private func encodeSet<Order: WireByteOrder>(
        _ value: FieldValue, _ setSchema: SetSchema, _ codec: ValueCodec, table: Int, version: Int, layout: VersionLayout,
        at offset: Int, into writer: FrameWriter<Order>
    ) throws(EncodeRefusal) {
        guard case .unsigned(let bits) = value, writer.setPrimitive(value, as: setSchema.encoding, at: offset) else {
            throw Self.notOf(value, setSchema.encoding)
        }
        // The null value of an optional set is no set of choices, but it is written.
        guard !codec.isNull(value) else { return }
        let set = layout.sets[table]
        if let bit = (bits & ~set.allBits).lowestBit {
            throw EncodeRefusal(.invalidValue, "bit \(bit) is not a choice of \(codec.typeName)")
        }
        if let bit = (bits & ~set.knownBits(at: version)).lowestBit, let choice = setSchema.choices.first(where: { $0.bit == bit }) {
            throw EncodeRefusal(
                .unsupportedInVersion,
                "\(codec.typeName).\(choice.name) was added in version \(choice.since); this session is at version \(version)")
        }
    }

    // MARK: Refusals, built only when a value is refused

    @inline(never)
    private static func noNull(_ codec: ValueCodec) -> EncodeRefusal {
        EncodeRefusal(
            .invalidValue,
            codec.isRequired ? "\(codec.name) is required: .null is only for optional fields" : "\(codec.name) has no null value")
    }

    @inline(never)
    static func notOf(_ value: FieldValue, _ primitive: Primitive) -> EncodeRefusal {
        switch (value, primitive.isFloatingPoint, primitive.isSigned) {
        case (.double(let number), true, _): EncodeRefusal(.invalidValue, "\(number) does not fit \(primitive.shortName)")
        case (.signed(let number), _, true): EncodeRefusal(.invalidValue, "\(number) does not fit \(primitive.shortName)")
        case (.unsigned(let number), false, false): EncodeRefusal(.invalidValue, "\(number) does not fit \(primitive.shortName)")
        case (_, true, _): EncodeRefusal(.invalidValue, "expected a floating-point number, got \(value)")
        case (_, _, true): EncodeRefusal(.invalidValue, "expected a signed integer, got \(value)")
        default: EncodeRefusal(.invalidValue, "expected an unsigned integer, got \(value)")
        }
    }

    /// E2 for an enum value: InvalidValue when no version has it, else UnsupportedInVersion.
    @inline(never)
    static func enumRefusal(_ number: UInt64, _ enumSchema: EnumSchema, version: Int) -> EncodeRefusal {
        guard let known = enumSchema.value(number) else {
            return EncodeRefusal(.invalidValue, "\(number) is not a \(enumSchema.name) value")
        }
        return EncodeRefusal(
            .unsupportedInVersion,
            "\(enumSchema.name).\(known.name) was added in version \(known.since); this session is at version \(version)")
    }
}

extension ValueCodec {
    var isArray: Bool {
        if case .array = shape { return true }
        return false
    }
}

extension FieldValue {
    /// The number of an unsigned value, 0 for any other.
    var unsignedValue: UInt64 {
        if case .unsigned(let number) = self { return number }
        return 0
    }

    /// Whether a number lies in `min...max` (either bound may be missing). Values that are no
    /// number, or of another kind than the bounds, are left to the type check.
    func isWithin(_ min: FieldValue?, _ max: FieldValue?) -> Bool {
        if let min, let order = Self.numericOrder(self, min), order < 0 { return false }
        if let max, let order = Self.numericOrder(self, max), order > 0 { return false }
        if case .double(let number) = self, number.isNaN, min != nil || max != nil { return false }
        return true
    }

    /// -1, 0 or 1 as `a` is below, equal to or above `b`, both numbers; nil otherwise (and for NaN).
    static func numericOrder(_ a: FieldValue, _ b: FieldValue) -> Int? {
        func order<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : x > y ? 1 : 0 }
        switch (a, b) {
        case (.unsigned(let x), .unsigned(let y)): return order(x, y)
        case (.signed(let x), .signed(let y)): return order(x, y)
        case (.unsigned(let x), .signed(let y)): return y < 0 ? 1 : order(x, UInt64(y))
        case (.signed(let x), .unsigned(let y)): return x < 0 ? -1 : order(UInt64(x), y)
        case (.double(let x), _): return b.doubleValue.flatMap { x.isNaN || $0.isNaN ? nil : order(x, $0) }
        case (_, .double(let y)): return a.doubleValue.flatMap { y.isNaN ? nil : order($0, y) }
        default: return nil
        }
    }

    private var doubleValue: Double? {
        switch self {
        case .unsigned(let number): Double(number)
        case .signed(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }

    /// The value as an error text shows it: `42`, `-1`, `1.5`, `"AB"`, `null`.
    var plainText: String {
        switch self {
        case .unsigned(let number): "\(number)"
        case .signed(let number): "\(number)"
        case .double(let number): "\(number)"
        case .text(let text): "\"\(text)\""
        case .null: "null"
        default: "\(self)"
        }
    }
}

extension UInt64 {
    /// The index of the lowest bit set, nil for 0.
    fileprivate var lowestBit: Int? { self == 0 ? nil : trailingZeroBitCount }
}
