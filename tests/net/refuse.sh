#!/bin/bash
# shoal send serves only the nodes it was told to: a receiver not on the
# allow list is refused (and told so), send with no --allow or --open will
# not start, a plain BitTorrent handshake gets nothing back, and a
# receiver refuses a sender that is not the node its link names.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

need "$PY" python3

# A refusal is immediate; nothing here should come near this.
# shellcheck disable=SC2034
TEST_TIMEOUT=30

# No test may touch the real home folder.
HOME=$T/home
export HOME
unset XDG_STATE_HOME XDG_CONFIG_HOME

# ---- processes ----
# Every process the script starts goes into PIDS and is stopped by its PID
# when the script ends, however it ends.
PIDS=

# alive PID: the process is running (not gone, not a zombie).
alive() {
	local s
	s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $s in
	Z*) return 1 ;;
	esac
	return 0
}

# stop PID: SIGTERM, up to 10 s to go, then SIGKILL; reaps it and
# returns its exit status. It is forgotten: the cleanup leaves it alone.
stop() {
	kill -TERM "$1" 2>/dev/null
	wait_for 10 gone "$1" || kill -KILL "$1" 2>/dev/null
	forget "$1"
	wait "$1" 2>/dev/null
}

# forget PID: take PID off the list (it has ended and been reaped).
forget() {
	# shellcheck disable=SC2086
	PIDS=$(printf '%s\n' $PIDS | grep -vx "$1")
}

# gone PID: the process has ended.
gone() {
	! alive "$1"
}

net_cleanup() {
	local p
	for p in $PIDS; do
		stop "$p"
	done
	_lib_cleanup
}
trap net_cleanup EXIT

# wait_for SECONDS CMD...: run CMD every 50 ms until it succeeds (0) or
# SECONDS have passed (1).
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

# has_line FILE: FILE holds at least one whole line.
has_line() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge 1 ]
}

# line_or_gone FILE PID: FILE has a line, or PID has ended.
line_or_gone() {
	has_line "$1" || ! alive "$2"
}

# start_send OUT ARGS...: start "shoal send" with ARGS in the background,
# its stdout in OUT.out and stderr in OUT.err; sets SPID and LINK (empty
# when no link came within 30 s).
start_send() {
	local out=$1
	shift
	timeout -k 5 120 "$SHOAL" send "$@" >"$out.out" 2>"$out.err" \
	    </dev/null &
	SPID=$!
	PIDS="$PIDS $SPID"
	wait_for 30 line_or_gone "$out.out" "$SPID"
	LINK=$(head -n 1 "$out.out")
}

# no_files_outside DIR: DIR (if it was made at all) holds no regular file
# or symlink outside DIR/.shoal.
no_files_outside() {
	[ ! -e "$1" ] ||
	    [ -z "$(find "$1" -path "$1/.shoal" -prune -o ! -type d -print 2>&1)" ]
}

# ---- the folder and three nodes ----
# Files at the top only: the refusals are what is tested here, and a file
# in a sub-folder has nothing to add to them.
S=$T/share
mkdir "$S" || bail "cannot make $S"
{ gen "$S/a.bin" 200000 && gen "$S/b.txt" 1000 && : >"$S/empty"; } ||
    bail "cannot write the folder"
for n in snd rcv other; do
	run "$SHOAL" init --state-dir "$T/$n" --name "$n" -c "$T/$n/shoal.conf"
	status_is "init $n" 0
	eval "ID_$n=\$OUT"
done
# shellcheck disable=SC2154
diag "sender $ID_snd, receiver $ID_rcv, other $ID_other"

# ---- (a) a receiver the sender does not allow ----
start_send "$T/a" "$S" --listen 127.0.0.1:0 --allow "$ID_other" \
    --state-dir "$T/snd"
like "send --allow OTHER prints a link" "$LINK" "magnet:?xt=urn:btmh:1220"
D=$T/dst-a
run "$SHOAL" receive "$LINK" "$D" --state-dir "$T/rcv"
status_is "a receiver not allowed: receive exits 1" 1
diag "receive said: $ERR"
like "a receiver not allowed: its message says not allowed" "$ERR" \
    "not allowed"
unlike "a receiver not allowed: no complete on stdout" "$OUT" complete
wait_for 10 grep -q "is not allowed for share" "$T/a.err"
like "the sender logs the refused node by ID and the share by name" \
    "$(cat "$T/a.err")" "node $ID_rcv is not allowed for share share"
if no_files_outside "$D"; then
	ok "a receiver not allowed: no file outside .shoal"
else
	not_ok "a receiver not allowed: no file outside .shoal"
	find "$D" | head -n 20 | sed 's/^/#   /'
fi
is "a receiver not allowed: nothing but (empty) folders under it" \
    "$(find "$D" ! -type d 2>/dev/null | head -n 10)" ""

