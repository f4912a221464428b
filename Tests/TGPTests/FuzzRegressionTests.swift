// Replays the committed fuzz regression corpus (fixtures/fuzz-regressions: hand-picked nasty
// inputs plus every input the fuzzer ever broke the decoder with, see docs/FUZZING.md) at
// every receiver maximum version. Each must end in a value or a DecodeError — a crash or a
// trap here takes the test process down, which is the failure. The same oracles as
// Fuzz/DecodeFuzzer.swift: an error points inside the frame; a value re-encodes without
// trapping at min(header.version, max), and an accepted re-encoding decodes to the same message.

import Foundation
import Testing

@testable import TGP

/// fixtures/fuzz-regressions, found from this file's place in the repository.
private let regressionFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fixtures/fuzz-regressions")

/// Every file of the regression corpus, by name (hidden files skipped).
private func regressionInputs() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: regressionFolder.path)) ?? []
    return names.filter { !$0.hasPrefix(".") }.sorted()
}

private func regressionBytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: regressionFolder.appendingPathComponent(name)))
}

/// What decoding one input at one version came to.
private enum Outcome {
    case value(DecodedFrame)
    case error(DecodeError)
}

private func outcome(_ frame: [UInt8], asVersion version: Int) -> Outcome {
    do {
        return .value(try codec.decode(frame, asVersion: version))
    } catch {
        return .error(error)
    }
}

@Suite("Fuzz regression corpus")
struct FuzzRegressionTests {
    @Test("the corpus is there and holds the hand-picked inputs")
    func corpusIsPresent() throws {
        let names = regressionInputs()
        #expect(names.count >= 30, "fixtures/fuzz-regressions has \(names.count) files at \(regressionFolder.path)")
        for required in [
            "empty.bin", "truncated-header-7-bytes.bin", "header-only-blockLength-ffff.bin",
            "marketdata-numInGroup-ffff.bin", "logon-varData-length-ffff.bin", "logon-version-ffff.bin",
        ] {
            #expect(names.contains(required), "missing \(required)")
        }
        #expect(try regressionBytes("empty.bin").isEmpty)
        #expect(try regressionBytes("truncated-header-7-bytes.bin").count == 7)
    }

    @Test("every input ends in a value or a DecodeError at every max version", arguments: regressionInputs(), allVersions)
    func replay(_ name: String, maxVersion: Int) throws {
        let frame = try regressionBytes(name)
        switch outcome(frame, asVersion: maxVersion) {
        case .error(let error):
            #expect(
                (0...frame.count).contains(error.offset),
                "\(name) at v\(maxVersion): offset \(error.offset) outside a frame of \(frame.count) bytes: \(error)")
            #expect(!error.description.isEmpty)
        case .value(let decoded):
            let version = min(Int(decoded.header.version), maxVersion)
            #expect(allVersions.contains(version))
            #expect(Int(decoded.header.version) >= decoded.message.type.since)
            do {
                let again = try codec.encode(decoded.message, at: version)
                switch outcome(again, asVersion: maxVersion) {
                case .value(let redecoded):
                    #expect(
                        redecoded.message == decoded.message, "\(name) at v\(maxVersion): re-encoded at v\(version), decodes differently")
                case .error(let error):
                    Issue.record("\(name) at v\(maxVersion): re-encoded at v\(version), refused: \(error)")
                }
            } catch {
                // E2: e.g. an enum value newer than the frame's own version; a typed refusal is fine.
                #expect(!error.description.isEmpty)
            }
        }
    }

    /// A few inputs whose outcome is known, so the corpus is not only "did not crash".
    @Test("known outcomes of hand-picked inputs")
    func knownOutcomes() throws {
        func reason(_ name: String, _ version: Int) throws -> DecodeError.Reason? {
            guard case .error(let error) = outcome(try regressionBytes(name), asVersion: version) else { return nil }
            return error.reason
        }
        for version in allVersions {
            #expect(try reason("empty.bin", version) == .truncatedHeader(size: 0))
            #expect(try reason("truncated-header-7-bytes.bin", version) == .truncatedHeader(size: 7))
            #expect(try reason("oversized-4097-bytes.bin", version) == .oversized(size: 4097))
            #expect(try reason("logon-varData-length-ffff.bin", version) == .varDataTooLong(0xFFFF))
            #expect(try reason("logon-version-ffff.bin", version) == nil)  // R10: decoded, not rejected
        }
        for version in 2...5 {
            #expect(try reason("marketdata-numInGroup-ffff.bin", version) == .tooManyGroupEntries(0xFFFF))
        }
        #expect(try reason("header-only-blockLength-ffff.bin", 5) == .truncated(needed: 0xFFFF, available: 0))
    }
}
