// Today's schema against the released-schema lock: for every locked version, today's
// snapshot at that version must be the locked one (V5). Each difference is a breaking change,
// named by a stable rule id and a location (`field-moved@v3:NewOrder.side`). What a version
// adds, locked or not (a v6 message, field or enum value), is judged by the evolution rules
// V1–V4 (SchemaEvolution.swift), which need no lock; what they allow is listed as allowed
// (SchemaAdditions.swift). Two schemas (an old released file and a new one) compare the same
// way: the old one's released versions are its lock.

import TGP

public enum SchemaDiff {
    /// The support policy's pairs whose ranges in `current` do not overlap: each a breaking
    /// change at `gateway=G:client=C`. A pair naming a version the schema lacks is skipped
    /// (the matrix check reports those).
    public static func supportViolations(_ support: [SupportEntry], versions: [String: Int], current: Schema) -> [BreakingChange] {
        support.flatMap { entry in
            entry.clients.compactMap { client -> BreakingChange? in
                guard let gatewayVersion = versions[entry.gateway], let clientVersion = versions[client],
                    let gatewayRange = current.peerRanges[gatewayVersion], let clientRange = current.peerRanges[clientVersion],
                    case .rejected = Negotiation(client: clientRange, gateway: gatewayRange)
                else { return nil }
                return BreakingChange(
                    rule: .supportCutOff, location: "gateway=\(entry.gateway):client=\(client)",
                    detail:
                        "the support policy says \(entry.gateway) (versions \(gatewayRange.lowerBound)..\(gatewayRange.upperBound)) must serve \(client) (\(clientRange.lowerBound)..\(clientRange.upperBound)); their ranges do not overlap"
                )
            }
        }
    }

    /// Every breaking change of `current`: those against the released entries of `locked`, then
    /// the evolution rules' violations those do not already name.
    public static func breakingChanges(locked: SchemaLock, current: Schema) -> [BreakingChange] {
        let released = releasedChanges(locked: locked, current: current)
        return released + SchemaEvolution.violations(of: current, notNamedIn: released)
    }

    /// What `current` adds or deprecates after the versions of `locked`, as the rules allow it:
    /// each an allowed change, unless `breaking` (its breaking changes) or the evolution rules
    /// name the same element.
    public static func allowedChanges(locked: SchemaLock, current: Schema, breaking: [BreakingChange]) -> [BreakingChange] {
        let additions = SchemaAdditions.allowed(in: current, after: locked.lockedVersions.last)
        return SchemaAdditions.unnamed(additions, by: breaking + SchemaEvolution.violations(of: current))
    }

    /// Every change from `old`, a released schema, to `new`: the breaking ones, then the allowed
    /// ones. The released versions are `old`'s up to its `version` attribute; each must be the
    /// same in `new` (V5), and what `new` adds after them must follow V1–V4.
    public static func changes(from old: Schema, to new: Schema) -> [BreakingChange] {
        let lock = SchemaLock(schema: old, versions: old.releasedVersions)
        let breaking = breakingChanges(locked: lock, current: new)
        return breaking + allowedChanges(locked: lock, current: new, breaking: breaking)
    }

    /// The changes of `current` against the released entries of `locked`, by version, in schema
    /// order; the same change shows once per locked version where it shows on the wire.
    static func releasedChanges(locked: SchemaLock, current: Schema) -> [BreakingChange] {
        var changes: [BreakingChange] = []
        if locked.schemaId != Int(current.schemaId) {
            changes.append(
                BreakingChange(
                    rule: .schemaIdChanged, location: "schemaId",
                    detail: "schema id \(locked.schemaId) → \(current.schemaId) in every header"))
        }
        for ((key, old), (_, new)) in zip(locked.limits.entries, SchemaLimits(current).entries) where old != new {
            changes.append(BreakingChange(rule: .limitChanged, location: "limits.\(key)", detail: "\(key) \(old) → \(new)"))
        }
        changes += frameChanges(locked: locked, current: current)
        for version in locked.lockedVersions {
            guard let now = SchemaSnapshot(current, version: version) else {
                changes.append(
                    BreakingChange(
                        rule: .versionRemoved, location: "v\(version)",
                        detail:
                            "released version \(version) is no longer in the schema's \(current.peerRanges.isEmpty ? "versions" : "peer ranges")"
                    ))
                continue
            }
            var diff = VersionDiff(version: version, lock: locked, locked: locked.versions[version]!, now: now, schema: current)
            diff.run()
            changes += diff.changes
        }
        return changes
    }

    /// What every frame of every version shares: the byte order and the message header.
    static func frameChanges(locked: SchemaLock, current: Schema) -> [BreakingChange] {
        var changes: [BreakingChange] = []
        if locked.byteOrder != current.byteOrder.rawValue {
            changes.append(
                BreakingChange(
                    rule: .byteOrderChanged, location: "byteOrder",
                    detail: "byte order \(locked.byteOrder) → \(current.byteOrder.rawValue): every multi-byte value reads differently"))
        }
        let header = HeaderSnapshot(current.header)
        if locked.header != header {
            changes.append(
                BreakingChange(
                    rule: .headerChanged, location: "header",
                    detail: "message header \(locked.header.text) → \(header.text): a released decoder finds no frame's type"))
        }
        return changes
    }
}

extension HeaderSnapshot {
    /// `size 8, blockLength u16@0, templateId u16@2, schemaId u16@4, version u16@6`.
    var text: String { "size \(size), blockLength \(blockLength), templateId \(templateId), schemaId \(schemaId), version \(version)" }
}
