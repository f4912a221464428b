// TGP versions 1 to 5 as data: the single source of truth for the codec, the peers and
// the runner's expectations. Transcribed from PROTOCOL.md; offsets are checked by tests.

extension Schema {
    /// TGP, every released version.
    public static let tgp = Schema(
        schemaId: 0x5447,
        messages: TGP.messages,
        enums: TGP.enums,
        peerRanges: [1: 1...1, 2: 1...2, 3: 1...3, 4: 2...4, 5: 3...5],
        maxFrameSize: 4096,
        maxVarDataLength: 1024,
        maxGroupEntries: 64
    )
}

/// Namespace for the TGP tables.
enum TGP {
    static let logonRejectReason = EnumSchema(
        "LogonRejectReason",
        [
            .init(1, "UnsupportedVersion"),
            .init(2, "BadCredentials"),
            .init(3, "Throttled", since: 4),
        ])
    static let side = EnumSchema(
        "Side",
        [
            .init(1, "Buy"),
            .init(2, "Sell"),
            .init(3, "SellShort", since: 2),
        ])
    static let ordType = EnumSchema(
        "OrdType",
        [
            .init(1, "Limit"),
            .init(2, "Market"),
            .init(3, "Stop", since: 4),
        ])
    static let timeInForce = EnumSchema(
        "TimeInForce",
        [
            .init(0, "Day"),
            .init(1, "IOC"),
            .init(2, "GTC"),
            .init(3, "FOK", since: 5),
        ], default: "Day")
    static let stp = EnumSchema(
        "Stp",
        [
            .init(0, "None"),
            .init(1, "CancelNewest"),
            .init(2, "CancelOldest"),
        ], default: "None")
    static let ordStatus = EnumSchema(
        "OrdStatus",
        [
            .init(0, "New"),
            .init(1, "Replaced", since: 3),
        ])
    static let execType = EnumSchema(
        "ExecType",
        [
            .init(1, "PartialFill"),
            .init(2, "Fill"),
            .init(3, "Expired", since: 2),
            .init(4, "Cancelled", since: 2),
        ])
    static let liquidity = EnumSchema(
        "Liquidity",
        [
            .init(0, "Unknown"),
            .init(1, "Maker"),
            .init(2, "Taker"),
        ], default: "Unknown")
    static let rejectCode = EnumSchema(
        "RejectCode",
        [
            .init(1, "UnknownTemplate"),
            .init(2, "Malformed"),
            .init(3, "InvalidValue"),
            .init(4, "NotLoggedOn"),
            .init(5, "UnsupportedInVersion"),
            .init(6, "UnknownOrder"),
            .init(7, "RiskLimit", since: 4),
        ])
    static let massCancelScope = EnumSchema(
        "MassCancelScope",
        [
            .init(1, "All"),
            .init(2, "Symbol"),
        ])
    static let killSwitch = EnumSchema(
        "KillSwitch",
        [
            .init(0, "Off"),
            .init(1, "On"),
        ])
    static let tradingState = EnumSchema(
        "TradingState",
        [
            .init(1, "Open"),
            .init(2, "Halted"),
            .init(3, "CircuitBreaker"),
            .init(4, "Closed"),
        ])

    static let enums = [
        logonRejectReason, side, ordType, timeInForce, stp, ordStatus, execType, liquidity, rejectCode,
        massCancelScope, killSwitch, tradingState,
    ]

