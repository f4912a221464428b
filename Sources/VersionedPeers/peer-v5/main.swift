// peer-v5: the TGP version 5 peer. Like every peer it links the whole schema (all five versions)
// and is limited to version 5 when it starts: it encodes, decodes and names only what version 5 has.
import VersionedPeers

PeerMain.run(version: 5)
