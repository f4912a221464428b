#!/bin/sh
# Test peer: answers hello, then floods stdout with an endless stream of valid but
# unsolicited contract events and never answers the next command.
. "${0%/*}/common.sh"
answer_hello
next_command
while :; do
  echo '{"event":"session","state":"logged_off","version":3}'
done
