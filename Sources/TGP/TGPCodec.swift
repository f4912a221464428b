// TGP's codec and frame layout. `Schema.tgp` itself is generated at build time from tgp.xml and
// tgp.profile.json (the SchemaCodegen plugin): the XML is the protocol's one source.

extension Codec {
    /// The codec of TGP.
    public init() { self.init(schema: .tgp) }
}

extension FrameLayout {
    /// Where things are in a TGP frame.
    public init() { self.init(schema: .tgp) }
}
