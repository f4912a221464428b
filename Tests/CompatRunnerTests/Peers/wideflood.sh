#!/bin/sh
# Test peer: answers hello, takes the next command, then floods stdout with an endless stream
# of valid unsolicited events of about 600 KB each (a session event with a long sessionId) and
# never answers again: each line is well under the line limit, but they add up.
. "${0%/*}/common.sh"
answer_hello
next_command
long=$(head -c 600000 /dev/zero | tr '\0' x)
while :; do
  printf '{"event":"session","state":"logged_off","version":3,"sessionId":"%s"}\n' "$long" || exit 0
done
