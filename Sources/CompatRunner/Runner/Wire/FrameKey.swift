// Frames looked up by their bytes: the capture's gateway readings, a replay's readings per request.

/// A frame's bytes as a dictionary key, hashed as one block: an array of bytes hashes byte by
/// byte, which for frames of kilobytes showed in the runner's profile.
struct FrameKey: Hashable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
