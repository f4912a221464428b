// results.json: every finding of a run, lossless, so every other report can be written again
// from it (ResultsJSONReader reads it back; `compat report merge` joins shards through both).
// docs/REPORTS.md describes each key, docs/results.schema.json is its JSON Schema.

import MiniJSON
import TGP

enum ResultsJSON {
    /// Raised when a key changes meaning or goes away; new keys raise it too, since readers are strict.
    static let schemaVersion = 3

    static func render(_ results: RunResults) -> [UInt8] {
        Array((document(results).serialized(pretty: true) + "\n").utf8)
    }

    static func document(_ results: RunResults) -> JSON {
        let run = results.run
        let matrix = results.matrix
        return [
            "schemaVersion": .integer(schemaVersion),
            "runId": .string(run.runId.value),
            "startedAt": .string(run.startedAt),
            "command": .string(run.command),
            "arguments": strings(run.arguments),
            "compatVersion": .string(run.compatVersion),
            "shard": run.shard.map(shard) ?? .null,
            "provenance": run.provenance.map(provenance) ?? .null,
            "allExpected": .bool(matrix.allExpected),
            "clients": strings(matrix.clients),
            "gateways": strings(matrix.gateways),
            "wallSeconds": .double(matrix.wallSeconds),
            "jobs": .integer(matrix.jobs),
            "totals": totals(matrix.cells),
            "cells": .array(ReportText.orderedCells(matrix).map(cell)),
            "staleEntries": .array(matrix.staleKnownFailures.map(staleEntry)),
            "gate": results.gate.map(gate) ?? .null,
        ]
    }

    static func strings(_ values: [String]) -> JSON { .array(values.map(JSON.string)) }

    static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }

    static func shard(_ record: ShardRecord) -> JSON {
        [
            "index": .integer(record.shard.index),
            "count": .integer(record.shard.count),
            "units": strings(record.units),
            "matrixDigest": .string(record.matrixDigest),
            "arguments": strings(record.arguments),
            "knownFailures": .array(record.wildcardKnownFailures.map(knownFailure)),
        ]
    }

    static func provenance(_ provenance: Provenance) -> JSON {
        ["commit": .string(provenance.commit), "branch": .string(provenance.branch), "machine": .string(provenance.machine)]
    }

    static func knownFailure(_ entry: KnownFailure) -> JSON {
        [
            "client": .string(entry.client),
            "gateway": .string(entry.gateway),
            "check": .string(entry.check),
            "reason": .string(entry.reason),
        ]
    }

    static func staleEntry(_ entry: StaleKnownFailure) -> JSON {
        [
            "client": .string(entry.client),
            "gateway": .string(entry.gateway),
            "check": .string(entry.check),
            "reason": .string(entry.reason),
            "passedChecks": .integer(entry.passedChecks),
        ]
    }

    /// Cells by state and checks by status, zeros included, so the shape never changes.
    static func totals(_ cells: [CellResult]) -> JSON {
        var states = JSONObject()
        for state in CellState.allCases { states[state.rawValue] = .integer(cells.filter { $0.state == state }.count) }
        var statuses = JSONObject()
        for status in CheckStatus.allCases {
            statuses[status.rawValue] = .integer(cells.reduce(0) { $0 + $1.checks.filter { $0.status == status }.count })
        }
        return [
            "cells": .integer(cells.count),
            "checks": .integer(cells.reduce(0) { $0 + $1.checks.count }),
            "states": .object(states),
            "checkStatuses": .object(statuses),
        ]
    }

    static func cell(_ cell: CellResult) -> JSON {
        [
            "name": .string(ReportText.cellName(cell)),
            "client": .string(cell.client),
            "gateway": .string(cell.gateway),
            "clientVersion": .integer(cell.clientVersion),
            "gatewayVersion": .integer(cell.gatewayVersion),
            "expectedVersion": cell.expectedVersion.map(JSON.integer) ?? .null,
            "profile": .string(cell.profile),
            "state": .string(cell.state.rawValue),
            "problem": optional(cell.problem),
            "keptDirectory": optional(cell.keptDirectory),
            "seconds": .double(cell.seconds),
            "reproduce": .string(cell.reproduce),
            "peers": .array(cell.peers.map(peer)),
            "checks": .array(cell.checks.map { check($0, in: cell) }),
            "timeline": .array(cell.timeline.map { ["phase": .string($0.phase), "seconds": .double($0.seconds)] }),
        ]
    }

    static func peer(_ peer: PeerOutcome) -> JSON {
        [
            "role": .string(peer.role),
            "name": .string(peer.name),
            "argv": strings(peer.argv),
            "termination": optional(peer.termination),
            "stderrTail": .string(peer.stderrTail),
        ]
    }

    static func check(_ check: CheckResult, in cell: CellResult) -> JSON {
        [
            "name": .string(check.name),
            "status": .string(check.status.rawValue),
            "rules": strings(check.rules),
            "knownReason": optional(check.knownReason),
            "reason": optional(check.reason),
            "seconds": check.seconds.map(JSON.double) ?? .null,
            "failure": check.failure.map(failure) ?? .null,
            // Passing checks need no command; everything else says how to see it again.
            "reproduce": check.status == .passed ? .null : .string(reproduceCommand(for: check, in: cell)),
            "message": optional(check.message),
        ]
    }

    static func failure(_ failure: CheckFailure) -> JSON {
        [
            "message": .string(failure.message),
            "field": optional(failure.field),
            "expected": optional(failure.expected),
            "actual": optional(failure.actual),
            "sentFrame": optional(failure.sentFrame?.hexString),
            "receivedFrame": optional(failure.receivedFrame?.hexString),
            "expectedFrame": optional(failure.expectedFrame?.hexString),
        ]
    }

    // MARK: The gate's sections

    static func gate(_ gate: GateResult) -> JSON {
        [
            "passed": .bool(gate.passed),
            "seconds": .double(gate.seconds),
            "schema": schema(gate.schema),
            "goldenFrames": golden(gate.fixtures),
            "scenarios": .array(gate.scenarios.map(cell)),
            "staleKnownFailures": strings(gate.staleKnownFailures.map(\.name)),
        ]
    }

    static func schema(_ report: SchemaDiffReport) -> JSON {
        [
            "passed": .bool(report.passed),
            "baseline": .string(report.baselineDescription),
            "lockedVersions": .array(report.lockedVersions.map(JSON.integer)),
            "unlockedVersions": .array(report.unlockedVersions.map(JSON.integer)),
            "breaking": .array(report.breaking.map { change($0) }),
            "allowed": .array(report.allowed.map { change($0.change, reason: $0.reason) }),
            "unusedAllowances": .array(report.unusedAllowances.map { ["id": .string($0.id), "reason": .string($0.reason)] }),
        ]
    }

    static func change(_ change: BreakingChange, reason: String? = nil) -> JSON {
        var object: JSONObject = [
            "id": .string(change.id),
            "rule": .string(change.rule.rawValue),
            "location": .string(change.location),
            "detail": .string(change.detail),
        ]
        if let reason { object["reason"] = .string(reason) }
        return .object(object)
    }

    static func golden(_ report: GoldenReport) -> JSON {
        [
            "passed": .bool(report.passed),
            "folder": .string(report.folder),
            "files": .integer(report.files),
            "frames": .integer(report.frames),
            "refusals": .integer(report.refusals),
            "decodes": .integer(report.decodes),
            "problems": .array(
                report.problems.map { ["file": .string($0.file), "case": optional($0.caseName), "message": .string($0.message)] }),
        ]
    }
}
