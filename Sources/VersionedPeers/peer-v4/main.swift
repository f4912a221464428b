// peer-v4: the TGP version 4 peer, built with only its own version.
import VersionedPeers

PeerMain.run(version: 4)
