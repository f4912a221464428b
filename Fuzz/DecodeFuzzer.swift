// libFuzzer target over the TGP decoder. NOT a SwiftPM target: scripts/fuzz compiles it
// together with Sources/Protocol/*.swift using `swiftc -sanitize=fuzzer,address`
// (see docs/FUZZING.md). The receiver's maximum version comes from TGP_FUZZ_VERSION, one of the
// schema's versions (Schema.tgp.versions).
//
// Every input must end in a value or a DecodeError. On top of "no crash, no trap, no read
// past the end, no hang" (the sanitizers and libFuzzer's -timeout watch those), two oracles
// trap on purpose so that a violation becomes a finding:
//   - a DecodeError's offset lies within the frame (0...frame.count);
//   - a decoded message re-encodes at min(header.version, max) without trapping, and when
//     the encoder accepts it, the re-encoded frame decodes to the same message.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The receiver's newest version, read once from TGP_FUZZ_VERSION (default: the schema's latest).
let fuzzMaxVersion: Int = {
    guard let raw = getenv("TGP_FUZZ_VERSION"), let value = Int(String(cString: raw)), Schema.tgp.versions.contains(value) else {
        return Schema.tgp.latestVersion
    }
    return value
}()

let fuzzCodec = Codec()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let frame = Array(UnsafeBufferPointer(start: data, count: size))
    let maxVersion = fuzzMaxVersion
    let decoded: DecodedFrame
    do {
        decoded = try fuzzCodec.decode(frame, asVersion: maxVersion)
    } catch {
        // `error` is a DecodeError (typed throws): check where it points.
        if !(0...frame.count).contains(error.offset) {
            fatalError("DecodeError offset \(error.offset) outside a frame of \(frame.count) bytes: \(error)")
        }
        _ = error.description
        return 0
    }
    let version = min(Int(decoded.header.version), maxVersion)
    guard fuzzCodec.schema.peerRanges[version] != nil else { return 0 }
    do {
        let again = try fuzzCodec.encode(decoded.message, at: version)
        do {
            let redecoded = try fuzzCodec.decode(again, asVersion: maxVersion)
            if redecoded.message != decoded.message {
                fatalError("re-encoded \(decoded.message.type.name) at v\(version) decodes to a different message")
            }
        } catch {
            fatalError("re-encoded \(decoded.message.type.name) at v\(version) is refused: \(error)")
        }
    } catch {
        _ = error.description  // E2 refusal (e.g. an enum value newer than the frame's version): fine.
    }
    return 0
}
