// peer-v2: the TGP version 2 peer, built with only its own version.
import VersionedPeers

PeerMain.run(version: 2)