    static let messages: [MessageSchema] = [
        // Session
        .init(
            1, "Logon", .clientToGateway, since: 1,
            fields: [
                .init("minVersion", .u16, at: 0),
                .init("maxVersion", .u16, at: 2),
                .init("heartbeatMs", .u32, at: 4),
                .init("capabilities", .u32, at: 8, since: 3),
            ], varData: [.init("username")]),
        .init(
            2, "LogonAck", .gatewayToClient, since: 1,
            fields: [
                .init("version", .u16, at: 0),
                .init("heartbeatMs", .u32, at: 2),
                .init("sessionId", .u64, at: 6),
                .init("capabilities", .u32, at: 14, since: 3),
            ]),
        .init(
            3, "LogonReject", .gatewayToClient, since: 1,
            fields: [
                .init("reason", .enumeration(logonRejectReason), at: 0),
                .init("supportedMin", .u16, at: 1),
                .init("supportedMax", .u16, at: 3),
            ], varData: [.init("text")]),
        .init(
            4, "Heartbeat", .both, since: 1,
            fields: [
                .init("timestamp", .u64, at: 0),
                .init("seqNo", .u64, at: 8, since: 3),
            ]),
        .init(5, "Logout", .both, since: 1, varData: [.init("reason")]),
        .init(
            15, "Reject", .both, since: 1,
            fields: [
                .init("refTemplateId", .u16, at: 0),
                .init("code", .enumeration(rejectCode), at: 2),
                .init("refClOrdId", .u64, at: 3),
            ], varData: [.init("text")]),

        // Orders
        .init(
            10, "NewOrder", .clientToGateway, since: 1,
            fields: [
                .init("clOrdId", .u64, at: 0),
                .init("price", .i64, at: 8),
                .init("quantity", .u32, at: 16),
                .init("side", .enumeration(side), at: 20),
                .init("ordType", .enumeration(ordType), at: 21),
                .init("symbol", .char8, at: 22),
                .init("timeInForce", .enumeration(timeInForce), at: 30, since: 2),
                .init("quantityLong", .u64, at: 31, since: 4, widens: "quantity"),
                .init("stp", .enumeration(stp), at: 39, since: 5),
            ], varData: [.init("account", since: 2), .init("clientTag", since: 5)]),
        .init(
            11, "OrderAck", .gatewayToClient, since: 1,
            fields: [
                .init("clOrdId", .u64, at: 0),
                .init("orderId", .u64, at: 8),
                .init("status", .enumeration(ordStatus), at: 16),
                .init("transactTime", .u64, at: 17, since: 2),
            ]),
        .init(
            12, "CancelOrder", .clientToGateway, since: 1,
            fields: [
                .init("clOrdId", .u64, at: 0),
                .init("origClOrdId", .u64, at: 8),
                .init("symbol", .char8, at: 16),
            ]),
        .init(
            13, "CancelAck", .gatewayToClient, since: 1,
            fields: [
                .init("clOrdId", .u64, at: 0),
                .init("origClOrdId", .u64, at: 8),
                .init("transactTime", .u64, at: 16, since: 2),
            ]),
        .init(
            14, "ExecutionReport", .gatewayToClient, since: 1,
            fields: [
                .init("orderId", .u64, at: 0),
                .init("clOrdId", .u64, at: 8),
                .init("execId", .u64, at: 16),
                .init("lastPx", .i64, at: 24),
                .init("lastQty", .u32, at: 32),
                .init("leavesQty", .u32, at: 36),
                .init("execType", .enumeration(execType), at: 40),
                .init("transactTime", .u64, at: 41, since: 2),
                .init("liquidity", .enumeration(liquidity), at: 49, since: 4),
                .init("fee", .i64, at: 50, since: 4),
            ]),
        .init(
            16, "ModifyOrder", .clientToGateway, since: 3,
            fields: [
                .init("clOrdId", .u64, at: 0),
                .init("origClOrdId", .u64, at: 8),
                .init("price", .i64, at: 16),
                .init("quantity", .u32, at: 24),
                .init("quantityLong", .u64, at: 28, since: 4, widens: "quantity"),
            ]),
        .init(
            17, "MassCancel", .clientToGateway, since: 4,
            fields: [
                .init("clOrdId", .u64, at: 0),
                .init("scope", .enumeration(massCancelScope), at: 8),
                .init("symbol", .char8, at: 9),
            ]),
        .init(
            18, "MassCancelAck", .gatewayToClient, since: 4,
            fields: [
                .init("clOrdId", .u64, at: 0),
                .init("cancelledCount", .u32, at: 8),
            ]),

        // Market data and risk
        .init(
            20, "MarketDataSnapshot", .gatewayToClient, since: 2,
            fields: [
                .init("symbol", .char8, at: 0),
                .init("seqNo", .u64, at: 8),
                .init("lastTradePx", .i64, at: 16, since: 5),
            ],
            groups: [
                .init(
                    "levels",
                    fields: [
                        .init("bidPx", .i64, at: 0),
                        .init("bidQty", .u32, at: 8),
                        .init("askPx", .i64, at: 12),
                        .init("askQty", .u32, at: 20),
                        .init("bidOrders", .u16, at: 24, since: 3),
                        .init("askOrders", .u16, at: 26, since: 3),
                    ])
            ]),
        .init(
            21, "RiskLimitUpdate", .gatewayToClient, since: 4,
            fields: [
                .init("maxOrderQty", .u64, at: 0),
                .init("maxNotional", .i64, at: 8),
                .init("killSwitch", .enumeration(killSwitch), at: 16),
            ]),
        .init(
            22, "TradingStatus", .gatewayToClient, since: 5,
            fields: [
                .init("symbol", .char8, at: 0),
                .init("status", .enumeration(tradingState), at: 8),
            ], varData: [.init("reason")]),
    ]
}

extension Codec {
    /// The codec of TGP.
    public init() { self.init(schema: .tgp) }
}

extension FrameLayout {
    /// Where things are in a TGP frame.
    public init() { self.init(schema: .tgp) }
}
