# Sourced by the misbehaving test peers in this folder (MisbehavingPeerTests, LeftoverTests, ContractSkipTests,
# ContainmentTests, EndpointSafetyTests, InjectionPayloadTests).
# Each one is a version-3 peer that keeps the start of docs/PEER-CONTRACT.md — it answers
# `hello` truthfully — and then misbehaves in its own way.
#
# Arguments: [--pids FILE] [--peer PROGRAM] --role client|gateway
#   --pids FILE     append this shell's pid (and the pid of any child it starts) to FILE, so a
#                   test can check afterwards that the runner left none of them running.
#   --peer PROGRAM  the reference peer a test peer becomes after misbehaving (become_peer), run
#                   as version 3: PROGRAM --schema-version 3 --role ROLE.

ulimit -c 0 2>/dev/null   # a peer that crashes on purpose leaves no core file
role=gateway
pids=
peer=
while [ $# -gt 0 ]; do
  case $1 in
    --role) role=$2; shift ;;
    --pids) pids=$2; shift ;;
    --peer) peer=$2; shift ;;
  esac
  shift
done

# note_pid PID: records a pid of this peer in the --pids file.
note_pid() {
  if [ -n "$pids" ]; then echo "$1" >> "$pids"; fi
}
note_pid $$

# answer_hello: reads one command line (the runner's `hello`) and answers it as a version-3
# peer; exits 0 when stdin is already closed.
answer_hello() {
  IFS= read -r line || exit 0
  id=${line#*\"id\":}
  id=${id%%[!0-9]*}
  printf '{"id":%s,"event":"hello","implementation":"sh-test-peer","version":3,"min":1,"max":3,"role":"%s","messages":["Logon","LogonAck","LogonReject","Heartbeat","Logout","Reject","NewOrder","OrderAck","CancelOrder","CancelAck","ExecutionReport","ModifyOrder","MarketDataSnapshot"]}\n' "${id:-1}" "$role"
}

# next_command: waits for the runner's next command (listen or connect) and drops it.
next_command() {
  IFS= read -r line || exit 0
}

# become_peer: replaces this shell with the --peer program, version 3 in the same role (same pid).
become_peer() {
  exec "$peer" --schema-version 3 --role "$role"
}
