// The gateway's sessions, each with its order book, answered by the reference gateway's rules
// (TGP's ReferenceGateway: G1–G4 in auto mode, the Heartbeat echo of S4 in every mode).

import TGP

#if canImport(Glibc)
    import Glibc
#endif

struct GatewaySession {
    let sessionId: UInt64
    /// The negotiated version N.
    let version: Int
    /// Its open orders and orderId counter.
    var book = OrderBook()
}

struct GatewayState {
    /// The rules every answer but the session's own (Logon, Logout, Rejects) comes from.
    var rules: ReferenceGateway
    var autoMode = true
    /// Logged-on sessions by ROUTER identity.
    private(set) var sessions: [[UInt8]: GatewaySession] = [:]
    private var nextSessionId: UInt64 = 1
    /// Identities in the order they were last heard from, most recent last.
    private var recentIdentities: [[UInt8]] = []
    /// Identities in the order they logged on, most recent last.
    private var logonOrder: [[UInt8]] = []
    /// The last identity looked up in `sessions` and what it found: most frames come from the
    /// same client as the frame before, and comparing a few bytes is cheaper than hashing them. Cleared whenever
    /// `sessions` gains or loses a session (which moves its indices).
    private var lastIdentity: [UInt8]?
    private var lastSession: (index: SessionIndex, version: Int)?

    typealias SessionIndex = Dictionary<[UInt8], GatewaySession>.Index

    init(schema: Schema) {
        rules = ReferenceGateway(schema: schema)
    }

    mutating func noteActivity(_ identity: [UInt8]) {
        if recentIdentities.last == identity { return }
        recentIdentities.removeAll { $0 == identity }
        recentIdentities.append(identity)
        if recentIdentities.count > 1024 { recentIdentities.removeFirst() }
    }

    mutating func logOn(_ identity: [UInt8], version: Int) -> GatewaySession {
        let session = GatewaySession(sessionId: nextSessionId, version: version)
        nextSessionId += 1
        sessions[identity] = session
        lastIdentity = nil
        logonOrder.removeAll { $0 == identity }
        logonOrder.append(identity)
        return session
    }

    mutating func end(_ identity: [UInt8]) {
        sessions[identity] = nil
        lastIdentity = nil
        logonOrder.removeAll { $0 == identity }
    }

    /// Where the session of `identity` is in `sessions` and its negotiated version, nil when it has none.
    mutating func session(of identity: [UInt8]) -> (index: SessionIndex, version: Int)? {
        if lastIdentity == identity { return lastSession }
        // The bytes copied: holding the caller's array would make its next refill copy it.
        lastIdentity = identity.withUnsafeBufferPointer { Array($0) }
        lastSession = sessions.index(forKey: identity).map { ($0, sessions[$0].value.version) }
        return lastSession
    }

    /// The session a `send` goes to: the named one, else the one most recently logged on.
    func loggedOnIdentity(named sessionId: String?) -> [UInt8]? {
        guard let sessionId else { return logonOrder.last }
        return sessions.first { String($0.value.sessionId) == sessionId }?.key
    }

    /// Where a `send_raw` goes: the named session, else the client heard from last, logged on or not.
    func rawTarget(named sessionId: String?) -> [UInt8]? {
        guard let sessionId else { return recentIdentities.last }
        return loggedOnIdentity(named: sessionId)
    }

    /// The rules' answer to a message of the logged-on session at `session` (an index of
    /// `sessions`) whose negotiated version is `version`, if they answer its type: an order request (in auto mode) or a Heartbeat.
    mutating func referenceAnswer(to message: Message, in session: SessionIndex, at version: Int) -> Message? {
        // In place: the order book is not copied.
        return rules.answer(to: message, in: &sessions.values[session].book, at: version, transactTime: Self.transactTime())
    }

    private static func transactTime() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
