#!/bin/sh
# Test peer: answers hello, takes the next command, then never answers again. It waits on a
# child (`sleep`) of its own, so only killing its whole process group stops both.
. "${0%/*}/common.sh"
answer_hello
next_command
sleep 100000 &
note_pid $!
wait
