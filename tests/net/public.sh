#!/bin/bash
# Public torrents (shoal get, shoal seed) between shoal nodes: a seed and
# a getter with no node identity move a folder over plain BitTorrent; a
# TLS connection for a public torrent is refused (public torrents are
# plain only), and so are a plain handshake for a hash the node does not
# seed and an encrypted (MSE) handshake, each closed with nothing sent
# back and its reason logged. A hybrid whose only peer runs on its v1
# hash (and so has no piece layers to give) is fetched as v1.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"

need "$PY" python3

# shellcheck disable=SC2034
TEST_TIMEOUT=30

S=$T/share
mkdir -p "$S/sub" || bail "cannot make $S"
{ gen "$S/a.bin" 300000 && gen "$S/sub/b.txt" 1000 && : >"$S/empty"; } ||
    bail "cannot write the folder"
check "shoal create makes a hybrid torrent" "$SHOAL" create "$S" \
    -o "$T/h.torrent" -q
run "$SHOAL" info "$T/h.torrent" --json
printf '%s\n' "$OUT" >"$T/info.json"
V1=$(json_get "$T/info.json" 'd["info_hash_v1"]')
LINK=$(json_get "$T/info.json" 'd["magnet"]')

# seed_port OUT: the port "shoal seed -v" logged in OUT.err.
seed_port() {
	sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1.err" |
	    head -n 1
}

# probe PORT HEX: connect, send the bytes HEX, and report as JSON whether
# the node closed the connection within 10 s and what it sent back.
probe() {
	"$PY" - 127.0.0.1 "$1" "$2" <<'PYEOF'
import json, socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
start, data, closed = time.monotonic(), b"", False
try:
    s.sendall(bytes.fromhex(sys.argv[3]))
    s.settimeout(0.5)
    while time.monotonic() - start < 10:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            closed = True
            break
        data += chunk
except (ConnectionResetError, BrokenPipeError):
    closed = True
print(json.dumps({"closed": closed, "bytes": len(data)}))
PYEOF
}

# ---- a seed and a getter without identities ----
spawn "$T/seedA" 120 "$SHOAL" seed "$T/h.torrent" "$S" \
    --listen 127.0.0.1:0 --state-dir "$T/none-a" -v
SA=$BGPID
wait_for 30 has_or_gone "$T/seedA.err" 'checked, seeding' "$SA"
PA=$(seed_port "$T/seedA")
has "$T/seedA.err" 'checked, seeding'
pass_if "shoal seed without an identity checks its folder and serves it" \
    $? || diag_file "$T/seedA.err"
run "$SHOAL" get "$LINK" "$T/got" --peer "127.0.0.1:$PA" \
    --state-dir "$T/none-b"
status_is "shoal get without an identity from the link exits 0" 0
is "shoal get prints complete" "$OUT" complete
same_tree "shoal get ends with the seed's folder" "$S" "$T/got"
[ ! -e "$T/none-b/node.key" ]
pass_if "shoal get made no identity" $?

# ---- a plain handshake for a hash nobody here seeds ----
HS=13$(printf 'BitTorrent protocol' | od -An -tx1 | tr -d ' \n')
HS=${HS}0000000000100004$(printf '%040d' 0)2d5059303030312d303132333435363738393031
OUT=$(probe "$PA" "$HS")
is "an unknown hash: the seed closes without a byte back" \
    "$(printf '%s' "$OUT" | "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(d["closed"], d["bytes"])')" \
    "True 0"
wait_for 10 has "$T/seedA.err" 'no public torrent has that hash'
pass_if "the seed logs that no public torrent has the hash" $? ||
    diag_file "$T/seedA.err"

# ---- an encrypted (MSE) handshake to a node without identity ----
OUT=$(probe "$PA" "$(printf 'a5%.0s' $(seq 96))")
is "an MSE handshake: the seed closes without a byte back" \
    "$(printf '%s' "$OUT" | "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(d["closed"], d["bytes"])')" \
    "True 0"
wait_for 10 has "$T/seedA.err" 'encrypted BitTorrent, MSE, is not supported'
pass_if "the seed logs an encrypted handshake as unsupported" $? ||
    diag_file "$T/seedA.err"

# ---- the v1 hash is the plain way in for v1 clients ----
HS1=13$(printf 'BitTorrent protocol' | od -An -tx1 | tr -d ' \n')
HS1=${HS1}0000000000100004${V1}2d5059303030312d303132333435363738393031
"$PY" - 127.0.0.1 "$PA" "$HS1" "$V1" >"$T/v1.out" 2>&1 <<'PYEOF'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(bytes.fromhex(sys.argv[3]))
data = b""
while len(data) < 68:
    chunk = s.recv(68 - len(data))
    if not chunk:
        break
    data += chunk
print(data[28:48].hex() if len(data) == 68 else "short")
PYEOF
is "a v1 handshake on the hybrid is answered on the v1 hash" \
    "$(cat "$T/v1.out")" "$V1"

# ---- a hybrid whose only peer runs on v1 is fetched as v1 ----
# M knows the hybrid by its v1 hash alone (a v1 client, as far as the wire
# shows): it has no piece layers to give. N, given the whole link, gets
# none from it, and after a few seconds fetches the hybrid as v1.
V1LINK=$(printf '%s\n' "$LINK" | sed 's/xt=urn:btmh:[0-9a-f]*&//')
spawn "$T/m" 60 "$SHOAL" get "$V1LINK" "$T/m-dst" --peer "127.0.0.1:$PA" \
    --listen 127.0.0.1:0 --stay --state-dir "$T/none-m" -v
MP=$BGPID
wait_for 30 line_or_gone "$T/m.out" "$MP"
is "a getter with the v1 link alone completes and stays" \
    "$(head -n 1 "$T/m.out")" complete || diag_file "$T/m.err"
PM=$(seed_port "$T/m")
stop "$SA"
run "$SHOAL" get "$LINK" "$T/n-dst" --peer "127.0.0.1:$PM" \
    --state-dir "$T/none-n" -v
status_is "with v1 peers alone, get of the whole link exits 0" 0
like "it says it fetched the hybrid as v1" "$ERR" \
    "no peer gives the piece layers (peers on the v1 hash only: 1): fetching it as v1"
same_tree "fetched as v1, the folder is the seed's" "$S" "$T/n-dst"
stop "$MP"

# ---- TLS for a public torrent is refused ----
init_node seeder
init_node rcv
spawn "$T/seedB" 120 "$SHOAL" seed "$T/h.torrent" "$S" \
    --listen 127.0.0.1:0 --state-dir "$T/seeder" -v
SB=$BGPID
wait_for 30 has_or_gone "$T/seedB.err" 'checked, seeding' "$SB"
PB=$(seed_port "$T/seedB")
spawn "$T/rcvB" 30 "$SHOAL" receive "$LINK&x.pe=127.0.0.1:$PB" \
    "$T/dst-tls" --state-dir "$T/rcv" -v
RB=$BGPID
wait_for 20 has "$T/seedB.err" 'served over plain BitTorrent only'
pass_if "the seed refuses a TLS connection for its public torrent" $? ||
    diag_file "$T/seedB.err"
has "$T/seedB.err" 'share is a public torrent, served over plain BitTorrent only'
pass_if "the refusal names the torrent" $?
stop "$RB"
! grep -qx complete "$T/rcvB.out"
pass_if "the TLS receiver got nothing complete" $?
is "the TLS receiver has no file of the folder" \
    "$(find "$T/dst-tls" -path "$T/dst-tls/.shoal" -prune -o ! -type d \
    -print 2>/dev/null | head -n 5)" ""
stop "$SB"

done_testing
