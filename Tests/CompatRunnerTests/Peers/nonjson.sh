#!/bin/sh
# Test peer: answers hello, then answers the next command with a line that is not JSON,
# and goes on reading until stdin closes.
. "${0%/*}/common.sh"
answer_hello
next_command
echo 'this line is not JSON <nonjson-peer>'
while IFS= read -r line; do :; done
