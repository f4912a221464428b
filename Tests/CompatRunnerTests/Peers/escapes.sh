#!/bin/sh
# Test peer: before it becomes the reference peer given by `--peer PROGRAM` (a version-3 peer),
# it starts two grandchildren that leave its process group with setsid(2), and notes their pids:
# a `sleep` in a session of its own that stays its child, and one orphaned at once (`setsid -f`
# forks, and its parent exits). Killing the peer's group ends neither.
. "${0%/*}/common.sh"
setsid sleep 1000 </dev/null >/dev/null 2>&1 &
note_pid $!
note_pid "$(setsid -f sh -c 'echo $$; exec sleep 1000 </dev/null >/dev/null 2>&1')"
become_peer
