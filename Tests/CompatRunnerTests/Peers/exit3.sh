#!/bin/sh
# Test peer: answers hello, takes the next command, then exits with status 3.
. "${0%/*}/common.sh"
answer_hello
next_command
exit 3
