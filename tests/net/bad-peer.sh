#!/bin/bash
# A hostile peer cannot spoil a transfer: a peer (Python, over TLS 1.3)
# that answers every block request with random bytes is banned after
# three pieces fail their hash, stays banned, and the receiver still ends
# with a byte-identical folder from the honest sender. And a peer that
# rejects BEP 52 hash requests does not stall the receiver: it gets the
# piece layers from the honest sender instead.
#
# The bad peer must be asked for pieces before the honest sender, which
# on loopback would otherwise serve everything at once: the honest sender
# is started first (its link gives the port the OS chose), then stopped
# with SIGSTOP until the bad peer has had its turn, then continued. The
# receiver's link names the bad peer as the source (a swarm member gone
# bad: a node nobody named is refused before it can send a byte, see
# refuse.sh), and the bad peer names the honest sender as a member.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"

need "$PY" python3
need openssl openssl

# shellcheck disable=SC2034
TEST_TIMEOUT=60

# ---- the bad peer ----
cat >"$T/badpeer.py" <<'PYEOF'
# A hostile peer: a TLS 1.3 server that speaks just enough BitTorrent to
# be asked for pieces, and answers every block request with random bytes.
#
#   badpeer.py CERT KEY TORRENT LOG SECONDS
#
# It serves the real info dict of TORRENT (BEP 9), rejects BEP 52 hash
# requests, and logs each event as a line to LOG: "listening PORT" first,
# then "info SHA256-HEX LENGTH", then "N EVENT..." for connection N.
import hashlib, os, socket, ssl, struct, sys, threading, time

cert, key, torrent, logpath, secs = sys.argv[1:6]
# The node IDs it names as the swarm's members (sh_swarm), as hex.
swarm = bytes.fromhex(sys.argv[6]) if len(sys.argv) > 6 else b""

def bdecode(b, i, spans=None):
    """Decode the value at b[i:]; return (value, end). Dict values'
    (start, end) offsets go in spans[key] when spans is given."""
    c = b[i:i + 1]
    if c == b"i":
        j = b.index(b"e", i)
        return int(b[i + 1:j]), j + 1
    if c == b"l":
        i, v = i + 1, []
        while b[i:i + 1] != b"e":
            x, i = bdecode(b, i)
            v.append(x)
        return v, i + 1
    if c == b"d":
        i, v = i + 1, {}
        while b[i:i + 1] != b"e":
            k, i = bdecode(b, i)
            start = i
            v[k], i = bdecode(b, i)
            if spans is not None:
                spans[k] = (start, i)
        return v, i + 1
    j = b.index(b":", i)
    n = int(b[i:j])
    return b[j + 1:j + 1 + n], j + 1 + n

def bencode(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, dict):
        items = sorted((k.encode(), x) for k, x in v.items())
        return b"d" + b"".join(bencode(k) + bencode(x)
                               for k, x in items) + b"e"
    raise TypeError(v)

# The raw bytes of the info dict, exactly as in the torrent.
raw = open(torrent, "rb").read()
spans = {}
bdecode(raw, 0, spans)
info = raw[spans[b"info"][0]:spans[b"info"][1]]

lock = threading.Lock()
logf = open(logpath, "a")
def log(*words):
    with lock:
        logf.write(" ".join(str(w) for w in words) + "\n")
        logf.flush()

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain(cert, key)
ctx.verify_mode = ssl.CERT_NONE

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(8)
log("listening", srv.getsockname()[1])
log("info", hashlib.sha256(info).hexdigest(), len(info))

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("end of stream")
        buf += chunk
    return buf

def send_msg(s, mid, payload=b""):
    s.sendall(struct.pack(">IB", 1 + len(payload), mid) + payload)