# The allowed node is served by the same sender.
run "$SHOAL" receive "$LINK" "$T/dst-other" --state-dir "$T/other"
status_is "the allowed node, right after: receive exits 0" 0
is "the allowed node gets the folder" \
    "$(cd "$T/dst-other" 2>/dev/null && find . -path ./.shoal -prune -o -type f -print0 |
        sort -z | xargs -0 -r sha256sum)" \
    "$(cd "$S" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)"

# ---- (c) a plain BitTorrent handshake on the sender's port ----
# The 20-byte hash in a v2 handshake is the v2 info-hash truncated.
IH=$(printf '%s\n' "$LINK" | sed -n 's/.*urn:btmh:1220\([0-9a-f]\{40\}\).*/\1/p')
PORT=$(printf '%s\n' "$LINK" | sed -n 's/.*x\.pe=127\.0\.0\.1:\([0-9]*\).*/\1/p')
is "the link names a port and a v2 hash" "${#IH}:${PORT:+port}" "40:port"
"$PY" - 127.0.0.1 "$PORT" "$IH" >"$T/plain.json" 2>"$T/plain.err" <<'PYEOF'
import json, socket, sys, time

host, port, ih = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
hs = (b"\x13BitTorrent protocol" + bytes([0, 0, 0, 0, 0, 0x10, 0, 0x04]) +
      ih + b"-PY0001-" + b"012345678901")
assert len(hs) == 68
start = time.monotonic()
data, closed, how = b"", False, "open after 15 s"
s = socket.create_connection((host, port), timeout=5)
try:
    s.sendall(hs)
    s.settimeout(0.5)
    while time.monotonic() - start < 15:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            closed, how = True, "closed"
            break
        data += chunk
except (ConnectionResetError, BrokenPipeError) as e:
    closed, how = True, "reset"
print(json.dumps({"closed": closed, "how": how,
                  "secs": round(time.monotonic() - start, 2),
                  "bytes": len(data), "hex": data[:64].hex(),
                  "bt": b"BitTorrent protocol" in data,
                  "first": data[0] if data else None}))
PYEOF
pass_if "the plain-handshake probe ran" $? || diag_file "$T/plain.err"
diag "plain handshake: $(cat "$T/plain.json")"
is "plain handshake: the sender closes the connection within 15 s" \
    "$(json_get "$T/plain.json" 'd["closed"]' 2>&1)" true
is "plain handshake: no BitTorrent handshake comes back" \
    "$(json_get "$T/plain.json" 'd["bt"]' 2>&1)" false
is "plain handshake: nothing comes back, or a TLS alert (0x15)" \
    "$(json_get "$T/plain.json" 'd["first"] in (None, 0x15)' 2>&1)" true
is "plain handshake: no metadata or piece bytes (at most an alert's 7)" \
    "$(json_get "$T/plain.json" 'd["bytes"] <= 7' 2>&1)" true
alive "$SPID"
pass_if "the sender is still running after the probe" $?
run "$SHOAL" receive "$LINK" "$T/dst-other2" --state-dir "$T/other"
status_is "and still serves the allowed node" 0
stop "$SPID"
is "send exits 0 on SIGTERM" $? 0

# ---- (b) send with neither --allow nor --open ----
run "$SHOAL" send "$S" --listen 127.0.0.1:0 --state-dir "$T/snd"
status_is "send without --allow or --open exits 2" 2
like "send without --allow or --open: says to use --allow" "$ERR" "--allow"
like "send without --allow or --open: mentions --open" "$ERR" "--open"
is "send without --allow or --open prints no link" "$OUT" ""

# ---- (d) a link whose x.node is not the sender ----
start_send "$T/d" "$S" --listen 127.0.0.1:0 --allow "$ID_rcv" \
    --state-dir "$T/snd"
like "send --allow RECEIVER prints a link" "$LINK" "&x.node=$ID_snd"
BADLINK=${LINK/x.node=$ID_snd/x.node=$ID_rcv}
like "the forged link names the receiver as the node" "$BADLINK" \
    "&x.node=$ID_rcv"
D=$T/dst-d
run "$SHOAL" receive "$BADLINK" "$D" --state-dir "$T/rcv"
status_is "a sender that is not the link's node: receive exits 1" 1
diag "receive said: $ERR"
like "a sender that is not the link's node: the message says so" "$ERR" \
    "not the node"
like "a sender that is not the link's node: it names the real node" "$ERR" \
    "$ID_snd"
if no_files_outside "$D"; then
	ok "a sender that is not the link's node: no file outside .shoal"
else
	not_ok "a sender that is not the link's node: no file outside .shoal"
	find "$D" | head -n 20 | sed 's/^/#   /'
fi
# The same receiver with the true link is served: the refusal was the pin.
run "$SHOAL" receive "$LINK" "$T/dst-d2" --state-dir "$T/rcv"
status_is "the same receiver with the true link: receive exits 0" 0
stop "$SPID"

done_testing
