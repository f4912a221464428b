// The stable ids of schema findings, and a finding: the rule, where, and what changed.

/// The stable ids of breaking schema changes. An id never changes meaning: allowed-breaks
/// files and reports refer to them.
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

    // The evolution rules, judged on the schema alone for every version, released or not
    // (SchemaEvolution.swift): what a version adds must be skippable by every older decoder.

    /// V1: a root or group entry field starts inside the block or entry of the version before its own.
    case fieldInsertedInOlderBlock = "field-inserted-in-older-block"
    /// V2: a var-data field comes before a var-data field of an older version.
    case varDataInsertedBeforeOlder = "var-data-inserted-before-older"
    /// V3: a group comes before a group of an older version.
    case groupInsertedBeforeOlder = "group-inserted-before-older"
    /// V3: a group newer than its message, in a message with var-data in any version.
    case groupAddedToMessageWithVarData = "group-added-to-message-with-var-data"
    /// V4: the `since` of a message, field, group, var-data field or enum value is not a version of the schema.
    case sinceNotAVersion = "since-not-a-version"
    /// V4: a message type takes the template id of an older (or earlier listed) one.
    case templateIdDuplicated = "template-id-duplicated"
    /// V4: an enum value takes the number of an older (or earlier listed) value of its enum.
    case enumValueNumberDuplicated = "enum-value-number-duplicated"
    /// The ranges no longer let a gateway serve a client that matrix.json's support policy says it must.
    case supportCutOff = "support-cut-off"

    public var description: String { rawValue }
}

/// One breaking difference between a released entry and today's schema.
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
