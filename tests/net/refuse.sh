#!/bin/bash
# shoal send serves only the nodes it was told to: a receiver not on the
# allow list is refused (and told so), send with no --allow or --open will
# not start, a plain BitTorrent handshake gets nothing back, and a
# receiver refuses a sender that is not the node its link names.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"

need "$PY" python3

# A refusal is immediate; nothing here should come near this.
# shellcheck disable=SC2034
TEST_TIMEOUT=30

# no_files_outside DESC DIR: a test point that DIR (if it was made at
# all) holds no regular file or symlink outside DIR/.shoal; what it holds
# if not.
no_files_outside() {
	if [ ! -e "$2" ] || [ -z "$(find "$2" -path "$2/.shoal" -prune -o \
	    ! -type d -print 2>&1)" ]; then
		ok "$1"
		return 0
	fi
	not_ok "$1"
	find "$2" | head -n 20 | sed 's/^/#   /'
	return 1
}

# ---- the folder and three nodes ----
# Files at the top only: the refusals are what is tested here, and a file
# in a sub-folder has nothing to add to them.
S=$T/share
mkdir "$S" || bail "cannot make $S"
{ gen "$S/a.bin" 200000 && gen "$S/b.txt" 1000 && : >"$S/empty"; } ||
    bail "cannot write the folder"
for n in snd rcv other; do
	init_node "$n"
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
no_files_outside "a receiver not allowed: no file outside .shoal" "$D"
is "a receiver not allowed: nothing but (empty) folders under it" \
    "$(find "$D" ! -type d 2>/dev/null | head -n 10)" ""

# The allowed node is served by the same sender.
run "$SHOAL" receive "$LINK" "$T/dst-other" --state-dir "$T/other"
status_is "the allowed node, right after: receive exits 0" 0
same_tree "the allowed node gets the folder" "$S" "$T/dst-other"

# ---- (c) a plain BitTorrent handshake on the sender's port ----
# The 20-byte hash in a v2 handshake is the v2 info-hash truncated.
IH=$(printf '%s\n' "$LINK" | sed -n 's/.*urn:btmh:1220\([0-9a-f]\{40\}\).*/\1/p')
PORT=$(link_port "$LINK")
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
no_files_outside "a sender that is not the link's node: no file outside .shoal" "$D"
# The same receiver with the true link is served: the refusal was the pin.
run "$SHOAL" receive "$LINK" "$T/dst-d2" --state-dir "$T/rcv"
status_is "the same receiver with the true link: receive exits 0" 0
stop "$SPID"

# ---- (e) a node the source did not name, offered by --peer ----
# "other" serves the same folder (same torrent) to anyone (--open); the
# receiver is given its address beside the true link. It must not connect
# to it before the source has said who belongs to the swarm, nor after
# (the source allows only the receiver): nothing of the share moves to or
# from a node the source did not name.
start_send "$T/e-other" "$S" --listen 127.0.0.1:0 --open \
    --state-dir "$T/other" -v
OTHER_PID=$SPID
OTHER_LINK=$LINK
other_port=$(link_port "$OTHER_LINK")
start_send "$T/e" "$S" --listen 127.0.0.1:0 --allow "$ID_rcv" \
    --state-dir "$T/snd"
like "(e) the rogue serves the same torrent" \
    "${OTHER_LINK%%&*}" "${LINK%%&*}"
run "$SHOAL" receive "$LINK" "$T/dst-e" --state-dir "$T/rcv" \
    --peer "127.0.0.1:$other_port" -v
status_is "(e) the receiver completes from the true source" 0
same_tree "(e) the folder is byte-identical" "$S" "$T/dst-e"
printf '%s\n' "$ERR" | grep -Eq "is node $ID_other, and the source has not yet said who belongs|node $ID_other is not allowed"
pass_if "(e) the receiver refused the node nobody named" $? ||
    diag_file "$T/err" "receive's stderr"
has "$T/e-other.err" "connected" && unlike_any=1 || unlike_any=0
is "(e) the rogue never had the receiver as a peer" "$unlike_any" 0
stop "$SPID"
stop "$OTHER_PID"

done_testing
