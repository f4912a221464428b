#!/bin/sh
# Test peer: a version-3 peer whose hello states a contract version that is no positive integer
# ("contract":"three", P3); then it becomes the reference peer given by `--peer PROGRAM`.
. "${0%/*}/common.sh"
IFS= read -r line || exit 0
id=${line#*\"id\":}
id=${id%%[!0-9]*}
printf '{"id":%s,"event":"hello","implementation":"sh-test-peer","version":3,"min":1,"max":3,"role":"%s","messages":["Logon"],"contract":"three"}\n' "${id:-1}" "$role"
become_peer
