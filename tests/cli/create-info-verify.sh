#!/bin/bash
# shoal create, info and verify on a real folder: the torrent describes the
# folder exactly, verify accepts it untouched and names each damaged file.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

need "$PY" python3

# The folder: make_tree's plain files, plus an empty folder and a symlink
# that stays inside the folder.
S=$T/share
make_tree "$S" || bail "make_tree failed"
mkdir "$S/empty-dir"
ln -s readme.txt "$S/docs/readme-link"
NCONTENT=$((TREE_NFILES + 1))	# the files and the symlink
PL=32768

# Pieces each file takes when every file starts on a piece boundary (v2
# always; hybrid pads v1 to match): the sum of ceil(size / PL).
want_pieces() {
	local n=0 f s
	for f in $TREE_FILES; do
		s=$(fsize "$S/$f")
		n=$((n + (s + PL - 1) / PL))
	done
	echo "$n"
}
PIECES=$(want_pieces)

# damage_check TORRENT DESC WANT-LINE: run verify on the damaged copy $W;
# it must exit 1, print exactly WANT-LINE as its only problem line (a
# prefix match when WANT-LINE ends in "("), and the summary.
damage_check() {
	local torrent=$1 desc=$2 want=$3 problems
	run "$SHOAL" verify "$torrent" "$W"
	status_is "$desc: verify exits 1" 1
	problems=$(printf '%s\n' "$OUT" | grep -v ' files are missing or damaged$')
	case $want in
	*"(")
		like "$desc: verify names it" "$problems" "$want"
		is "$desc: one problem line, for that file only" \
		    "$(printf '%s\n' "$problems" | wc -l | tr -d ' ')" 1
		;;
	*)
		is "$desc: verify names exactly that file" "$problems" "$want"
		;;
	esac
	like "$desc: summary counts one damaged file" "$OUT" \
	    "
1 of "
}

