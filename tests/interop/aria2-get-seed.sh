#!/bin/bash
# Public torrents with aria2 (aria2c 1.36), plain BitTorrent on loopback:
# shoal get fetches from an aria2 seed, and shoal seed serves an aria2
# downloader; each ends with byte-identical folders. aria2 is a v1 client,
# and 1.36 computes a wrong v1 info-hash for a hybrid torrent (not the
# SHA-1 of its info dict: no other client can meet it there), so the
# torrents are v1: one that libtorrent made, and the v1 half of
# libtorrent's hybrid, whose BEP 47 pad files aria2 handles as files
# (left out of the comparison). shoal dials aria2 (--peer); no tracker,
# DHT, LPD or PEX.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"
. "$SRCDIR/tests/interop/publib.sh"

need "$PY" python3
need_libtorrent || done_testing
need aria2c aria2 || done_testing

# shellcheck disable=SC2034
TEST_TIMEOUT=120

SRC=$T/src/share
make_content "$SRC" || bail "cannot write $SRC"

# aria2c with everything but direct peers off.
ARIA2="aria2c --enable-dht=false --enable-dht6=false --bt-enable-lpd=false
    --enable-peer-exchange=false --file-allocation=none --summary-interval=0
    --console-log-level=warn --disable-ipv6=true"

# start_aria2 TAG DIR ARGS...: aria2c with DIR as its download folder, on
# a port of its own, for up to 300 s. Waits up to 30 s for it to listen
# unless it ends first; sets A2_PID and A2_PORT.
start_aria2() {
	local tag=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	A2_PORT=$(free_port)
	# shellcheck disable=SC2086
	spawn "$T/$tag" 300 $ARIA2 --dir="$dir" --listen-port="$A2_PORT" \
	    --log="$T/$tag.log" --log-level=info "$@"
	A2_PID=$BGPID
	wait_for 30 listens_or_gone "$A2_PORT" "$A2_PID"
}

listens_or_gone() {
	listens "$1" || ! alive "$2"
}

# The v1 half of libtorrent's hybrid: the same files and pads, no v2 keys.
v1_half() {
	"$LT_PY" - "$1" "$2" <<'EOF'
import sys
import libtorrent as lt
d = lt.bdecode(open(sys.argv[1], "rb").read())
info = dict(d[b"info"])
del info[b"file tree"], info[b"meta version"]
open(sys.argv[2], "wb").write(lt.bencode({b"info": info}))
EOF
}

lt_make v1 "$SRC" "$T/v1.torrent"
pass_if "libtorrent makes a v1 torrent" $?
lt_make hybrid "$SRC" "$T/hybrid.torrent" &&
    v1_half "$T/hybrid.torrent" "$T/v1pads.torrent"
pass_if "the v1 half of libtorrent's hybrid, with its pad files" $?

for kind in v1 v1pads; do
	# ---- shoal get from an aria2 seed ----
	mkdir -p "$T/a2seed-$kind"
	cp -a "$SRC" "$T/a2seed-$kind/share"
	# aria2 reads pad files from disk like any other file.
	"$LT_PY" "$LTPEER" pads "$T/$kind.torrent" "$T/a2seed-$kind"
	start_aria2 "a2seed-$kind" "$T/a2seed-$kind" --check-integrity=true \
	    --seed-ratio=0.0 "$T/$kind.torrent"
	if ! listens "$A2_PORT"; then
		not_ok "$kind: aria2 seeds"
		diag_file "$T/a2seed-$kind.out"
		stop "$A2_PID"
		continue
	fi
	ok "$kind: aria2 seeds"
	run "$SHOAL" get "$T/$kind.torrent" "$T/get-$kind" \
	    --peer "127.0.0.1:$A2_PORT"
	status_is "$kind: shoal get from an aria2 seed exits 0" 0
	is "$kind: shoal get prints complete" "$OUT" complete
	same_content "$kind: shoal get ends with aria2's folder" \
	    "$SRC" "$T/get-$kind"
	stop "$A2_PID"

	# ---- shoal seed to an aria2 downloader ----
	# --seed-time=0: it exits 0 once it has everything.
	start_aria2 "a2get-$kind" "$T/a2get-$kind" --seed-time=0 \
	    "$T/$kind.torrent"
	start_shoal_seed "$T/seed-$kind" "$T/$kind.torrent" "$SRC" \
	    --peer "127.0.0.1:$A2_PORT"
	reap "$A2_PID"
	pass_if "$kind: aria2 fetches from shoal seed and exits 0" $? || {
		diag_file "$T/a2get-$kind.out"
		diag_file "$T/seed-$kind.err"
	}
	same_content "$kind: aria2 ends with shoal's folder" \
	    "$SRC" "$T/a2get-$kind/share"
	grep -q 'connected (plain BitTorrent, v1 info-hash)' \
	    "$T/seed-$kind.err"
	pass_if "$kind: shoal seed served aria2 on the v1 hash" $?
	stop "$SEED_PID"
done

done_testing
