#!/bin/bash
# shoal's info-hashes equal libtorrent's for the same folder and piece
# size, and libtorrent loads every torrent shoal makes.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

need "$PY" python3
need_libtorrent || done_testing

# A small libtorrent front end:
#   make PATH PIECE_LEN hybrid|v2|v1 OUT  -> writes OUT, prints "v1 v2"
#   load TORRENT                          -> prints a JSON summary
cat >"$T/lt.py" <<'EOF'
import json, os, sys
import libtorrent as lt

def hexes(ih):
    v1 = str(ih.v1) if ih.has_v1() else "-"
    v2 = str(ih.v2) if ih.has_v2() else "-"
    return v1, v2

if sys.argv[1] == "make":
    path, pl, kind, out = os.path.abspath(sys.argv[2]), int(sys.argv[3]), \
        sys.argv[4], sys.argv[5]
    fs = lt.file_storage()
    lt.add_files(fs, path)
    flags = {"hybrid": 0, "v2": lt.create_torrent.v2_only,
             "v1": lt.create_torrent.v1_only}[kind]
    ct = lt.create_torrent(fs, pl, flags=flags)
    lt.set_piece_hashes(ct, os.path.dirname(path))
    data = lt.bencode(ct.generate())
    with open(out, "wb") as f:
        f.write(data)
    print(*hexes(lt.torrent_info(out).info_hashes()))
elif sys.argv[1] == "load":
    ti = lt.torrent_info(sys.argv[2])
    fs = ti.files()
    files = []
    for i in range(fs.num_files()):
        flags = fs.file_flags(i)
        if flags & lt.file_storage.flag_pad_file:
            continue
        kind = "l" if flags & lt.file_storage.flag_symlink else ""
        files.append({"path": fs.file_path(i), "size": fs.file_size(i),
                      "symlink": fs.symlink(i) if kind else None,
                      "x": bool(flags & lt.file_storage.flag_executable)})
    v1, v2 = hexes(ti.info_hashes())
    print(json.dumps({"v1": v1, "v2": v2, "name": ti.name(),
                      "content_size": sum(f["size"] for f in files),
                      "num_pieces": ti.num_pieces(),
                      "piece_length": ti.piece_length(),
                      "private": ti.priv(), "files": files,
                      "trackers": [t.url for t in ti.trackers()],
                      "comment": ti.comment()}))
EOF

# shoal_hashes TORRENT: "v1 v2" from shoal info --json ("-" when absent).
shoal_hashes() {
	"$SHOAL" info "$1" --json >"$T/si.json" || return 1
	json_get "$T/si.json" '"%s %s" % (d.get("info_hash_v1", "-"), d.get("info_hash_v2", "-"))'
}

# compare LABEL PATH PIECE_LEN: hybrid and v2-only torrents of PATH by both.
compare() {
	local label=$1 path=$2 pl=$3 lt_h lt_v sh_h sh_v
	lt_h=$(timeout "$TEST_TIMEOUT" "$LT_PY" "$T/lt.py" make "$path" "$pl" \
	    hybrid "$T/lt-h.torrent" 2>"$T/lterr") || diag_file "$T/lterr"
	lt_v=$(timeout "$TEST_TIMEOUT" "$LT_PY" "$T/lt.py" make "$path" "$pl" \
	    v2 "$T/lt-v.torrent" 2>"$T/lterr") || diag_file "$T/lterr"
	run "$SHOAL" create "$path" -o "$T/sh-h.torrent" -p "$pl" -q
	status_is "$label: shoal create (hybrid) exits 0" 0
	run "$SHOAL" create "$path" -o "$T/sh-v.torrent" -p "$pl" -q --v2-only
	status_is "$label: shoal create --v2-only exits 0" 0
	sh_h=$(shoal_hashes "$T/sh-h.torrent")
	sh_v=$(shoal_hashes "$T/sh-v.torrent")
	is "$label: hybrid v1 info-hash equals libtorrent's" \
	    "${sh_h%% *}" "${lt_h%% *}"
	is "$label: hybrid v2 info-hash equals libtorrent's" \
	    "${sh_h##* }" "${lt_h##* }"
	is "$label: v2-only info-hash equals libtorrent's" \
	    "$sh_v" "${lt_v}"
	# A mismatch is easier to chase with both file lists at hand.
	if [ "${sh_h}" != "${lt_h}" ] || [ "$sh_v" != "$lt_v" ]; then
		"$LT_PY" - "$T/sh-h.torrent" "$T/lt-h.torrent" <<'EOF' 2>&1 |
import sys
import libtorrent as lt
for who, path in (("shoal", sys.argv[1]), ("libtorrent", sys.argv[2])):
    info = lt.bdecode(open(path, "rb").read())[b"info"]
    keys = sorted(k.decode() for k in info)
    files = [("/".join(c.decode() for c in f[b"path"]), f[b"length"])
             for f in info.get(b"files", [])]
    print("%s: keys %s" % (who, keys))
    print("%s: v1 files %s" % (who, files))
EOF
		    sed 's/^/#   /'
	fi
}

# ---- folders and piece sizes ----
S=$T/share
make_tree "$S" || bail "make_tree failed"
for pl in 16384 32768 1048576; do
	compare "make_tree folder, $((pl / 1024)) KiB pieces" "$S" $pl
done

