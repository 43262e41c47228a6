#!/bin/bash
# Public torrents with Transmission (transmission-cli 3.00), plain
# BitTorrent on loopback: shoal get fetches from a Transmission seed, and
# shoal seed serves a Transmission downloader; each ends with
# byte-identical folders. Transmission is a v1 client, and 3.00 refuses
# any torrent whose info dict has a v2 "file tree" (hybrids included: it
# fails to open the file, and from a link it never parses the metadata),
# so the torrents are v1: one that libtorrent made, and the v1 half of
# libtorrent's hybrid, whose BEP 47 pad files Transmission asks for (shoal
# serves zeros) and writes to disk as .pad/N (left out of the comparison).
# Transmission 3.00 never creates empty files, so its folder is compared
# without them.
# shoal dials Transmission (--peer); no tracker, DHT, LPD or PEX.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"
. "$SRCDIR/tests/interop/publib.sh"

need "$PY" python3
need_libtorrent || done_testing
need transmission-cli transmission-cli || done_testing

# shellcheck disable=SC2034
TEST_TIMEOUT=120

SRC=$T/src/share
make_content "$SRC" || bail "cannot write $SRC"

# start_transmission TAG TORRENT DIR: transmission-cli for TORRENT with
# DIR as its download folder, on 127.0.0.1 and a port of its own, its
# settings in $T/TAG.conf. Waits up to 30 s for it to listen; sets TR_PID
# and TR_PORT (empty if it never listened).
start_transmission() {
	local conf=$T/$1.conf
	mkdir -p "$conf" "$3"
	cat >"$conf/settings.json" <<-EOF
	{
	    "dht-enabled": false,
	    "lpd-enabled": false,
	    "pex-enabled": false,
	    "utp-enabled": false,
	    "port-forwarding-enabled": false,
	    "rpc-enabled": false,
	    "blocklist-enabled": false,
	    "bind-address-ipv4": "127.0.0.1",
	    "bind-address-ipv6": "::1",
	    "encryption": 0,
	    "message-level": 2
	}
	EOF
	TR_PORT=$(free_port)
	# -et: prefer plain connections (it would try MSE first).
	spawn "$T/$1" 300 transmission-cli -g "$conf" -w "$3" -p "$TR_PORT" \
	    -et -M "$2"
	TR_PID=$BGPID
	wait_for 30 listens "$TR_PORT" || TR_PORT=
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
	# ---- shoal get from a Transmission seed ----
	mkdir -p "$T/trseed-$kind"
	cp -a "$SRC" "$T/trseed-$kind/share"
	# Transmission reads pad files from disk like any other file.
	"$LT_PY" "$LTPEER" pads "$T/$kind.torrent" "$T/trseed-$kind"
	start_transmission "trseed-$kind" "$T/$kind.torrent" \
	    "$T/trseed-$kind"
	if [ -z "$TR_PORT" ]; then
		not_ok "$kind: Transmission listens"
		diag_file "$T/trseed-$kind.out"
		stop "$TR_PID"
		continue
	fi
	ok "$kind: Transmission listens"
	run "$SHOAL" get "$T/$kind.torrent" "$T/get-$kind" \
	    --peer "127.0.0.1:$TR_PORT"
	status_is "$kind: shoal get from a Transmission seed exits 0" 0
	is "$kind: shoal get prints complete" "$OUT" complete
	same_content "$kind: shoal get ends with Transmission's folder" \
	    "$SRC" "$T/get-$kind"
	stop "$TR_PID"

	# ---- shoal seed to a Transmission downloader ----
	start_transmission "trget-$kind" "$T/$kind.torrent" "$T/trget-$kind"
	start_shoal_seed "$T/seed-$kind" "$T/$kind.torrent" "$SRC" \
	    --peer "127.0.0.1:$TR_PORT"
	SKIP_EMPTY=1 wait_for 90 content_is "$SRC" "$T/trget-$kind/share"
	SKIP_EMPTY=1 same_content \
	    "$kind: Transmission fetches every non-empty file from shoal seed" \
	    "$SRC" "$T/trget-$kind/share" || diag_file "$T/seed-$kind.err"
	grep -q 'connected (plain BitTorrent, v1 info-hash)' \
	    "$T/seed-$kind.err"
	pass_if "$kind: shoal seed served Transmission on the v1 hash" $?
	stop "$SEED_PID"
	stop "$TR_PID"
done

done_testing