def serve(conn, n):
    pieces = set()
    try:
        s = ctx.wrap_socket(conn, server_side=True)
        log(n, "tls", s.version())
        hs = recv_exact(s, 68)
        if hs[:20] != b"\x13BitTorrent protocol":
            log(n, "not-a-handshake")
            return
        reserved = bytearray(hs[20:28])
        reserved[5] |= 0x10             # LTEP
        reserved[7] |= 0x04             # Fast
        s.sendall(b"\x13BitTorrent protocol" + bytes(reserved) +
                  hs[28:48] + b"-PY0001-badbadbadbad")
        log(n, "handshake", hs[28:48].hex())
        ext = {"m": {"ut_metadata": 1}, "metadata_size": len(info),
               "reqq": 500}
        if swarm:
            ext["sh_swarm"] = swarm
        send_msg(s, 20, b"\x00" + bencode(ext))
        send_msg(s, 14)                 # HAVE_ALL
        their_md = 0
        while True:
            (length,) = struct.unpack(">I", recv_exact(s, 4))
            if length == 0:
                continue
            body = recv_exact(s, length)
            mid, p = body[0], body[1:]
            if mid == 2:                # INTERESTED
                send_msg(s, 1)          # UNCHOKE
                log(n, "unchoke")
            elif mid == 20 and p[:1] == b"\x00":
                d, _ = bdecode(p, 1)
                their_md = d.get(b"m", {}).get(b"ut_metadata", 0)
            elif mid == 20 and p[:1] == b"\x01":
                d, _ = bdecode(p, 1)
                if d.get(b"msg_type") == 0 and their_md:
                    i = d[b"piece"]
                    send_msg(s, 20, bytes([their_md]) + bencode(
                        {"msg_type": 1, "piece": i,
                         "total_size": len(info)}) +
                        info[i * 16384:(i + 1) * 16384])
                    log(n, "metadata", i)
            elif mid == 21:             # HASH REQUEST
                send_msg(s, 23, p[:48])  # HASH REJECT
                log(n, "hash-reject")
            elif mid == 6:              # REQUEST
                index, begin, blen = struct.unpack(">III", p[:12])
                send_msg(s, 7, p[:8] + os.urandom(blen))
                if index not in pieces:
                    pieces.add(index)
                    log(n, "piece", index, len(pieces))
    except (EOFError, OSError) as e:
        log(n, "closed-by-peer", "pieces", len(pieces), type(e).__name__)

srv.settimeout(0.2)
end = time.monotonic() + float(secs)
n = 0
while time.monotonic() < end:
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        continue
    n += 1
    log(n, "accepted")
    threading.Thread(target=serve, args=(conn, n), daemon=True).start()
log("time-up")
PYEOF

# ---- nodes ----
for n in snd rcv bad; do
	init_node "$n"
done
# The honest sender's node ID as hex: SHA-256 of its public key (DER).
SND_HEX=$(openssl x509 -in "$T/snd/node.crt" -pubkey -noout |
    openssl pkey -pubin -outform DER | sha256sum | cut -c1-64)
