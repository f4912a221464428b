// peer-v4: the TGP version 4 peer. Like every peer it links the whole schema (all five versions)
// and is limited to version 4 when it starts: it encodes, decodes and names only what version 4 has.
import VersionedPeers

PeerMain.run(version: 4)
