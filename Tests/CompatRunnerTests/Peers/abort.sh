#!/bin/sh
# Test peer: answers hello, takes the next command, then dies of SIGABRT (signal 6), as abort(3) would.
. "${0%/*}/common.sh"
answer_hello
next_command
kill -s ABRT $$
