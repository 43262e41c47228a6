#!/bin/bash
# shoal verify checks torrents other programs made: libtorrent's hybrid,
# v2-only and v1-only torrents and mktorrent's v1 ones, of a folder and of
# a single file. Each passes on the untouched content and names the file
# with a changed byte.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

need "$PY" python3
need mktorrent mktorrent
have_mk=$?
need_libtorrent
have_lt=$?

cat >"$T/lt-make.py" <<'EOF'
import os, sys
import libtorrent as lt
path, pl, kind, out = os.path.abspath(sys.argv[1]), int(sys.argv[2]), \
    sys.argv[3], sys.argv[4]
fs = lt.file_storage()
lt.add_files(fs, path)
flags = {"hybrid": 0, "v2": lt.create_torrent.v2_only,
         "v1": lt.create_torrent.v1_only}[kind]
ct = lt.create_torrent(fs, pl, flags=flags)
lt.set_piece_hashes(ct, os.path.dirname(path))
with open(out, "wb") as f:
    f.write(lt.bencode(ct.generate()))
EOF

# make_foreign TOOL KIND PATH OUT: make a torrent of PATH with TOOL.
make_foreign() {
	case $1 in
	libtorrent)
		timeout "$TEST_TIMEOUT" "$LT_PY" "$T/lt-make.py" "$3" 16384 \
		    "$2" "$4"
		;;
	mktorrent)
		# -l 15: 32 KiB pieces, the smallest mktorrent allows.
		timeout "$TEST_TIMEOUT" mktorrent -l 15 -o "$4" "$3" >/dev/null
		;;
	esac
}

S=$T/share
make_tree "$S" || bail "make_tree failed"

# foreign_check LABEL TOOL KIND TYPE: a folder torrent by TOOL verifies,
# then fails naming big.bin once one byte in its middle is changed (its
# pieces hold nothing of any other file, whatever the piece layout).
foreign_check() {
	local label=$1 tool=$2 kind=$3 type=$4 tor=$T/$2-$3.torrent W=$T/work
	rm -rf "$W"
	cp -a "$S" "$W"
	if ! make_foreign "$tool" "$kind" "$W" "$tor" 2>"$T/mkerr"; then
		not_ok "$label: $tool makes the torrent"
		diag_file "$T/mkerr"
		return 1
	fi
	ok "$label: $tool makes the torrent"
	run "$SHOAL" info "$tor" --json
	printf '%s\n' "$OUT" >"$T/info.json"
	is "$label: shoal info reads its type, name and files" \
	    "$(json_get "$T/info.json" '[d["type"], d["name"], d["file_count"], d["size"]]')" \
	    "[\"$type\", \"work\", $TREE_NFILES, $TREE_SIZE]"
	run "$SHOAL" verify "$tor" "$W"
	status_is "$label: verify of the untouched folder exits 0" 0
	like "$label: verify says all files verified" "$OUT" \
	    "all $TREE_NFILES files verified"
	poke "$W/big.bin" 102400
	run "$SHOAL" verify "$tor" "$W"
	status_is "$label: verify after a changed byte exits 1" 1
	is "$label: verify names big.bin and nothing else" \
	    "$(printf '%s\n' "$OUT" | grep -v ' files are missing or damaged$' | sed 's/ (.*//')" \
	    "bad: big.bin"
	like "$label: the summary counts one file" "$OUT" \
	    "1 of $TREE_NFILES files are missing or damaged"
	rm -f "$W/docs/readme.txt"
	run "$SHOAL" verify "$tor" "$W"
	status_is "$label: verify after a deletion exits 1" 1
	like "$label: verify names the deleted file" "$OUT" \
	    "missing: docs/readme.txt"
}

# single_check LABEL TOOL KIND TYPE: the same for a single-file torrent,
# checked with the file itself and with the folder holding it.
single_check() {
	local label=$1 tool=$2 kind=$3 type=$4 tor=$T/$2-$3-single.torrent
	local D=$T/single
	rm -rf "$D"
	mkdir "$D"
	cp "$S/big.bin" "$D/big.bin"
	if ! make_foreign "$tool" "$kind" "$D/big.bin" "$tor" 2>"$T/mkerr"
	then
		not_ok "$label: $tool makes the torrent"
		diag_file "$T/mkerr"
		return 1
	fi
	ok "$label: $tool makes the torrent"
	run "$SHOAL" info "$tor" --json
	printf '%s\n' "$OUT" >"$T/info.json"
	is "$label: shoal info reads its type, name and size" \
	    "$(json_get "$T/info.json" '[d["type"], d["name"], d["file_count"], d["size"]]')" \
	    "[\"$type\", \"big.bin\", 1, 204800]"
	check "$label: verify with the file passes" \
	    "$SHOAL" verify "$tor" "$D/big.bin"
	check "$label: verify with its folder passes" \
	    "$SHOAL" verify "$tor" "$D"
	poke "$D/big.bin" 102400
	run "$SHOAL" verify "$tor" "$D/big.bin"
	status_is "$label: verify after a changed byte exits 1" 1
	like "$label: verify names the file" "$OUT" "bad: big.bin ("
}

if [ $have_lt -eq 0 ]; then
	foreign_check "libtorrent hybrid" libtorrent hybrid hybrid
	foreign_check "libtorrent v2-only" libtorrent v2 v2
	foreign_check "libtorrent v1-only" libtorrent v1 v1
	single_check "libtorrent single-file hybrid" libtorrent hybrid hybrid
	single_check "libtorrent single-file v2-only" libtorrent v2 v2
fi
if [ $have_mk -eq 0 ]; then
	foreign_check "mktorrent" mktorrent v1 v1
	single_check "mktorrent single-file" mktorrent v1 v1

	# v1 pieces span files. With b.bin gone, the piece it shares with
	# a.bin and c.bin fails (and marks both), but the next piece lies
	# wholly in c.bin and must still pass: c.bin has exactly one bad
	# piece. 32 KiB pieces: a 0-40000, b 40000-45000, c 45000-245000.
	M=$T/span
	mkdir "$M"
	gen "$M/a.bin" 40000
	gen "$M/b.bin" 5000
	gen "$M/c.bin" 200000
	make_foreign mktorrent v1 "$M" "$T/span.torrent"
	check "mktorrent, files sharing pieces: verify passes" \
	    "$SHOAL" verify "$T/span.torrent" "$M"
	rm "$M/b.bin"
	run "$SHOAL" verify "$T/span.torrent" "$M"
	status_is "mktorrent, a file gone from a shared piece: exit 1" 1
	is "mktorrent, a file gone from a shared piece: only that piece fails" \
	    "$OUT" "bad: a.bin (1 of 2 pieces fail their hash)
missing: b.bin
bad: c.bin (1 of 7 pieces fail their hash)
3 of 3 files are missing or damaged"
fi

done_testing
