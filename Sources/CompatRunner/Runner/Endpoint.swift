// Where the runner may send a client (T2). The endpoint a gateway reports is parsed, never
// prefix-matched: `tcp://127.attacker.example:1` and `tcp://127.0.0.1;10.1.2.3:1` start like
// loopback and are not. ipc stays inside the cell's own folder; tcp goes to a literal loopback
// address and a numeric port (any literal address with --allow-remote); nothing else is accepted.

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An endpoint as the runner reads it.
enum Endpoint: Equatable {
    /// `ipc://PATH`, PATH absolute.
    case ipc(path: String)
    /// `tcp://ADDRESS:PORT`, ADDRESS a literal IPv4 address or an IPv6 address in brackets.
    case tcp(address: Address, port: Int)

    enum Address: Equatable {
        case v4([UInt8])
        case v6([UInt8])

        var isLoopback: Bool {
            switch self {
            case .v4(let octets): octets[0] == 127
            case .v6(let bytes): bytes == [UInt8](repeating: 0, count: 15) + [1]
            }
        }
    }

    /// Why an endpoint is not accepted, as a sentence about it.
    struct Refusal: Error, Equatable, CustomStringConvertible {
        let reason: String

        init(_ reason: String) {
            self.reason = reason
        }

        var description: String { reason }
    }

    /// A unix socket address (sun_path) holds 108 bytes, the last a NUL.
    static let ipcPathLimit = 107

    /// The endpoint a gateway reported, if a client may be sent there: an ipc path inside
    /// `cellFolder`, or tcp to loopback (`allowRemote`: to any literal address).
    static func reported(_ text: String, cellFolder: String, allowRemote: Bool) throws(Refusal) -> Endpoint {
        let endpoint = try parse(text)
        switch endpoint {
        case .ipc(let path):
            try requireInside(path, folder: cellFolder)
        case .tcp(let address, _) where !address.isLoopback && !allowRemote:
            throw Refusal("it is not a loopback address (127.0.0.0/8 or [::1]); --allow-remote permits it")
        case .tcp:
            break
        }
        return endpoint
    }

    static func parse(_ text: String) throws(Refusal) -> Endpoint {
        if let control = text.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw Refusal("it holds the control character U+\(String(control.value, radix: 16, uppercase: true))")
        }
        if text.hasPrefix("ipc://") { return try parseIPC(String(text.dropFirst("ipc://".count))) }
        if text.hasPrefix("tcp://") { return try parseTCP(text.dropFirst("tcp://".count)) }
        throw Refusal("only ipc:// and tcp:// endpoints are accepted")
    }

    private static func parseIPC(_ path: String) throws(Refusal) -> Endpoint {
        guard path.hasPrefix("/") else { throw Refusal("an ipc path must be absolute (not relative, not an abstract @name)") }
        let components = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            throw Refusal("an ipc path may not hold '.', '..' or empty components")
        }
        guard path.utf8.count <= ipcPathLimit else {
            throw Refusal("an ipc path is at most \(ipcPathLimit) bytes (a unix socket address); this one is \(path.utf8.count)")
        }
        return .ipc(path: path)
    }

    private static func parseTCP(_ rest: Substring) throws(Refusal) -> Endpoint {
        guard !rest.contains(";") else { throw Refusal("a source address (tcp://SOURCE;DESTINATION) is not accepted") }
        let needsPort = Refusal("a tcp endpoint is tcp://ADDRESS:PORT")
        let host: Substring
        let port: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw Refusal("an IPv6 address in brackets must end with ']'") }
            host = rest[...close]
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(":") else { throw needsPort }
            port = after.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else { throw needsPort }
            host = rest[..<colon]
            port = rest[rest.index(after: colon)...]
        }
        return .tcp(address: try parseAddress(host), port: try parsePort(port))
    }

    private static func parseAddress(_ host: Substring) throws(Refusal) -> Address {
        if host.hasPrefix("["), host.hasSuffix("]"), let bytes = ipv6(host.dropFirst().dropLast()) { return .v6(bytes) }
        if let octets = ipv4(host) { return .v4(octets) }
        throw Refusal(
            "the address must be literal: four decimal numbers 0-255, or an IPv6 address in brackets; host names are not accepted, not even localhost"
        )
    }

    /// Four decimal octets, without leading zeros (some readers take those as octal).
    private static func ipv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let octets = parts.compactMap { part -> UInt8? in
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), part == "0" || !part.hasPrefix("0") else { return nil }
            return UInt8(part)
        }
        return octets.count == 4 ? octets : nil
    }

    private static func ipv6(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ ($0.isHexDigit && $0.isASCII) || $0 == ":" || $0 == "." }) else { return nil }
        var address = in6_addr()
        guard inet_pton(AF_INET6, String(text), &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    private static func parsePort(_ text: Substring) throws(Refusal) -> Int {
        guard (1...5).contains(text.count), text.allSatisfy(\.isASCIIDigit), !text.hasPrefix("0"),
            let port = Int(text), port <= 65535
        else {
            throw Refusal("the port must be a number from 1 to 65535, got \"\(text.prefix(20))\"")
        }
        return port
    }

    /// ipc only inside the cell's own folder, also where the path goes through a symbolic link.
    private static func requireInside(_ path: String, folder: String) throws(Refusal) {
        guard path.hasPrefix(folder + "/") else { throw Refusal("an ipc endpoint must be inside the cell's folder \(folder)") }
        // The gateway may make links in its folder: the folder the socket really is in decides.
        let parent = String(path[..<path.lastIndex(of: "/")!])
        guard let realParent = realPath(parent), let realFolder = realPath(folder) else {
            throw Refusal("its folder \(parent) does not exist")
        }
        guard realParent == realFolder || realParent.hasPrefix(realFolder + "/") else {
            throw Refusal("its folder \(parent) is a link to \(realParent), outside the cell's folder \(folder)")
        }
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            throw Refusal("it is a symbolic link, which may point outside the cell's folder \(folder)")
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
