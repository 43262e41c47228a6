#!/bin/bash
# shoal run: shares from the config file. A sending node and a receiving
# node, each defined only by its shoal.conf (listen address, state folder,
# one share), move a folder byte-identical; the share's name from the
# config is what the JSON lines show; SIGTERM stops both with exit 0.
# And what run refuses, with the file and line: a versioned receive share
# (not carried yet), a send share that admits nobody, a missing file.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"

# shellcheck disable=SC2034
TEST_TIMEOUT=60

init_node a
init_node b
S=$T/share
mkdir -p "$S/sub" || bail "cannot make $S"
{ gen "$S/one.bin" 3000000 && gen "$S/sub/two.txt" 4321 &&
    : >"$S/sub/empty"; } || bail "cannot write $S"

# The torrent "run" makes of the folder is the one create --mtime makes.
run "$SHOAL" create "$S" -o "$T/s.torrent" --mtime -q
status_is "create makes the share's torrent" 0
run "$SHOAL" info --json "$T/s.torrent"
printf '%s\n' "$OUT" >"$T/s.json"
IH2=$(json_get "$T/s.json" 'd["info_hash_v2"]')
printf '%s\n' "$IH2" | grep -Eqx '[0-9a-f]{64}'
pass_if "the torrent's v2 info-hash ($IH2)" $?

cat >"$T/a.conf" <<CONF
# The sending node.
[node]
listen = 127.0.0.1:0
state_dir = $T/a

[share "docs"]
path = $S
mode = send
allow = $ID_b
CONF
spawn "$T/a-run" "$TEST_TIMEOUT" "$SHOAL" run -c "$T/a.conf" --json -v
APID=$BGPID
wait_for 20 has_or_gone "$T/a-run.err" 'listening on 127\.0\.0\.1:[0-9]+' \
    "$APID"
PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
    "$T/a-run.err" | head -n 1)
[ -n "$PORT" ]
pass_if "the sender listens where its config says (port ${PORT:-none})" $?

cat >"$T/b.conf" <<CONF
[node]
listen = 127.0.0.1:0
state_dir = $T/b

[share "docs"]
path = $T/dst
mode = receive
info_hash = $IH2
source = $ID_a
peer = 127.0.0.1:$PORT
CONF
spawn "$T/b-run" "$TEST_TIMEOUT" "$SHOAL" run -c "$T/b.conf" --json -v
BPID=$BGPID
wait_for 30 has_or_gone "$T/b-run.out" '^complete$' "$BPID"
has "$T/b-run.out" '^complete$'
pass_if "the receiving node says complete" $? ||
    diag_file "$T/b-run.err" "its stderr"
same_tree "the folder arrived byte-identical" "$S" "$T/dst"
wait_for 5 has "$T/b-run.out" '"name":"docs"'
pass_if "its JSON names the share as its config does" $?
wait_for 5 has "$T/a-run.out" '"name":"docs","state":"sending"'
pass_if "the sender's JSON too, sending" $?
alive "$BPID"
pass_if "the receiver keeps serving (a service does not exit)" $?

# ---- SIGHUP reads the file again ----
# The signals go to shoal itself, not to the timeout that runs it.
ASHOAL=$(child "$APID")
BSHOAL=$(child "$BPID")
S2=$T/more
mkdir -p "$S2" && gen "$S2/m.bin" 500000 || bail "cannot write $S2"
run "$SHOAL" create "$S2" -o "$T/m.torrent" --mtime -q
run "$SHOAL" info --json "$T/m.torrent"
printf '%s\n' "$OUT" >"$T/m.json"
IH2M=$(json_get "$T/m.json" 'd["info_hash_v2"]')

# A new share on each node: the sender serves it, the receiver gets it.
cat >>"$T/a.conf" <<CONF

[share "more"]
path = $S2
mode = send
allow = $ID_b
CONF
kill -HUP "$ASHOAL"
wait_for 10 has_or_gone "$T/a-run.out" '"name":"more","state":"sending"' \
    "$APID"
has "$T/a-run.out" '"name":"more","state":"sending"'
pass_if "SIGHUP: the sender adds the new share and serves it" $? ||
    diag_file "$T/a-run.err" "its stderr"
has "$T/a-run.err" "SIGHUP: $T/a.conf read again: 1 shares added, 0 removed"
pass_if "SIGHUP: the sender says what changed" $?
cat >>"$T/b.conf" <<CONF