# A folder of a single file, and files all smaller than a block.
mkdir -p "$T/lone"
gen "$T/lone/only.bin" 70000
compare "folder holding one file, 16 KiB pieces" "$T/lone" 16384
mkdir -p "$T/tiny/a" "$T/tiny/b"
gen "$T/tiny/a/1" 1
gen "$T/tiny/a/2" 100
: >"$T/tiny/b/empty"
gen "$T/tiny/c" 16383
gen "$T/tiny/d" 16385
printf '#!/bin/sh\n' >"$T/tiny/b/run"
chmod +x "$T/tiny/b/run"
compare "small files around one block, 16 KiB pieces" "$T/tiny" 16384
compare "small files around one block, 32 KiB pieces" "$T/tiny" 32768

# Single-file torrents.
mkdir -p "$T/single"
gen "$T/single/file.bin" 200000
for pl in 16384 32768 1048576; do
	compare "single file, $((pl / 1024)) KiB pieces" \
	    "$T/single/file.bin" $pl
done
gen "$T/single/exact.bin" 65536
compare "single file of exactly 4 pieces" "$T/single/exact.bin" 16384
cp "$S/bin/tool.sh" "$T/single/tool.sh"
compare "single executable file" "$T/single/tool.sh" 16384

# ---- libtorrent loads what shoal makes ----
# load_check LABEL TORRENT: libtorrent reads it and agrees with shoal info.
load_check() {
	local label=$1 tor=$2
	run "$SHOAL" info "$tor" --json
	printf '%s\n' "$OUT" >"$T/shoal.json"
	run "$LT_PY" "$T/lt.py" load "$tor"
	if [ "$RC" -ne 0 ]; then
		not_ok "$label: libtorrent loads it"
		show_run
		return 1
	fi
	ok "$label: libtorrent loads it"
	printf '%s\n' "$OUT" >"$T/lt.json"
	is "$label: libtorrent's info-hashes are shoal's" \
	    "$(json_get "$T/lt.json" '"%s %s" % (d["v1"], d["v2"])')" \
	    "$(json_get "$T/shoal.json" '"%s %s" % (d.get("info_hash_v1", "-"), d.get("info_hash_v2", "-"))')"
	# libtorrent's total_size counts pad files; the files' sum does not.
	is "$label: same name, size, piece length and pieces" \
	    "$(json_get "$T/lt.json" '[d["name"], d["content_size"], d["piece_length"], d["num_pieces"]]')" \
	    "$(json_get "$T/shoal.json" '[d["name"], d["size"], d["piece_length"], d["pieces"]]')"
}

W=$T/withlinks
cp -a "$S" "$W"
mkdir -p "$W/empty-dir" "$W/docs/also-empty"
ln -s readme.txt "$W/docs/readme-link"
ln -s ../data "$W/bin/data-link"
for kind in hybrid v2; do
	if [ $kind = v2 ]; then flags=--v2-only; else flags=; fi
	run "$SHOAL" create "$W" -o "$T/links-$kind.torrent" -q $flags
	status_is "empty folders and symlinks, $kind: shoal create exits 0" 0
	load_check "empty folders and symlinks, $kind" "$T/links-$kind.torrent"
	is "empty folders and symlinks, $kind: libtorrent sees the symlinks" \
	    "$(json_get "$T/lt.json" 'sorted((f["path"], f["symlink"]) for f in d["files"] if f["symlink"])')" \
	    '[["withlinks/bin/data-link", "withlinks/data"], ["withlinks/docs/readme-link", "withlinks/docs/readme.txt"]]'
	is "empty folders and symlinks, $kind: libtorrent sees the executable" \
	    "$(json_get "$T/lt.json" '[f["path"] for f in d["files"] if f["x"]]')" \
	    '["withlinks/bin/tool.sh"]'

	run "$SHOAL" create "$S" -o "$T/meta-$kind.torrent" -q $flags \
	    --private --comment "shoal test" --mtime \
	    -t http://tracker.example/announce -t udp://tracker.example:6969
	status_is "private, comment, trackers, mtime, $kind: shoal create exits 0" 0
	load_check "private, comment, trackers, mtime, $kind" \
	    "$T/meta-$kind.torrent"
	is "private, comment, trackers, mtime, $kind: libtorrent's view" \
	    "$(json_get "$T/lt.json" '[d["private"], d["comment"], d["trackers"]]')" \
	    '[true, "shoal test", ["http://tracker.example/announce", "udp://tracker.example:6969"]]'

	run "$SHOAL" create "$T/single/file.bin" -o "$T/single-$kind.torrent" \
	    -q $flags
	status_is "single file, $kind: shoal create exits 0" 0
	load_check "single file, $kind" "$T/single-$kind.torrent"
done

# The same private torrent by libtorrent has the same info-hashes.
"$LT_PY" - "$S" "$T/lt-priv.torrent" >"$T/lt-priv.out" 2>&1 <<'EOF'
import os, sys
import libtorrent as lt
path = os.path.abspath(sys.argv[1])
fs = lt.file_storage()
lt.add_files(fs, path)
ct = lt.create_torrent(fs, 32768)
ct.set_priv(True)
lt.set_piece_hashes(ct, os.path.dirname(path))
ti = lt.torrent_info(lt.bencode(ct.generate()))
print(ti.info_hashes().v1, ti.info_hashes().v2)
EOF
run "$SHOAL" create "$S" -o "$T/priv.torrent" -q -p 32K --private
is "private hybrid: info-hashes equal libtorrent's" \
    "$(shoal_hashes "$T/priv.torrent")" "$(cat "$T/lt-priv.out")"

done_testing
