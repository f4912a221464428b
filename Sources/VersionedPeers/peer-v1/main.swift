// peer-v1: the TGP version 1 peer, built with only its own version.
import VersionedPeers

PeerMain.run(version: 1)
