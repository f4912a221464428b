// Socket options the peers need, as typed setters. Setting can fail (a bad value, a closed
// socket), and Swift property setters cannot throw, so these are throwing methods.
// Most options only affect later bind/connect calls: set them first.
import CZeroMQ

extension ZMQSocket {
    /// ROUTER only: sending to an unknown identity throws EHOSTUNREACH instead of being dropped.
    public func setRouterMandatory(_ on: Bool) throws(ZMQError) {
        try setIntegerOption(.routerMandatory, on ? 1 : 0)
    }

    /// Largest inbound message accepted; a peer sending a larger one is disconnected. -1 = no limit.
    public func setMaxMessageSize(_ bytes: Int64) throws(ZMQError) {
        try setIntegerOption(.maxMessageSize, bytes)
    }

    /// Time between connection retries; libzmq's default 100 ms is also what a
    /// connect made before the bind waits.
    public func setReconnectInterval(milliseconds: Int32) throws(ZMQError) {
        try setIntegerOption(.reconnectInterval, Int64(milliseconds))
    }

    /// Messages queued per peer before send blocks (0 = no limit).
    public func setSendHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setIntegerOption(.sendHighWaterMark, Int64(messages))
    }

    /// Messages queued per peer on the receiving side (0 = no limit).
    public func setReceiveHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setIntegerOption(.receiveHighWaterMark, Int64(messages))
    }

    /// ZMQ_ROUTING_ID: the identity a ROUTER peer sees as this socket's first frame
    /// (1...255 bytes; ones starting with a zero byte are reserved for libzmq's own).
    public func setIdentity(_ identity: [UInt8]) throws(ZMQError) {
        let socket = try live("set ZMQ_ROUTING_ID")
        let rc = identity.withUnsafeBytes { zmq_setsockopt(socket, ZMQ_ROUTING_ID, $0.baseAddress, $0.count) }
        try check(rc, "set ZMQ_ROUTING_ID to \(identity.count) bytes")
    }

    /// The integer options above, each with its C name and whether libzmq wants an int64.
    enum IntegerOption {
        case linger, routerMandatory, maxMessageSize, reconnectInterval, sendHighWaterMark, receiveHighWaterMark

        var code: Int32 {
            switch self {
            case .linger: ZMQ_LINGER
            case .routerMandatory: ZMQ_ROUTER_MANDATORY
            case .maxMessageSize: ZMQ_MAXMSGSIZE
            case .reconnectInterval: ZMQ_RECONNECT_IVL
            case .sendHighWaterMark: ZMQ_SNDHWM
            case .receiveHighWaterMark: ZMQ_RCVHWM
            }
        }

        var name: String {
            switch self {
            case .linger: "ZMQ_LINGER"
            case .routerMandatory: "ZMQ_ROUTER_MANDATORY"
            case .maxMessageSize: "ZMQ_MAXMSGSIZE"
            case .reconnectInterval: "ZMQ_RECONNECT_IVL"
            case .sendHighWaterMark: "ZMQ_SNDHWM"
            case .receiveHighWaterMark: "ZMQ_RCVHWM"
            }
        }

        /// Only ZMQ_MAXMSGSIZE is an int64_t; libzmq rejects a wrong size with EINVAL.
        var is64Bit: Bool { self == .maxMessageSize }
    }

    func setIntegerOption(_ option: IntegerOption, _ value: Int64) throws(ZMQError) {
        let operation = { "set \(option.name) to \(value)" }
        let socket = try live(operation())
        var wide = value
        var narrow = Int32(truncatingIfNeeded: value)
        let rc =
            option.is64Bit
            ? zmq_setsockopt(socket, option.code, &wide, MemoryLayout<Int64>.size)
            : zmq_setsockopt(socket, option.code, &narrow, MemoryLayout<Int32>.size)
        try check(rc, operation())
    }

    /// Reads an option back (used by tests; ZMQ_ROUTER_MANDATORY is write-only in libzmq).
    func integerOption(_ option: IntegerOption) throws(ZMQError) -> Int64 {
        let operation = { "get \(option.name)" }
        let socket = try live(operation())
        var wide: Int64 = 0
        var narrow: Int32 = 0
        var size = option.is64Bit ? MemoryLayout<Int64>.size : MemoryLayout<Int32>.size
        let rc =
            option.is64Bit
            ? zmq_getsockopt(socket, option.code, &wide, &size)
            : zmq_getsockopt(socket, option.code, &narrow, &size)
        try check(rc, operation())
        return option.is64Bit ? wide : Int64(narrow)
    }
}
