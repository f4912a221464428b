#!/bin/sh
# Test peer: answers hello, writes a colour escape and a right-to-left override to stderr, then
# answers the next command with a line that is not JSON holding the same, and goes on reading
# until stdin closes. Nothing of it may reach the terminal unescaped.
. "${0%/*}/common.sh"
answer_hello
printf 'stderr \033[31mred\033[0m \342\200\256desrever <controlchars-peer>\n' >&2
next_command
printf 'line \033[31mred\033[0m \342\200\256desrever <controlchars-peer>\n'
while IFS= read -r line; do :; done
