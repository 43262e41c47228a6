#!/bin/bash
# Public torrents with libtorrent (python3-libtorrent), plain BitTorrent on
# loopback, for hybrid, v2 and v1 torrents that libtorrent made: shoal get
# fetches from a libtorrent seed (from the .torrent, and from its magnet
# link, which needs the metadata and, for v2, the piece layers), and shoal
# seed serves a libtorrent downloader. Each ends with byte-identical
# folders. libtorrent fetching a hybrid by its v1 link is answered on the
# v1 hash; a hybrid shoal seeds is announced by its v1 hash, and
# libtorrent finds it through opentracker. Single-file torrents put the
# file in DIR. shoal seed refuses a folder that does not match its
# torrent.
# No node identity is made: get and seed need none.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"
. "$SRCDIR/tests/interop/publib.sh"

need "$PY" python3
need_libtorrent || done_testing
need opentracker opentracker

# shellcheck disable=SC2034
TEST_TIMEOUT=120

SRC=$T/src/share
make_content "$SRC" || bail "cannot write $SRC"

for kind in hybrid v2 v1; do
	lt_make $kind "$SRC" "$T/$kind.torrent"
	pass_if "libtorrent makes a $kind torrent" $? || continue

	# ---- shoal get from a libtorrent seed ----
	spawn "$T/ltseed-$kind" 300 "$LT_PY" "$LTPEER" seed \
	    "$T/$kind.torrent" "$T/src"
	LTPID=$BGPID
	wait_for 60 has_or_gone "$T/ltseed-$kind.out" '^port ' "$LTPID"
	port=$(sed -n 's/^port //p' "$T/ltseed-$kind.out")
	if [ -z "$port" ]; then
		not_ok "$kind: libtorrent seeds the folder"
		diag_file "$T/ltseed-$kind.err"
		stop "$LTPID"
		continue
	fi
	ok "$kind: libtorrent seeds the folder"

	run "$SHOAL" get "$T/$kind.torrent" "$T/get-$kind" \
	    --peer "127.0.0.1:$port"
	status_is "$kind: shoal get from a libtorrent seed exits 0" 0
	is "$kind: shoal get prints complete" "$OUT" complete
	same_content "$kind: shoal get ends with the seed's folder" \
	    "$SRC" "$T/get-$kind"

	link=$("$LT_PY" "$LTPEER" magnet "$T/$kind.torrent")
	run "$SHOAL" get "$link" "$T/link-$kind" --peer "127.0.0.1:$port"
	status_is "$kind: shoal get from libtorrent's magnet link exits 0" 0
	same_content "$kind: shoal get from the link ends with the folder" \
	    "$SRC" "$T/link-$kind"
	stop "$LTPID"

	# ---- shoal seed to a libtorrent downloader ----
	start_shoal_seed "$T/seed-$kind" "$T/$kind.torrent" "$SRC"
	if [ -z "$SEED_PORT" ]; then
		not_ok "$kind: shoal seed listens"
		diag_file "$T/seed-$kind.err"
		stop "$SEED_PID"
		continue
	fi
	ok "$kind: shoal seed listens"
	run "$LT_PY" "$LTPEER" get "$T/$kind.torrent" "$T/lt-$kind" \
	    "$SEED_PORT"
	status_is "$kind: libtorrent fetches everything from shoal seed" 0
	same_content "$kind: libtorrent ends with shoal's folder" \
	    "$SRC" "$T/lt-$kind/share"
	stop "$SEED_PID"
	grep -q 'connected (plain BitTorrent' "$T/seed-$kind.err"
	pass_if "$kind: shoal seed served libtorrent over plain BitTorrent" $? ||
	    diag_file "$T/seed-$kind.err"
done

# ---- a hybrid known by its v1 hash alone is fetched as v1 ----
spawn "$T/ltseed-v1link" 300 "$LT_PY" "$LTPEER" seed "$T/hybrid.torrent" \
    "$T/src"
LTPID=$BGPID
wait_for 60 has_or_gone "$T/ltseed-v1link.out" '^port ' "$LTPID"
port=$(sed -n 's/^port //p' "$T/ltseed-v1link.out")
link=$("$LT_PY" "$LTPEER" magnet "$T/hybrid.torrent" |
    sed 's/xt=urn:btmh:[0-9a-f]*&//')