[ ${#SND_HEX} -eq 64 ] || bail "cannot compute the sender's node ID"
# shellcheck disable=SC2154
diag "sender $ID_snd, receiver $ID_rcv, bad peer $ID_bad"

# send_frozen DIR TAG: start "shoal send DIR" for the receiver, wait for
# its link, and freeze it. Sets SPID (timeout's), SHOAL_PID, LINK, BTMH.
send_frozen() {
	start_send "$T/$2-send" "$1" --listen 127.0.0.1:0 --allow "$ID_rcv" \
	    --state-dir "$T/snd"
	BTMH=$(printf '%s\n' "$LINK" | sed -n 's/.*urn:btmh:1220\([0-9a-f]\{64\}\).*/\1/p')
	SHOAL_PID=$(pgrep -P "$SPID")
	if [ -n "$SHOAL_PID" ] && kill -STOP "$SHOAL_PID"; then
		FROZEN=$SHOAL_PID
	fi
}

# thaw: let the frozen sender go on.
thaw() {
	kill -CONT "$FROZEN" 2>/dev/null
	FROZEN=
}

# start_bad DIR TAG: a torrent of DIR as send makes it, and the bad peer
# serving it. Sets BPID, BPORT; the peer logs to $T/TAG-bad.log.
start_bad() {
	run "$SHOAL" create "$1" -o "$T/$2.torrent" --mtime -q
	status_is "$2: create makes send's torrent" 0
	spawn "$T/$2-bad" 120 "$PY" "$T/badpeer.py" "$T/bad/node.crt" \
	    "$T/bad/node.key" "$T/$2.torrent" "$T/$2-bad.log" 100 "$SND_HEX"
	BPID=$BGPID
	wait_for 20 has_or_gone "$T/$2-bad.log" '^info ' "$BPID"
	BPORT=$(sed -n 's/^listening //p' "$T/$2-bad.log")
	[ -n "$BPORT" ]
	pass_if "$2: the bad peer listens (port ${BPORT:-none})" $? ||
	    diag_file "$T/$2-bad.err" "the bad peer's stderr"
	is "$2: the info dict the bad peer serves hashes to the link's btmh" \
	    "$(sed -n 's/^info \([0-9a-f]*\) .*/\1/p' "$T/$2-bad.log")" "$BTMH"
}

# start_receive TAG: receive from a link that names the bad peer as the
# source (x.node, x.pe), with the frozen honest sender as --peer and info
# logs. A receiver admits only the node its link names until that node
# says who belongs to the swarm; the bad peer names the honest sender, so
# the receiver meets the bad peer first and the sender once it is thawed.
# Sets RPID (timeout's).
start_receive() {
	local sport link
	sport=$(link_port "$LINK")
	link=$(printf '%s\n' "$LINK" | sed "s/x\.node=[^&]*/x.node=$ID_bad/;
	    s/x\.pe=127\.0\.0\.1:[0-9]*/x.pe=127.0.0.1:$BPORT/")
	spawn "$T/$1-rcv" "$TEST_TIMEOUT" "$SHOAL" receive "$link" \
	    "$T/$1-dst" --state-dir "$T/rcv" --peer "127.0.0.1:$sport" -v
	RPID=$BGPID
}

# finish_receive TAG: wait for the receiver; check it completed and the
# folder is the sender's.
finish_receive() {
	local rc
	reap "$RPID"
	rc=$?
	is "$1: receive exits 0" "$rc" 0 || {
		[ "$rc" -eq 124 ] && diag "(124: it timed out)"
		grep -v '^receiving\|^starting' "$T/$1-rcv.err" | head -n 30 |
		    sed 's/^/#   /'
	}
	is "$1: receive prints complete" "$(cat "$T/$1-rcv.out")" complete
	same_tree "$1: the folder arrived byte-identical" "$2" "$T/$1-dst"
}

# ---- 1. random blocks: banned, and stays banned ----
# Files of one piece each (the piece length is 16 KiB for a folder this
# small): the receiver can check them against the info dict alone, so it
# asks the bad peer for pieces as soon as it has the metadata.
A=$T/files
mkdir "$A"
for i in $(seq 1 120); do
	gen "$A/f$i" $((i * 131 + 7))
done
send_frozen "$A" ban
start_bad "$A" ban
run "$SHOAL" info --json "$T/ban.torrent"
printf '%s\n' "$OUT" >"$T/ban.json"
is "ban: every file is a single piece" \
    "$(json_get "$T/ban.json" 'all(f["size"] <= d["piece_length"] for f in d["files"])')" \
    true
start_receive ban
wait_for 30 has_or_gone "$T/ban-rcv.err" 'failed their hash: banned' "$RPID"
like "ban: the receiver bans the bad peer, naming it" \
    "$(grep 'failed their hash' "$T/ban-rcv.err" | head -n 1)" \
    "node $ID_bad sent 3 pieces that failed their hash: banned"
wait_for 10 has_or_gone "$T/ban-bad.log" '^1 closed-by-peer' "$BPID"
FIRST=$(grep '^1 closed-by-peer' "$T/ban-bad.log")
like "ban: the bad peer saw the receiver close its connection" "$FIRST" \
    "1 closed-by-peer pieces"
n=$(printf '%s\n' "$FIRST" | awk '{ print $4 }')
[ "${n:-0}" -ge 3 ]
pass_if "ban: the bad peer had served at least 3 pieces (${n:-0})" $?
# Banned "until the node restarts" (PROTOCOL.md A5): the receiver retries
# the addresses it was given about once a second; give it four to try
# the bad peer's again, and see that it never again gets as far as a
# BitTorrent handshake (a refusal after TLS is fine).
wait_for 4 has "$T/ban-bad.log" '^([2-9]|[1-9][0-9]+) handshake'
if is "ban: no BitTorrent handshake to the banned node afterwards" \
    "$(grep -c ' handshake ' "$T/ban-bad.log")" 1; then :; else
	diag "the bad peer's log, pieces left out:"
	grep -v ' piece ' "$T/ban-bad.log" | head -n 30 | sed 's/^/#   /'
	diag "the receiver's bans:"
	grep 'banned' "$T/ban-rcv.err" | head -n 10 | sed 's/^/#   /'
fi
thaw
finish_receive ban "$A"
unlike "ban: the honest sender was never banned" \
    "$(cat "$T/ban-rcv.err")" "node $ID_snd sent"
stop "$BPID"
stop "$SPID"
is "ban: send exits 0 on SIGTERM" $? 0

# ---- 2. hash requests rejected: the layers come from the honest peer ----
# One file of many pieces: its piece layer must be fetched (BEP 52). The
# bad peer is asked first and rejects; the honest sender, once it is
# there, must be asked instead.
B=$T/layers
mkdir "$B"
gen "$B/big.bin" $((8 * 1024 * 1024))
gen "$B/small.txt" 3000
send_frozen "$B" layers
start_bad "$B" layers
start_receive layers
wait_for 30 has_or_gone "$T/layers-bad.log" 'hash-reject' "$RPID"
has "$T/layers-bad.log" 'hash-reject'
pass_if "layers: the receiver asked the bad peer for a piece layer" $?
thaw
finish_receive layers "$B"
stop "$BPID"
stop "$SPID"

done_testing