for kind in hybrid v2; do
	TOR=$T/$kind.torrent
	if [ $kind = v2 ]; then
		flags=--v2-only
	else
		flags=
	fi

	# ---- create ----
	run "$SHOAL" create "$S" -o "$TOR" -p 32K $flags
	status_is "$kind: create exits 0" 0
	is "$kind: create prints no warning" "$ERR" ""
	# make_tree's 293022 bytes are 286.15 KiB, shown to 3 digits.
	like "$kind: create's summary names the output, count and kind" \
	    "$OUT" "$TOR: 286 KiB in $NCONTENT files, $PIECES pieces of 32.0 KiB, $kind"
	CREATE_OUT=$OUT

	# ---- info --json ----
	run "$SHOAL" info "$TOR" --json
	status_is "$kind: info --json exits 0" 0
	printf '%s\n' "$OUT" >"$T/$kind.json"
	if "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' \
	    "$T/$kind.json" 2>"$T/jerr"; then
		ok "$kind: info --json prints valid JSON"
	else
		not_ok "$kind: info --json prints valid JSON"
		diag_file "$T/jerr"
		diag_file "$T/$kind.json"
	fi
	J=$T/$kind.json
	is "$kind: name" "$(json_get "$J" 'd["name"]')" share
	is "$kind: type" "$(json_get "$J" 'd["type"]')" $kind
	is "$kind: size" "$(json_get "$J" 'd["size"]')" "$TREE_SIZE"
	is "$kind: file_count (files and the symlink)" \
	    "$(json_get "$J" 'd["file_count"]')" "$NCONTENT"
	is "$kind: piece_length" "$(json_get "$J" 'd["piece_length"]')" $PL
	is "$kind: pieces" "$(json_get "$J" 'd["pieces"]')" "$PIECES"
	is "$kind: private is false by default" \
	    "$(json_get "$J" 'd["private"]')" false
	is "$kind: no trackers by default" \
	    "$(json_get "$J" 'd["trackers"]')" "[]"
	like "$kind: created_by names shoal" \
	    "$(json_get "$J" 'd.get("created_by")')" "shoal "

	# Every path with its size and attributes, as the folder has them.
	want=$(cd "$S" && for f in $TREE_FILES; do
		a=
		[ -x "$f" ] && a=x
		printf '%s %s %s\n' "$f" "$(fsize "$f")" "$a"
	done
	printf '%s\n' 'docs/readme-link 0 l' 'empty-dir 0 d')
	got=$(json_get "$J" '"\n".join("%s %d %s" % (f["path"], f["size"], f["attr"]) for f in d["files"])')
	is "$kind: files: paths, sizes and attributes" \
	    "$(printf '%s\n' "$got" | sort)" "$(printf '%s\n' "$want" | sort)"
	is "$kind: the symlink's target" \
	    "$(json_get "$J" '[f.get("symlink") for f in d["files"] if f["path"] == "docs/readme-link"][0]')" \
	    docs/readme.txt
	is "$kind: pieces_root on every non-empty file and nothing else" \
	    "$(json_get "$J" '[f["path"] for f in d["files"] if ("pieces_root" in f) != (f["size"] > 0 and f["attr"] in ("", "x"))]')" \
	    "[]"
	is "$kind: no mtime without --mtime" \
	    "$(json_get "$J" '[f["path"] for f in d["files"] if "mtime" in f]')" "[]"

	# Hashes and the magnet link.
	IH2=$(json_get "$J" 'd["info_hash_v2"]')
	like "$kind: create printed the same v2 info-hash" "$CREATE_OUT" \
	    "info-hash v2: $IH2"
	MAG=$(json_get "$J" 'd["magnet"]')
	like "$kind: magnet has the v2 xt" "$MAG" "xt=urn:btmh:1220$IH2"
	like "$kind: magnet has dn" "$MAG" "dn=share"
	like "$kind: magnet starts as one" "$MAG" "magnet:?"
	if [ $kind = hybrid ]; then
		IH1=$(json_get "$J" 'd["info_hash_v1"]')
		like "$kind: create printed the same v1 info-hash" \
		    "$CREATE_OUT" "info-hash v1: $IH1"
		like "$kind: magnet has the v1 xt" "$MAG" "xt=urn:btih:$IH1"
	else
		is "$kind: no info_hash_v1" \
		    "$(json_get "$J" '"info_hash_v1" in d')" false
		unlike "$kind: create printed no v1 info-hash" "$CREATE_OUT" \
		    "info-hash v1"
		unlike "$kind: magnet has no v1 xt" "$MAG" "urn:btih:"
	fi
	like "$kind: info-hash v2 is 64 hex digits" \
	    "$(printf '%s' "$IH2" | grep -E '^[0-9a-f]{64}$')" "$IH2"

	# ---- info as text ----
	run "$SHOAL" info "$TOR"
	status_is "$kind: info exits 0" 0
	like "$kind: info names the torrent" "$OUT" "Name:          share"
	like "$kind: info shows the v2 info-hash" "$OUT" \
	    "Info-hash v2:  $IH2"
	like "$kind: info shows the magnet" "$OUT" "Magnet:        $MAG"
	like "$kind: info lists the symlink" "$OUT" \
	    "docs/readme-link -> docs/readme.txt"

	# ---- the same folder gives the same torrent ----
	run "$SHOAL" create "$S" -o "$T/again.torrent" -p 32K -q $flags
	run "$SHOAL" info "$T/again.torrent" --json
	printf '%s\n' "$OUT" >"$T/again.json"
	is "$kind: creating again gives the same info-hash" \
	    "$(json_get "$T/again.json" 'd["info_hash_v2"]')" "$IH2"

	# ---- verify an untouched folder ----
	run "$SHOAL" verify "$TOR" "$S"
	status_is "$kind: verify of the untouched folder exits 0" 0
	like "$kind: verify counts the files (info's file_count)" "$OUT" \
	    "all $NCONTENT files verified"
	run "$SHOAL" verify "$TOR" "$S" -q
	status_is "$kind: verify -q exits 0" 0
	is "$kind: verify -q prints nothing" "$OUT$ERR" ""

	# ---- damage, one kind at a time, each on a fresh copy ----
	W=$T/work
	rm -rf "$W"; cp -a "$S" "$W"
	poke "$W/big.bin" 100000
	damage_check "$TOR" "$kind: one byte changed mid-file" \
	    "bad: big.bin (1 of 7 pieces fail their hash)"

	rm -rf "$W"; cp -a "$S" "$W"
	poke "$W/data/piece-plus-one.bin" 32768
	damage_check "$TOR" "$kind: the byte past a piece changed" \
	    "bad: data/piece-plus-one.bin (1 of 2 pieces fail their hash)"

	rm -rf "$W"; cp -a "$S" "$W"
	poke "$W/one-byte" 0
	damage_check "$TOR" "$kind: a one-byte file changed" \
	    "bad: one-byte (1 of 1 pieces fail their hash)"

	rm -rf "$W"; cp -a "$S" "$W"
	rm "$W/docs/readme.txt"
	damage_check "$TOR" "$kind: a file deleted" "missing: docs/readme.txt"

	rm -rf "$W"; cp -a "$S" "$W"
	rm "$W/empty.txt"
	damage_check "$TOR" "$kind: the empty file deleted" "missing: empty.txt"

	rm -rf "$W"; cp -a "$S" "$W"
	truncate -s 100 "$W/data/one-piece.bin"
	damage_check "$TOR" "$kind: a file truncated" \
	    "wrong size: data/one-piece.bin ("

	rm -rf "$W"; cp -a "$S" "$W"
	printf x >>"$W/data/block.bin"
	damage_check "$TOR" "$kind: a file grown by a byte" \
	    "wrong size: data/block.bin ("

	rm -rf "$W"; cp -a "$S" "$W"
	rm "$W/docs/readme-link"
	ln -s deep "$W/docs/readme-link"
	damage_check "$TOR" "$kind: the symlink repointed" \
	    "bad symlink: docs/readme-link ("
