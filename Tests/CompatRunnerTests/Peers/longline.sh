#!/bin/sh
# Test peer: answers hello, then writes one endless line (NUL bytes, never a newline).
. "${0%/*}/common.sh"
answer_hello
next_command
exec cat /dev/zero
