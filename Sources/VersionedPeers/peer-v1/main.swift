// peer-v1: the TGP version 1 peer. Like every peer it links the whole schema (all five versions)
// and is limited to version 1 when it starts: it encodes, decodes and names only what version 1 has.
import VersionedPeers

PeerMain.run(version: 1)
