// `compat schema diff`, `compat schema lock` and `compat schema lint`: today's schema against
// the released-schema lock (fixtures/schema-lock.json) and the evolution rules, writing that
// lock when a version is released, and the lint of one schema. The verdict and its exit status
// come from the runner library.

import ArgumentParser
import CompatRunner
import Foundation
import TGP

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract:
            "Guards the released versions' schema: the lock, today's schema against it, the schema's lint, and its layout at a version.",
        subcommands: [Diff.self, Lock.self, Lint.self, Show.self]
    )

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Names each breaking change: against the lock (or the lock at a git ref), and against the evolution rules.",
            discussion: """
                Each change is RULE@LOCATION, e.g. field-moved@v3:NewOrder.side or \
                group-added-to-message-with-var-data@v6:NewOrder.legs. The evolution rules (V1–V4) judge what \
                each version adds, whether the lock holds it or not. A change listed in the allowed-breaks \
                file (with its reason) is reported as allowed. Exit status: 0 no breaking change that is not \
                allowed, 1 one or more, 2 a usage or configuration error.
                """
        )

        @OptionGroup var matrixOptions: MatrixOptions

        @Argument(
            help: ArgumentHelp(
                "Two SBE XML files, OLD.xml NEW.xml (or NEW.xml with --baseline GIT_REF[:PATH]); none: TGP against its lock.",
                valueName: "file"))
        var files: [String] = []

        @Option(
            name: .long,
            help: ArgumentHelp(
                "What to compare with: a lock file, or a git ref whose fixtures hold one (default: FIXTURES/schema-lock.json); "
                    + "with NEW.xml, the XML at a git ref (GIT_REF, or GIT_REF:PATH for another path).",
                valueName: "file|git-ref[:path]"))
        var baseline: String?

        @Option(
            name: .customLong("allow-breaking"),
            help: ArgumentHelp("The reviewed list of intentional breaks (default: FIXTURES/allowed-breaks.json).", valueName: "file"))
        var allowedBreaks: String?

        @Flag(name: .long, help: "Print the findings as JSON (each with its rule id and location); the exit status is the same.")
        var json = false

        func validate() throws {
            guard files.count <= 2 else { throw ValidationError("give at most two schema files: OLD.xml NEW.xml") }
            if files.count == 2, baseline != nil { throw ValidationError("give OLD.xml NEW.xml, or NEW.xml with --baseline, not both") }
            if files.count == 1, baseline == nil {
                throw ValidationError("give OLD.xml NEW.xml, or NEW.xml with --baseline GIT_REF[:PATH]")
            }
        }

        func run() throws {
            guard files.isEmpty else { return try compareFiles() }
            // The support policy is judged when there is a matrix file to read it from.
            let matrix =
                FileManager.default.fileExists(atPath: matrixOptions.matrix) ? try MatrixConfig.load(path: matrixOptions.matrix) : nil
            let report = try schemaSection(
                fixtures: matrixOptions.fixturesFolder, baseline: baseline,
                allowedBreaks: allowedBreaks, support: matrix)
            emit(json ? report.json.serialized(pretty: true) + "\n" : report.rendered)
            if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
        }

        /// OLD.xml against NEW.xml, or NEW.xml against itself at a git ref.
        private func compareFiles() throws {
            let new = try loadSchema(path: files.last!)
            let allowances = try allowedBreaks.map { path throws(ConfigError) in try AllowedBreaks.load(path: path, missingIsEmpty: false) }
            let old: (value: Schema, description: String)
            if files.count == 2 {
                old = (try loadSchema(path: files[0]), files[0])
            } else {
                let (ref, path) = Self.split(baseline!, defaultPath: files[0])
                old = try SchemaAtRef.load(ref: ref, path: path) { copy throws(ConfigError) in try loadSchema(path: copy) }
            }
            let report = schemaComparison(
                old: old.value, oldName: old.description, new: new, newName: files.last!, allowances: allowances ?? AllowedBreaks())
            emit(json ? report.json.serialized(pretty: true) + "\n" : report.rendered)
            if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
        }

        /// `REF:PATH` → (REF, PATH); `REF` → (REF, the new file's path).
        static func split(_ baseline: String, defaultPath: String) -> (ref: String, path: String) {
            guard let colon = baseline.firstIndex(of: ":") else { return (baseline, defaultPath) }
            return (String(baseline[..<colon]), String(baseline[baseline.index(after: colon)...]))
        }
    }

    struct Lock: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lock",
            abstract: "Writes the lock entry of each released version that has none yet.",
            discussion: """
                A released entry never changes: if today's schema would change one, nothing is written and \
                the changes are listed (exit 1), unless --allow-breaking, which rewrites every entry from \
                today's schema. List each such break with its reason in the allowed-breaks file.
                """
        )

        @OptionGroup var matrixOptions: MatrixOptions

        @Flag(name: .customLong("allow-breaking"), help: "Rewrite released entries that changed (an intentional break).")
        var allowBreaking = false

        func run() throws {
            let folder = matrixOptions.fixturesFolder
            let path = folder + "/" + SchemaLock.fileName
            let existing = FileManager.default.fileExists(atPath: path) ? try SchemaLock.load(path: path) : nil
            let update: SchemaLockUpdate
            do {
                update = try SchemaLock.updating(existing, to: .tgp, allowBreaking: allowBreaking)
            } catch {
                FileHandle.standardError.write(Data("compat: \(path): \(error.description)\n".utf8))
                throw ExitCode(1)
            }
            let allowedPath = folder + "/" + AllowedBreaks.fileName
            if !FileManager.default.fileExists(atPath: allowedPath) {
                do {
                    try (AllowedBreaks().json.serialized(pretty: true) + "\n").write(toFile: allowedPath, atomically: true, encoding: .utf8)
                } catch {
                    throw ConfigError("\(allowedPath): cannot write the allowed breaks file: \(error.localizedDescription)")
                }
                emit("\(allowedPath): created, with no allowed breaks\n")
            }
            guard update.changed else {
                emit(
                    "\(path): up to date (versions \(update.lock.lockedVersions.map(String.init).joined(separator: ", "))); nothing written\n"
                )
                return
            }
            try update.lock.write(to: path)
            if !update.addedVersions.isEmpty {
                emit("\(path): locked \(update.addedVersions.map { "v\($0)" }.joined(separator: ", "))\n")
            }
            if !update.acceptedChanges.isEmpty {
                let allowances = try AllowedBreaks.load(path: allowedPath, missingIsEmpty: true)
                emit("\(path): rewrote released entries, accepting \(update.acceptedChanges.count) breaking change(s):\n")
                for change in update.acceptedChanges {
                    let listed = allowances.reason(for: change) != nil ? "" : "  (not in \(AllowedBreaks.fileName): add it with a reason)"
                    emit("  \(change)\(listed)\n")
                }
            }
        }
    }

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract:
                "Names each problem of the schema on its own: overlapping fields, duplicates, values that do not fit, versions out of order.",
            discussion: """
                Each finding is RULE@LOCATION, e.g. offsets-overlap@v1:NewOrder.side; the evolution rules' findings \
                (V1–V4) are included under their own ids. Exit status: 0 no finding, 1 one or more, 2 a usage error.
                """
        )

        @Argument(help: ArgumentHelp("The SBE XML file (default: TGP's own, Sources/TGP/tgp.xml).", valueName: "file"))
        var file: String?

        @Flag(name: .long, help: "Print the findings as JSON (each with its rule id and location); the exit status is the same.")
        var json = false

        func run() throws {
            let schema = try file.map { path throws(ConfigError) in try loadSchema(path: path) } ?? .tgp
            let report = SchemaLintReport(schema: schema, name: file ?? "TGP (Sources/TGP/tgp.xml)")
            emit(json ? report.json.serialized(pretty: true) + "\n" : report.rendered)
            if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
        }
    }
}