done
rm -rf "$W"

# ---- a file cut short in the middle of a big piece ----
# With 512 KiB pieces a piece is read in several chunks: a.bin cut at
# 300000 bytes fails its first piece after some of it was hashed. That
# must not spoil the hash of the next piece, b.bin's, which is intact.
B=$T/bigpiece
mkdir "$B"
gen "$B/a.bin" $((600 * 1024))
gen "$B/b.bin" 1000
for kind in hybrid v2; do
	if [ $kind = v2 ]; then flags=--v2-only; else flags=; fi
	run "$SHOAL" create "$B" -o "$T/bigpiece-$kind.torrent" -p 512K -q $flags
	status_is "512K pieces, $kind: create exits 0" 0
	rm -rf "$W"; cp -a "$B" "$W"
	truncate -s 300000 "$W/a.bin"
	damage_check "$T/bigpiece-$kind.torrent" \
	    "512K pieces, $kind: a file cut short mid-piece" \
	    "wrong size: a.bin ("
done
rm -rf "$W"

# ---- single-file torrents ----
F=$T/single
mkdir "$F"
cp "$S/big.bin" "$F/big.bin"
for kind in hybrid v2; do
	TOR=$T/single-$kind.torrent
	if [ $kind = v2 ]; then flags=--v2-only; else flags=; fi
	run "$SHOAL" create "$F/big.bin" -o "$TOR" -p 16K -q $flags
	status_is "single $kind: create from a file exits 0" 0
	run "$SHOAL" info "$TOR" --json
	printf '%s\n' "$OUT" >"$T/single.json"
	is "single $kind: name is the file's" \
	    "$(json_get "$T/single.json" 'd["name"]')" big.bin
	is "single $kind: one file of the right size" \
	    "$(json_get "$T/single.json" '[(f["path"], f["size"]) for f in d["files"]]')" \
	    '[["big.bin", 204800]]'
	is "single $kind: pieces" \
	    "$(json_get "$T/single.json" 'd["pieces"]')" 13
	check "single $kind: verify with the file itself" \
	    "$SHOAL" verify "$TOR" "$F/big.bin"
	like "single $kind: verify says all 1 files verified" "$OUT" \
	    "all 1 files verified"
	check "single $kind: verify with the folder holding it" \
	    "$SHOAL" verify "$TOR" "$F"
	cp "$F/big.bin" "$T/big.bin.orig"
	poke "$F/big.bin" 150000
	run "$SHOAL" verify "$TOR" "$F/big.bin"
	status_is "single $kind: a changed byte fails verify" 1
	like "single $kind: verify names the file" "$OUT" \
	    "bad: big.bin (1 of 13 pieces fail their hash)"
	rm "$F/big.bin"
	run "$SHOAL" verify "$TOR" "$F"
	status_is "single $kind: the file gone from its folder fails verify" 1
	like "single $kind: verify says missing" "$OUT" "missing: big.bin"
	mv "$T/big.bin.orig" "$F/big.bin"
done

# ---- --private, --comment, -t ----
TOR=$T/meta.torrent
run "$SHOAL" create "$S" -o "$TOR" -p 32K -q --private --comment 'made by a test' \
    -t http://tracker.example/announce -t udp://other.example:6969
status_is "create with --private, --comment and two -t exits 0" 0
run "$SHOAL" info "$TOR" --json
printf '%s\n' "$OUT" >"$T/meta.json"
J=$T/meta.json
is "--private: private is true" "$(json_get "$J" 'd["private"]')" true
is "--comment: the comment" "$(json_get "$J" 'd.get("comment")')" \
    "made by a test"
