// peer-v3: the TGP version 3 peer, built with only its own version.
import VersionedPeers

PeerMain.run(version: 3)
