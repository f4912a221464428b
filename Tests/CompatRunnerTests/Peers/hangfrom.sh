#!/bin/sh
# Test peer: the reference peer (--peer, as version 3) for its first starts, then, from its
# start number --hang-from N on, one that hangs as hang.sh does. It counts its starts in the
# --starts FILE and writes `hangs` there once it hangs, so a test can let a gate's first cells,
# fleets or upgrades pass and catch the next one running.
hang_from=1
starts=/dev/null
previous=
for argument in "$@"; do
  case $previous in
    --hang-from) hang_from=$argument ;;
    --starts) starts=$argument ;;
  esac
  previous=$argument
done
. "${0%/*}/common.sh"
echo start >> "$starts"
if [ "$(grep -c '^start$' "$starts")" -lt "$hang_from" ]; then become_peer; fi
answer_hello
next_command
sleep 100000 &
note_pid $!
echo hangs >> "$starts"
wait
