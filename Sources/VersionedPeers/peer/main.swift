// peer: the TGP peer of every released version, run as one of them:
// `peer --schema-version N --role client|gateway`. It links the whole schema and is limited to
// version N when it starts: it encodes, decodes and names only what version N has.
import VersionedPeers

PeerMain.run()
