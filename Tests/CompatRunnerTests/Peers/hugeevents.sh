#!/bin/sh
# Test peer: answers hello, takes the next command, then writes 2 GB on stdout as valid
# unsolicited events of 4 MiB each (a session event with a huge sessionId) and, at the same
# time, 2 GB on stderr. It never answers again.
. "${0%/*}/common.sh"
answer_hello
next_command
yes 'stderr flood line' | head -c 2000000000 >&2 &
head -c 2000000000 /dev/zero | tr '\0' x | fold -w 4194000 \
  | sed 's/^/{"event":"session","state":"logged_off","version":3,"sessionId":"/; s/$/"}/'
wait
