// peer-v2: the TGP version 2 peer. Like every peer it links the whole schema (all five versions)
// and is limited to version 2 when it starts: it encodes, decodes and names only what version 2 has.
import VersionedPeers

PeerMain.run(version: 2)