like "the hybrid's v1-only link has no v2 hash" "$link" "xt=urn:btih:"
run "$SHOAL" get "$link" "$T/link-v1only" --peer "127.0.0.1:$port"
status_is "shoal get of a hybrid from its v1-only link exits 0" 0
same_content "the v1-only link ends with the folder" "$SRC" "$T/link-v1only"
stop "$LTPID"

# ---- a v1 client on a hybrid: shoal seed answers on the v1 hash ----
# libtorrent given only the v1 hash dials on it without the v2 bit.
start_shoal_seed "$T/seed-v1link" "$T/hybrid.torrent" "$SRC"
run "$LT_PY" "$LTPEER" get "$link" "$T/lt-v1link" "$SEED_PORT"
status_is "libtorrent fetches a hybrid from shoal seed by its v1 link" 0
same_content "the v1 link: libtorrent ends with shoal's folder" \
    "$SRC" "$T/lt-v1link/share"
stop "$SEED_PID"
grep -q 'connected (plain BitTorrent, v1 info-hash)' "$T/seed-v1link.err"
pass_if "shoal seed served the hybrid on its v1 info-hash" $? ||
    diag_file "$T/seed-v1link.err"

# ---- a public hybrid announces its v1 hash to a tracker ----
# opentracker serves only the v1 hash; libtorrent, told of nobody, finds
# shoal seed through it.
V1=$("$SHOAL" info "$T/hybrid.torrent" --json |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)["info_hash_v1"])')
start_tracker ot "$V1"
start_shoal_seed "$T/seed-trk" "$T/hybrid.torrent" "$SRC" \
    --tracker "http://127.0.0.1:$OT_PORT/announce"
wait_for 30 has_or_gone "$T/seed-trk.err" 'announced started' "$SEED_PID"
has "$T/seed-trk.err" "tracker http://127.0.0.1:$OT_PORT/announce: announced started"
pass_if "shoal seed announced the hybrid to a tracker that knows only its v1 hash" $? ||
    diag_file "$T/seed-trk.err"
run "$LT_PY" "$LTPEER" get "$T/hybrid.torrent" "$T/lt-trk" 0 \
    "http://127.0.0.1:$OT_PORT/announce"
status_is "libtorrent finds shoal seed through the tracker and fetches" 0
same_content "through the tracker: libtorrent ends with shoal's folder" \
    "$SRC" "$T/lt-trk/share"
stop "$SEED_PID"
stop "$OT_PID"

# ---- single-file torrents: DIR holds the file ----
mkdir -p "$T/one"
gen "$T/one/lone.bin" 300000
for kind in hybrid v2; do
	lt_make $kind "$T/one/lone.bin" "$T/one-$kind.torrent"
	start_shoal_seed "$T/seed-one-$kind" "$T/one-$kind.torrent" "$T/one"
	run "$SHOAL" get "$T/one-$kind.torrent" "$T/one-get-$kind" \
	    --peer "127.0.0.1:$SEED_PORT"
	status_is "single file, $kind: shoal get from shoal seed exits 0" 0
	same_content "single file, $kind: shoal get puts the file in DIR" \
	    "$T/one" "$T/one-get-$kind"
	run "$LT_PY" "$LTPEER" get "$T/one-$kind.torrent" "$T/one-lt-$kind" \
	    "$SEED_PORT"
	status_is "single file, $kind: libtorrent fetches it from shoal seed" 0
	same_content "single file, $kind: libtorrent ends with the file" \
	    "$T/one" "$T/one-lt-$kind"
	stop "$SEED_PID"
done

# ---- shoal seed refuses a folder that is not the torrent's ----
cp -a "$SRC" "$T/changed"
printf 'x' | dd of="$T/changed/big.bin" bs=1 seek=1000 conv=notrunc \
    2>/dev/null
run "$SHOAL" seed "$T/hybrid.torrent" "$T/changed" --listen 127.0.0.1:0
status_is "shoal seed of a changed folder exits 1" 1
like "shoal seed says the folder does not match" "$ERR" \
    "$T/changed does not match $T/hybrid.torrent: 1 of"
like "shoal seed names the file in doubt" "$ERR" \
    "the first file in doubt is big.bin"

done_testing