[share "more"]
path = $T/dst2
mode = receive
info_hash = $IH2M
source = $ID_a
peer = 127.0.0.1:$PORT
CONF
kill -HUP "$BSHOAL"
wait_for 20 has_or_gone "$T/b-run.out" '"name":"more","state":"complete"' \
    "$BPID"
same_tree "SIGHUP: the receiver adds the share and fetches it" "$S2" \
    "$T/dst2"
has "$T/b-run.out" '"name":"docs","state":"complete"'
pass_if "SIGHUP: the unchanged share runs on" $?

# A share taken out of the file stops; the other runs on.
sed -i '/^\[share "docs"\]/,/^$/d' "$T/b.conf"
kill -HUP "$BSHOAL"
wait_for 10 has_or_gone "$T/b-run.err" 'docs: share removed' "$BPID"
has "$T/b-run.err" 'docs: share removed'
pass_if "SIGHUP: a share taken out of the file is removed" $? ||
    diag_file "$T/b-run.err" "its stderr"
n=$(wc -l <"$T/b-run.out")
wait_for 5 more_lines "$T/b-run.out" $((n + 3))
tail -n 1 "$T/b-run.out" | grep -q '"name":"docs"'
is "SIGHUP: the removed share is no longer shown" "$?" 1

# A bad file changes nothing.
printf 'mode = sideways\n' >>"$T/b.conf"
kill -HUP "$BSHOAL"
wait_for 5 has_or_gone "$T/b-run.err" 'SIGHUP: .*unchanged' "$BPID"
grep -q "SIGHUP: $T/b.conf:[0-9]*: \[share \"more\"\] mode: set twice (first on line [0-9]*); the running shares are unchanged" "$T/b-run.err"
pass_if "SIGHUP with a bad file: names the line, keeps the shares" $? ||
    diag_file "$T/b-run.err" "its stderr"
alive "$BPID"
pass_if "after the SIGHUPs the node still runs" $?
stop "$BPID"
is "SIGTERM stops the receiving node with exit 0" $? 0
stop "$APID"
is "SIGTERM stops the sending node with exit 0" $? 0

# ---- what run refuses ----
cat >"$T/v.conf" <<CONF
[node]
state_dir = $T/b
[share "builds"]
path = $T/v
mode = receive
share_id = $ID_a
CONF
run "$SHOAL" run -c "$T/v.conf" --headless
status_is "a versioned receive share: exit 2" 2
is "a versioned receive share: names file, line and the way out" "$ERR" \
    "shoal: $T/v.conf:3: [share \"builds\"]: versioned shares (share_id) are not carried yet; give info_hash, source and peer for one torrent"

cat >"$T/n.conf" <<CONF
[node]
state_dir = $T/a
[share "docs"]
path = $S
mode = send
CONF
run "$SHOAL" run -c "$T/n.conf" --headless
status_is "a send share that admits nobody: exit 2" 2
is "a send share that admits nobody: says what to add" "$ERR" \
    "shoal: $T/n.conf:3: [share \"docs\"]: no node may receive this share: add allow = NODEID lines, ca = FILE or open = yes"

cat >"$T/h.conf" <<CONF
[node]
state_dir = $T/b
[share "x"]
path = $T/x
mode = receive
info_hash = abc
CONF
run "$SHOAL" run -c "$T/h.conf" --headless
status_is "an info_hash that is not 64 hex digits: exit 2" 2
is "an info_hash that is not 64 hex digits: names the line" "$ERR" \
    "shoal: $T/h.conf:6: [share \"x\"] info_hash: expected 64 hex digits (a v2 info-hash)"

run "$SHOAL" run -c "$T/none.conf" --headless
status_is "no config file: exit 1" 1
like "no config file: says how to make one" "$ERR" 'shoal init'

# "shoal" alone: the commands and a hint without a config; "run" with one.
export XDG_CONFIG_HOME=$T/xdg
run "$SHOAL"
status_is "shoal alone without a config: exit 2" 2
like "shoal alone without a config: says shoal init makes one" "$ERR" \
    "There is no config file at $T/xdg/shoal/shoal.conf yet: \"shoal init\" makes this node's identity and a starter config."
mkdir -p "$T/xdg/shoal" && cp "$T/v.conf" "$T/xdg/shoal/shoal.conf"
run "$SHOAL"
status_is "shoal alone with a config runs it (here: refused, exit 2)" 2
is "shoal alone with a config: run's message for that file" "$ERR" \
    "shoal: $T/xdg/shoal/shoal.conf:3: [share \"builds\"]: versioned shares (share_id) are not carried yet; give info_hash, source and peer for one torrent"
unset XDG_CONFIG_HOME

done_testing
