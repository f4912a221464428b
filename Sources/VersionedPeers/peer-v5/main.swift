// peer-v5: the TGP version 5 peer, built with only its own version.
import VersionedPeers

PeerMain.run(version: 5)