is "-t: the trackers, in order" "$(json_get "$J" 'd["trackers"]')" \
    '["http://tracker.example/announce", "udp://other.example:6969"]'
MAG=$(json_get "$J" 'd["magnet"]')
like "-t: the magnet has the first tracker as tr=" "$MAG" \
    "&tr=http%3A%2F%2Ftracker.example%2Fannounce"
like "-t: the magnet has the second tracker as tr=" "$MAG" \
    "&tr=udp%3A%2F%2Fother.example%3A6969"
run "$SHOAL" info "$TOR"
like "info text shows Private: yes" "$OUT" "Private:       yes"
like "info text shows the comment" "$OUT" "Comment:       made by a test"
like "info text shows a tracker" "$OUT" \
    "Tracker:       http://tracker.example/announce"
if [ "$(json_get "$J" 'd["info_hash_v2"]')" != \
    "$(json_get "$T/hybrid.json" 'd["info_hash_v2"]')" ]; then
	ok "--private changes the info-hash"
else
	not_ok "--private changes the info-hash"
fi

# ---- a symlink pointing outside the folder is left out ----
O=$T/outside
mkdir -p "$O/sub"
gen "$O/kept" 1234
ln -s /etc/passwd "$O/abs-link"
ln -s ../../escape "$O/sub/up-link"
ln -s ../kept "$O/sub/in-link"
run "$SHOAL" create "$O" -o "$T/outside.torrent"
status_is "create with outside symlinks exits 0" 0
like "a warning names the absolute symlink" "$ERR" \
    "shoal: $O/abs-link: the symlink points outside the folder, left out"
like "a warning names the climbing symlink" "$ERR" \
    "shoal: $O/sub/up-link: the symlink points outside the folder, left out"
unlike "no warning about the symlink that stays inside" "$ERR" "in-link"
run "$SHOAL" info "$T/outside.torrent" --json
printf '%s\n' "$OUT" >"$T/outside.json"
is "only the file and the inside symlink are in the torrent" \
    "$(json_get "$T/outside.json" '[(f["path"], f.get("symlink")) for f in d["files"]]')" \
    '[["kept", null], ["sub/in-link", "kept"]]'
run "$SHOAL" create "$O" -o "$T/outside-q.torrent" -q
is "create -q prints no warning" "$OUT$ERR" ""
check "verify of the folder with outside symlinks passes" \
    "$SHOAL" verify "$T/outside.torrent" "$O"

# ---- --mtime ----
touch -d @1500000000 "$S/docs/readme.txt"
touch -d @1600000000 "$S/big.bin"
touch -h -d @1400000000 "$S/docs/readme-link"
run "$SHOAL" create "$S" -o "$T/mtime.torrent" -q --mtime
status_is "create --mtime exits 0" 0
run "$SHOAL" info "$T/mtime.torrent" --json
printf '%s\n' "$OUT" >"$T/mtime.json"
J=$T/mtime.json
is "--mtime: every file and symlink has an mtime" \
    "$(json_get "$J" '[f["path"] for f in d["files"] if "mtime" not in f and "d" not in f["attr"]]')" \
    "[]"
is "--mtime: a file's mtime is its own" \
    "$(json_get "$J" '[f.get("mtime") for f in d["files"] if f["path"] in ("big.bin", "docs/readme.txt")]')" \
    "[1600000000, 1500000000]"
is "--mtime: a symlink's mtime is the link's own" \
    "$(json_get "$J" '[f.get("mtime") for f in d["files"] if f["path"] == "docs/readme-link"][0]')" \
    1400000000
check "verify of an --mtime torrent passes" \
    "$SHOAL" verify "$T/mtime.torrent" "$S"
run "$SHOAL" create "$S" -o "$T/nomtime.torrent" -p 32K -q
run "$SHOAL" info "$T/nomtime.torrent" --json
printf '%s\n' "$OUT" >"$T/nomtime.json"
is "without --mtime no file has an mtime" \
    "$(json_get "$T/nomtime.json" '[f["path"] for f in d["files"] if "mtime" in f]')" "[]"
is "without --mtime the info-hash does not depend on mtimes" \
    "$(json_get "$T/nomtime.json" 'd["info_hash_v2"]')" \
    "$(json_get "$T/hybrid.json" 'd["info_hash_v2"]')"

done_testing
