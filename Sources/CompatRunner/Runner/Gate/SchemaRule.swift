// The stable ids of schema findings, and a finding: the rule, where, and what changed.
// docs/SCHEMA-RULES.md lists every id (a test keeps the two in step).

/// The stable ids of schema changes: the breaking ones, then the evolutions the rules allow
/// (`isBreaking` false), which a diff lists as allowed. An id never changes meaning:
/// allowed-breaks files and reports refer to them.
public enum SchemaRule: String, CaseIterable, Sendable, CustomStringConvertible {
    /// A released message type is gone: no message has its name or its template id.
    case templateRemoved = "template-removed"
    /// A released template id now names another message type (or a released type's name was changed).
    case templateReused = "template-reused"
    /// A released message type now has another template id.
    case templateRenumbered = "template-renumbered"
    /// A released version gained a message type (its `since` is at or below a released version).
    case messageAddedToReleasedVersion = "message-added-to-released-version"
    /// A released message type now goes the other way (`C→G`, `G→C`, `both`).
    case directionChanged = "direction-changed"
    /// A root field of a released version is gone.
    case fieldRemoved = "field-removed"
    /// A root field of a released version has a new name at the same offset.
    case fieldRenamed = "field-renamed"
    /// A root field of a released version is at another offset.
    case fieldMoved = "field-moved"
    /// A root field of a released version has another size.
    case fieldResized = "field-resized"
    /// A root field of a released version has another type of the same size (`u64`→`i64`, `u8`→an enum, one enum→another).
    case fieldRetyped = "field-retyped"
    /// A root field of a released version widens another field, or no longer does, or another one.
    case wideningChanged = "widening-changed"
    /// A released version gained a root field.
    case fieldAddedToReleasedVersion = "field-added-to-released-version"
    /// A field newer than a released version starts inside that version's root block or group entry.
    case fieldInsertedInReleasedBlock = "field-inserted-in-released-block"
    /// The `since` of a released message, field, group, var-data field or enum value changed.
    case sinceChanged = "since-changed"
    /// An enum value a released version knows is gone.
    case enumValueRemoved = "enum-value-removed"
    /// An enum value a released version knows has another number.
    case enumValueRenumbered = "enum-value-renumbered"
    /// A released enum number now has another name.
    case enumValueRenamed = "enum-value-renamed"
    /// A released version gained an enum value.
    case enumValueAddedToReleasedVersion = "enum-value-added-to-released-version"
    /// The default (R1: the value of an absent field) of an enum used by a released version changed.
    case defaultChanged = "default-changed"
    /// The var-data fields of a released version are in another order, or a newer one comes before them.
    case varDataOrderChanged = "var-data-order-changed"
    /// A var-data field of a released version is gone.
    case varDataRemoved = "var-data-removed"
    /// A released version gained a var-data field.
    case varDataAddedToReleasedVersion = "var-data-added-to-released-version"
    /// The groups of a released version are in another order, or a newer one comes before them.
    case groupOrderChanged = "group-order-changed"
    /// A group of a released version is gone.
    case groupRemoved = "group-removed"
    /// A released version gained a group.
    case groupAddedToReleasedVersion = "group-added-to-released-version"
    /// A group entry field of a released version is gone, renamed, moved, resized, retyped or new.
    case groupEntryLayoutChanged = "group-entry-layout-changed"
    /// A peer of a released version negotiates fewer versions than it did.
    case rangeNarrowed = "range-narrowed"
    /// A peer of a released version claims versions its released binaries do not negotiate.
    case rangeWidened = "range-widened"
    /// A released version's root block or group entry length changed.
    case blockLengthChanged = "block-length-changed"
    /// The schema id in every header changed.
    case schemaIdChanged = "schema-id-changed"
    /// A protocol limit (frame size, var-data length, group entries) changed.
    case limitChanged = "limit-changed"
    /// A released version is no longer in the schema.
    case versionRemoved = "version-removed"
    /// A field of a released version is now required, optional or constant where it was another.
    case presenceChanged = "presence-changed"
    /// An optional field of a released version has another null value.
    case nullValueChanged = "null-value-changed"
    /// A constant field of a released version has another value.
    case constantValueChanged = "constant-value-changed"
    /// A field of a released version has a narrower valid range (minValue up or maxValue down):
    /// a released sender's value may now be invalid.
    case valueRangeNarrowed = "value-range-narrowed"
    /// A field of a released version has a wider valid range: today's senders may send what a
    /// released receiver takes as invalid.
    case valueRangeWidened = "value-range-widened"
    /// An enum or set used by a released version is encoded as another type (`u8` → `char`).
    case encodingChanged = "encoding-changed"
    /// A set choice a released version knows is at another bit.
    case setChoiceMoved = "set-choice-moved"
    /// A set choice a released version knows is gone.
    case setChoiceRemoved = "set-choice-removed"
    /// A released set bit now has another name.
    case setChoiceRenamed = "set-choice-renamed"
    /// A released version gained a set choice.
    case setChoiceAddedToReleasedVersion = "set-choice-added-to-released-version"
    /// A composite used by a released version has another size, or a member gone, renamed, moved, resized, retyped or new.
    case compositeLayoutChanged = "composite-layout-changed"
    /// A group of a released version has another dimension composite (the entry length's or count's type or place).
    case groupDimensionChanged = "group-dimension-changed"
    /// A var-data field of a released version has another length type or place, maximum length or character encoding.
    case varDataEncodingChanged = "var-data-encoding-changed"
    /// The message header every frame starts with changed (its size, or a member's type or place).
    case headerChanged = "header-changed"
    /// The byte order of every multi-byte value changed.
    case byteOrderChanged = "byte-order-changed"

