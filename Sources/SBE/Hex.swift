// Frames as lower-case hex, as the peer contract and the reports show them.

extension Collection<UInt8> {
    /// Lower-case hex, two digits a byte. Inlinable, so each caller's collection type gets its
    /// own loop rather than a generic one: peers and the runner write every frame this way.
    @inlinable
    public var hexString: String {
        String(unsafeUninitializedCapacity: count * 2) { out in
            var index = 0
            for byte in self {
                out[index] = hexDigit(byte >> 4)
                out[index + 1] = hexDigit(byte & 0x0F)
                index += 2
            }
            return index
        }
    }
}

/// The lower-case hex digit of a nibble.
@inlinable
func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
}

/// The bytes of a hex string (either case, even length), or nil when it is not hex.
public func bytes(fromHex hex: String) -> [UInt8]? {
    var hex = hex
    return hex.withUTF8 { utf8 in
        guard utf8.count.isMultiple(of: 2) else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}

/// The value of one hex digit, either case.
private func nibble(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
}
