#!/bin/sh
# Test peer: a gateway that answers hello, then answers `listen` with the endpoint given by
# --report ENDPOINT instead of the one it bound (`CELL` at its start stands for the folder of
# the endpoint it was asked for); then reads stdin until it closes.
report=
previous=
for argument in "$@"; do
  if [ "$previous" = --report ]; then report=$argument; fi
  previous=$argument
done
. "${0%/*}/common.sh"
answer_hello
IFS= read -r line || exit 0
id=${line#*\"id\":}
id=${id%%[!0-9]*}
asked=${line#*\"endpoint\":\"}
asked=${asked%%\"*}
folder=${asked#ipc://}
folder=${folder%/*}
case $report in CELL*) report=$folder${report#CELL} ;; esac
printf '{"id":%s,"event":"listening","endpoint":"%s"}\n' "${id:-1}" "$report"
while IFS= read -r line; do :; done