    // The evolution rules, judged on the schema alone for every version, released or not
    // (SchemaEvolution.swift): what a version adds must be skippable by every older decoder.

    /// V1: a root or group entry field starts inside the block or entry of the version before its own.
    case fieldInsertedInOlderBlock = "field-inserted-in-older-block"
    /// V2: a var-data field comes before a var-data field of an older version.
    case varDataInsertedBeforeOlder = "var-data-inserted-before-older"
    /// V3: a group comes before a group of an older version.
    case groupInsertedBeforeOlder = "group-inserted-before-older"
    /// V3: a group newer than its message (or a nested group newer than its group), where the
    /// message (or the group's entry) has var-data in any version.
    case groupAddedToMessageWithVarData = "group-added-to-message-with-var-data"
    /// V4: the `since` of a message, field, group, var-data field, enum value, set choice or composite
    /// member is not a version of the schema (above its `version`, or a version it has no peer for).
    case sinceNotAVersion = "since-not-a-version"
    /// V4: a message type takes the template id of an older (or earlier listed) one.
    case templateIdDuplicated = "template-id-duplicated"
    /// V4: an enum value takes the number of an older (or earlier listed) value of its enum.
    case enumValueNumberDuplicated = "enum-value-number-duplicated"
    /// V4: a set choice takes the bit of an older (or earlier listed) choice of its set.
    case setChoiceBitDuplicated = "set-choice-bit-duplicated"
    /// A message's or group's `blockLength` attribute is below the end of its fields.
    case blockLengthBelowFields = "block-length-below-fields"
    /// The ranges no longer let a gateway serve a client that matrix.json's support policy says it must.
    case supportCutOff = "support-cut-off"

    // Allowed evolutions: what a version newer than every released one adds, by the rules.

    /// A message type new in an unreleased version (V4).
    case messageAdded = "message-added"
    /// A field at the end of its root block, group entry or composite, new in an unreleased version (V1).
    case fieldAdded = "field-added"
    /// A group after every older group of a message or entry without var-data, new in an unreleased version (V3).
    case groupAdded = "group-added"
    /// A var-data field after every older one, new in an unreleased version (V2).
    case varDataAdded = "var-data-added"
    /// An enum value with a number of its own, new in an unreleased version (V4).
    case enumValueAdded = "enum-value-added"
    /// A set choice with a bit of its own, new in an unreleased version (V4).
    case setChoiceAdded = "set-choice-added"
    /// A message, field, group, var-data field, enum value or set choice deprecated in an unreleased
    /// version: it stays on the wire.
    case deprecated = "deprecated"

    public var description: String { rawValue }

    /// Whether a change by this rule fails the gate unless the allowed-breaks file lists it.
    public var isBreaking: Bool { allowance == nil }

    /// Why an allowed evolution is allowed (nil for a breaking rule): the reason the diff prints.
    public var allowance: String? {
        switch self {
        case .messageAdded: "V4: a new message type in a new version; older peers never receive it"
        case .fieldAdded: "V1: a new field at the end of its block in a new version; older decoders skip it by blockLength"
        case .groupAdded: "V3: a new group after the others, where no var-data follows; older decoders skip it"
        case .varDataAdded: "V2: a new var-data field after the others; older decoders stop before it"
        case .enumValueAdded: "V4: a new enum value in a new version; older peers never receive it"
        case .setChoiceAdded: "V4: a new set choice in a new version on a bit of its own; older peers never receive it"
        case .deprecated: "deprecation changes nothing on the wire"
        default: nil
        }
    }
}

/// One change of the schema: a breaking difference between a released entry and today's schema,
/// a breach of the evolution rules, or (with a rule that is not `isBreaking`) an allowed evolution.
public struct BreakingChange: Sendable, Hashable, CustomStringConvertible {
    public let rule: SchemaRule
    /// Where: `v3:NewOrder.side`, `v2:Side.SellShort`, `v4:MarketDataSnapshot.levels.bidOrders`, `v4:peer-range`, `limits.maxFrameSize`.
    public let location: String
    /// What changed, in words: `offset 20 → 21`.
    public let detail: String

    public init(rule: SchemaRule, location: String, detail: String) {
        self.rule = rule
        self.location = location
        self.detail = detail
    }

    /// `rule@location`: the id an allowed-breaks entry names.
    public var id: String { "\(rule.rawValue)@\(location)" }

    public var description: String { "\(id): \(detail)" }
}
