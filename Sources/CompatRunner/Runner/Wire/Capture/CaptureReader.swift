// Reads a capture file into protocol frames. pcapng's blocks are walked here; packets of link
// type 252 are compat's own exported PDUs (or Wireshark's "Export PDUs"), whose tags say the
// direction and session; every other link type is live traffic for LiveTraffic to reassemble.
// Every length in the file is checked against what is left of it before it is used.

import Foundation
import SBE

public enum CaptureReader {
    /// The frames of the capture at `path` (pcapng or classic pcap).
    public static func read(path: String) throws(CaptureError) -> Capture {
        let bytes = try fileBytes(path)
        do {
            return try capture(bytes)
        } catch {
            var located = error
            located.file = path
            throw located
        }
    }

    static func capture(_ bytes: [UInt8]) throws(CaptureError) -> Capture {
        let section: PcapngSection
        if PcapngSection.isPcapng(bytes) {
            section = try PcapngSection.read(bytes)
        } else if ClassicPcap.isPcap(bytes) {
            section = PcapngSection(packets: try ClassicPcap.packets(bytes))
        } else {
            throw CaptureError(offset: 0, "not a pcap or pcapng file (its first bytes are \(hex(bytes.prefix(4))))")
        }
        var capture: Capture
        if !section.packets.isEmpty, section.packets.allSatisfy({ $0.linkType == UInt32(Pcapng.linkTypeUpperPDU) }) {
            capture = try ExportedPDUs.capture(section.packets)
        } else {
            capture = try LiveTraffic.capture(section.packets)
        }
        capture.comments = section.comments + capture.comments
        return capture
    }

    private static func fileBytes(_ path: String) throws(CaptureError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CaptureError(file: path, "no such file")
        }
        guard !isDirectory.boolValue else { throw CaptureError(file: path, "is a directory, not a capture file") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= Capture.maxFileBytes else {
            throw CaptureError(file: path, "is \(size) bytes, over the \(Capture.maxFileBytes) bytes compat reads")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw CaptureError(file: path, "cannot be read") }
        return [UInt8](data)
    }

    /// Bytes as spaced hex pairs, for an error message (`0a 0d 0d 0a`).
    static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        bytes.map { [$0].hexString }.joined(separator: " ")
    }
}

/// The packets and comments of a pcapng file (every section, in order).
struct PcapngSection {
    var comments: [String] = []
    var packets: [LinkPacket] = []

    static func isPcapng(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x0A, 0x0D, 0x0D, 0x0A]) }

    private struct Interface {
        var linkType: UInt32
        /// Nanoseconds per timestamp unit, or nil with `divisor` for finer resolutions.
        var unitNanoseconds: UInt64
        var divisor: UInt64
    }

    static func read(_ bytes: [UInt8]) throws(CaptureError) -> PcapngSection {
        var section = PcapngSection()
        var reader = ByteReader(bytes)
        var interfaces: [Interface] = []
        while reader.remaining > 0 {
            let start = reader.offset
            let type = try reader.peekUInt32(bigEndian: false)
            if type == 0x0A0D_0D0A {
                try reader.readSectionOrder()
                interfaces = []
            }
            let block = try reader.block()
            switch block.type {
            case 0x0A0D_0D0A: section.comments += try comments(in: block, optionsAt: 16, base: start)
            case 1: interfaces.append(try interface(block, base: start))
            case 6: section.packets.append(try enhancedPacket(block, interfaces: interfaces, base: start))
            case 3: section.packets.append(try simplePacket(block, interfaces: interfaces, base: start))
            default: break  // name resolution, statistics, custom blocks: nothing a frame needs
            }
            guard section.packets.count <= Capture.maxFrames else {
                throw CaptureError(offset: start, "more than \(Capture.maxFrames) packets, the most compat reads from one capture")
            }
        }
        return section
    }

    private static func interface(_ block: ByteReader.Block, base: Int) throws(CaptureError) -> Interface {
        var body = block.body
        let linkType = UInt32(try body.uint16())
        _ = try body.uint16()
        _ = try body.uint32()
        var result = Interface(linkType: linkType, unitNanoseconds: 1000, divisor: 1)
        for option in try body.options(base: base + 8) where option.code == 9 && option.value.count >= 1 {
            let resolution = option.value[0]
            let exponent = Int(resolution & 0x7F)
            if resolution & 0x80 == 0 {
                guard exponent <= 18 else { throw CaptureError(offset: base, "if_tsresol 10^-\(exponent) is finer than compat reads") }
                (result.unitNanoseconds, result.divisor) = exponent <= 9 ? (pow10(9 - exponent), 1) : (1, pow10(exponent - 9))
            } else {
                guard exponent <= 60 else { throw CaptureError(offset: base, "if_tsresol 2^-\(exponent) is finer than compat reads") }
                (result.unitNanoseconds, result.divisor) =
                    exponent <= 30 ? (1_000_000_000 >> UInt64(exponent), 1) : (1, 1 << UInt64(exponent - 30))
            }
        }
        return result
    }

    private static func enhancedPacket(_ block: ByteReader.Block, interfaces: [Interface], base: Int) throws(CaptureError) -> LinkPacket {
        var body = block.body
        let interfaceIndex = Int(try body.uint32())
        guard interfaces.indices.contains(interfaceIndex) else {
            throw CaptureError(offset: base, "a packet names interface \(interfaceIndex), which the section has not described")
        }
        let interface = interfaces[interfaceIndex]
        let high = UInt64(try body.uint32())
        let low = UInt64(try body.uint32())
        let captured = Int(try body.uint32())
        _ = try body.uint32()
        let data = try body.bytes(captured, padTo: 4)
        let comment = try body.options(base: base + 28 + data.count).first { $0.code == 1 }.map {
            String(decoding: $0.value, as: UTF8.self)
        }
        let units = high << 32 | low
        let (product, overflow) = units.multipliedReportingOverflow(by: interface.unitNanoseconds)
        return LinkPacket(
            linkType: interface.linkType, nanoseconds: overflow ? UInt64.max : product / interface.divisor, data: data, comment: comment)
    }

    private static func simplePacket(_ block: ByteReader.Block, interfaces: [Interface], base: Int) throws(CaptureError) -> LinkPacket {
        guard let interface = interfaces.first else {
            throw CaptureError(offset: base, "a simple packet comes before any interface is described")
        }
        var body = block.body
        let original = Int(try body.uint32())
        let data = try body.bytes(min(original, body.remaining), padTo: 1)
        return LinkPacket(linkType: interface.linkType, nanoseconds: 0, data: data)
    }

    private static func comments(in block: ByteReader.Block, optionsAt skip: Int, base: Int) throws(CaptureError) -> [String] {
        var body = block.body
        _ = try body.bytes(skip, padTo: 1)
        return try body.options(base: base + 8 + skip).filter { $0.code == 1 }.map { String(decoding: $0.value, as: UTF8.self) }
    }

    private static func pow10(_ exponent: Int) -> UInt64 { (0..<exponent).reduce(1) { value, _ in value * 10 } }
}
