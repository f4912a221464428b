#!/bin/sh
# Test peer: reads hello and never answers it, as a peer that does not flush its stdout.
# With --partial, it writes the start of its answer without ending the line (a tab and an
# escape in it, which the report must show escaped). It waits on a child (`sleep`) of its own.
arguments=" $* "   # common.sh takes the arguments it reads
. "${0%/*}/common.sh"
IFS= read -r line || exit 0
case $arguments in
  *" --partial "*) printf '{"id":1,"event":"hel\t\033[31m' ;;
esac
sleep 100000 &
note_pid $!
wait
