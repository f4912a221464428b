// The frames of an exported-PDU capture (link type 252, as Pcapng writes them) for
// `compat dissector verify --capture`: each packet's tags skipped, the rest is the frame.

import Foundation

enum DissectorCaptureFrames {
    /// The frames of `path`, in order; a file that is not such a capture is a ConfigError naming why.
    static func read(path: String) throws(ConfigError) -> [CheckedFrame] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("--capture \(path): cannot read it") }
        let bytes = [UInt8](data)
        guard bytes.count >= 12, le32(bytes, 0) == 0x0A0D_0D0A, le32(bytes, 8) == 0x1A2B_3C4D else {
            throw ConfigError("--capture \(path): not a little-endian pcapng file (compat writes those)")
        }
        var frames: [CheckedFrame] = []
        var linkTypes: [UInt32] = []
        var offset = 0
        while offset + 12 <= bytes.count {
            let type = le32(bytes, offset)
            let length = Int(le32(bytes, offset + 4))
            guard length >= 12, length % 4 == 0, offset + length <= bytes.count else {
                throw ConfigError("--capture \(path): block at byte \(offset) has a bad length \(length)")
            }
            let body = Array(bytes[(offset + 8)..<(offset + length - 4)])
            if type == 1, body.count >= 2 { linkTypes.append(UInt32(body[0]) | UInt32(body[1]) << 8) }
            if type == 6 { frames.append(try packet(body, linkTypes: linkTypes, number: frames.count + 1, path: path)) }
            offset += length
        }
        return frames
    }

    /// An enhanced packet block's frame: the data after the exported-PDU tags.
    private static func packet(_ body: [UInt8], linkTypes: [UInt32], number: Int, path: String) throws(ConfigError) -> CheckedFrame {
        let place = "--capture \(path): packet \(number)"
        guard body.count >= 20 else { throw ConfigError("\(place): the block is too short") }
        let interface = Int(le32(body, 0))
        let captured = Int(le32(body, 12))
        guard linkTypes.indices.contains(interface), linkTypes[interface] == UInt32(Pcapng.linkTypeUpperPDU) else {
            throw ConfigError("\(place): not an exported PDU (link type 252); only such captures can be checked")
        }
        guard 20 + captured <= body.count else { throw ConfigError("\(place): its data runs past the block") }
        let data = Array(body[20..<(20 + captured)])
        var position = 0
        while position + 4 <= data.count {
            let tag = Int(data[position]) << 8 | Int(data[position + 1])
            let length = Int(data[position + 2]) << 8 | Int(data[position + 3])
            position += 4 + length
            if tag == 0 { return CheckedFrame(label: "capture packet \(number)", bytes: Array(data[min(position, data.count)...])) }
        }
        throw ConfigError("\(place): its exported-PDU tags have no end")
    }

    private static func le32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
}
