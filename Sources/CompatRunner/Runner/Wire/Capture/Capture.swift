// What a capture file holds once read, whoever wrote it: compat's own exported-PDU captures and
// pcap(ng) files of live ZeroMQ tcp traffic both come down to protocol frames with a time, a
// direction and a session. Everything in a capture file is untrusted input.

/// One packet of a capture file as its link layer gave it.
public struct LinkPacket: Sendable, Hashable {
    /// The LINKTYPE_ value of the packet's interface (1 Ethernet, 113 Linux SLL, 252 exported PDU …).
    public var linkType: UInt32
    /// Nanoseconds since the Unix epoch.
    public var nanoseconds: UInt64
    public var data: [UInt8]
    public var comment: String?

    public init(linkType: UInt32, nanoseconds: UInt64, data: [UInt8], comment: String? = nil) {
        self.linkType = linkType
        self.nanoseconds = nanoseconds
        self.data = data
        self.comment = comment
    }
}

/// A capture file that cannot be read: which file, where in it, and why.
public struct CaptureError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String?
    /// The byte offset in the file where it went wrong, when there is one.
    public var offset: Int?
    public var reason: String

    public init(file: String? = nil, offset: Int? = nil, _ reason: String) {
        self.file = file
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        let place = [file, offset.map { "byte \($0)" }].compactMap { $0 }.joined(separator: ", ")
        return place.isEmpty ? reason : "\(place): \(reason)"
    }
}

/// The protocol frames of a capture, in the order they were captured.
public struct Capture: Sendable {
    /// The section's comments (compat writes the cell, the peers' versions and the negotiated version).
    public var comments: [String] = []
    /// The dissector the packets name (exported PDUs), nil for live traffic.
    public var dissector: String?
    public var frames: [WireFrame] = []
    /// What was left out and why (a stream that is not ZMTP, a multipart message …), for the reader of a report.
    public var notes: [String] = []

    public init(comments: [String] = [], dissector: String? = nil, frames: [WireFrame] = [], notes: [String] = []) {
        self.comments = comments
        self.dissector = dissector
        self.frames = frames
        self.notes = notes
    }

    /// The streams in the order they first appear.
    public var streams: [Int] {
        var seen: Set<Int> = []
        return frames.compactMap { seen.insert($0.stream).inserted ? $0.stream : nil }
    }

    /// Limits on what a capture may make the runner hold.
    public static let maxFileBytes = 1 << 30
    public static let maxFrames = 1_000_000
}
