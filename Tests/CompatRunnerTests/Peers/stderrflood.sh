#!/bin/sh
# Test peer: writes 2 GB on stderr before anything else, then becomes the reference peer given
# by `--peer PROGRAM` (a version-3 peer), which keeps the contract from its `hello` on.
. "${0%/*}/common.sh"
yes 'stderr flood line' | head -c 2000000000 >&2
become_peer
