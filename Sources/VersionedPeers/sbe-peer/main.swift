// sbe-peer: the peer of a protocol given as an SBE XML schema file (and its profile sidecar):
// `sbe-peer --schema FILE --version N --role client|gateway`. A program of its own, as reading
// XML links Foundation, which would slow every start of `peer` (the peer of TGP's built-in schema).
import SchemaXML
import VersionedPeers

SchemaPeerMain.run { path in
    let file = try SchemaSource.loadProtocol(xml: path)
    switch file.profile {
    case .tgp: return PeerProtocol(schema: file.schema, profile: .tgp)
    case .sbe: return PeerProtocol(schema: file.schema, profile: .sbe)
    }
}
