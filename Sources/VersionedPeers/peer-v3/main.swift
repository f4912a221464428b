// peer-v3: the TGP version 3 peer. Like every peer it links the whole schema (all five versions)
// and is limited to version 3 when it starts: it encodes, decodes and names only what version 3 has.
import VersionedPeers

PeerMain.run(version: 3)
