#!/bin/sh
# Test peer: answers hello, takes the next command, then dies of SIGSEGV (signal 11).
. "${0%/*}/common.sh"
answer_hello
next_command
kill -s SEGV $$
