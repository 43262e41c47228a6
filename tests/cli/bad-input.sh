#!/bin/bash
# Bad command lines, missing and broken files, hostile torrents: each gets
# the right exit status (2 for usage, 1 for anything else, never a crash)
# and a message naming the thing that is wrong.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

need "$PY" python3

CREATE_USAGE='usage: shoal create DIR -o FILE.torrent [--v2-only] [-p SIZE] [--comment TEXT] [--private] [--mtime] [-t URL]... [-q]'
INFO_USAGE='usage: shoal info FILE.torrent [--json]'
VERIFY_USAGE='usage: shoal verify FILE.torrent DIR [-q]'

# expect DESC STATUS STDERR CMD...: the command exits STATUS, prints
# exactly STDERR on stderr and nothing on stdout. One test point.
expect() {
	local desc=$1 status=$2 want=$3
	shift 3
	run "$@"
	if [ "$RC" -eq "$status" ] && [ "$ERR" = "$want" ] && [ -z "$OUT" ]
	then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	diag "command: $*"
	diag "want exit status $status and stderr:"
	diag "  $want"
	[ "$RC" -ge 124 ] && diag "(124 is a timeout, >= 128 a signal: a crash)"
	show_run
	return 1
}

S=$T/share
make_tree "$S" || bail "make_tree failed"
run "$SHOAL" create "$S" -o "$T/good.torrent" -q
[ "$RC" -eq 0 ] || bail "cannot create the reference torrent: $ERR"
GOOD=$T/good.torrent

# ---- the command line ----
run "$SHOAL"
status_is "no arguments: exit 2" 2
like "no arguments: the usage on stderr" "$ERR" "usage: shoal COMMAND [ARGS]"
expect "unknown command: exit 2, names it" 2 \
    'shoal: unknown command "frobnicate"; run "shoal help" for the list' \
    "$SHOAL" frobnicate
expect "create without -o: exit 2 and the usage" 2 "$CREATE_USAGE" \
    "$SHOAL" create "$S"
expect "create without a folder: exit 2 and the usage" 2 "$CREATE_USAGE" \
    "$SHOAL" create -o "$T/x.torrent"
expect "create with two folders: exit 2 and the usage" 2 "$CREATE_USAGE" \
    "$SHOAL" create "$S" "$S" -o "$T/x.torrent"
expect "send --local-subnet that is no subnet: exit 2, names it" 2 \
    'shoal: bad subnet "10.0.0.0/33": give one like 10.1.0.0/16 or fd00::/8' \
    "$SHOAL" send "$S" --open --local-subnet 10.0.0.0/33
expect "receive --site longer than 64 bytes: exit 2, names it" 2 \
    "shoal: bad site name \"$(printf 'o%.0s' {1..65})\": give 1 to 64 bytes" \
    "$SHOAL" receive 'magnet:?xt=urn:btmh:1220aa' "$T/x" \
    --site "$(printf 'o%.0s' {1..65})"
expect "send --peer-upload-limit that is no rate: exit 2" 2 \
    'shoal: bad rate "fast": give bytes per second like 500K or 20M' \
    "$SHOAL" send "$S" --open --peer-upload-limit fast
run "$SHOAL" create "$S" -o "$T/x.torrent" --bogus
status_is "create with an unknown option: exit 2" 2
like "create with an unknown option: names it" "$ERR" "--bogus"
like "create with an unknown option: the usage" "$ERR" "$CREATE_USAGE"
for p in 15K 8K 48K 256M 0 -16K abc 16Q ""; do
	expect "create -p '$p': exit 2, names the value" 2 \
	    "shoal: bad piece size \"$p\": give a power of two from 16K to 128M" \
	    "$SHOAL" create "$S" -o "$T/x.torrent" -p "$p"
done
test ! -e "$T/x.torrent"
pass_if "no torrent written after a usage error" $?
for p in 16K 16384 128M; do
	run "$SHOAL" create "$S" -o "$T/p.torrent" -p $p -q
	status_is "create -p $p is accepted" 0
done
expect "info without a file: exit 2 and the usage" 2 "$INFO_USAGE" \
    "$SHOAL" info
expect "info with two files: exit 2 and the usage" 2 "$INFO_USAGE" \
    "$SHOAL" info "$GOOD" "$GOOD"
expect "verify without a folder: exit 2 and the usage" 2 "$VERIFY_USAGE" \
    "$SHOAL" verify "$GOOD"
expect "verify with three arguments: exit 2 and the usage" 2 \
    "$VERIFY_USAGE" "$SHOAL" verify "$GOOD" "$S" "$S"

# ---- create: what it is given, where it writes ----
expect "create of a missing folder: exit 1, names it" 1 \
    "shoal: cannot read $T/nope: No such file or directory" \
    "$SHOAL" create "$T/nope" -o "$T/x.torrent"
expect "create into a missing folder: exit 1, names the output" 1 \
    "shoal: cannot write $T/nodir/x.torrent: No such file or directory" \
    "$SHOAL" create "$S" -o "$T/nodir/x.torrent" -q
expect "create into a path under a file: exit 1, names the output" 1 \
    "shoal: cannot write $GOOD/x.torrent: Not a directory" \
    "$SHOAL" create "$S" -o "$GOOD/x.torrent" -q
mkdir "$T/adir"
expect "create onto a folder: exit 1, names the output" 1 \
    "shoal: cannot write $T/adir: Is a directory" \
    "$SHOAL" create "$S" -o "$T/adir" -q
is "create onto a folder leaves no temporary file behind" \
    "$(ls -A "$T" | grep -c '\.tmp\.')" 0
mkdir "$T/ro"
chmod 555 "$T/ro"
if touch "$T/ro/probe" 2>/dev/null; then
	# Root writes anywhere it may; sysfs refuses even root.
	rm -f "$T/ro/probe"
	RO=/sys/shoal-test.torrent
else
	RO=$T/ro/x.torrent
fi
run "$SHOAL" create "$S" -o "$RO" -q
status_is "create into an unwritable folder: exit 1" 1
like "create into an unwritable folder: names the output" "$ERR" \
    "shoal: cannot write $RO: "
mkdir -p "$T/empty" "$T/only-dirs/a/b" "$T/only-dirs/c"
expect "create of an empty folder: exit 1, says so" 1 \
    "shoal: $T/empty: the folder has no files to share" \
    "$SHOAL" create "$T/empty" -o "$T/x.torrent"
expect "create of a folder of empty folders: exit 1, says so" 1 \
    "shoal: $T/only-dirs: the folder has no files to share" \
    "$SHOAL" create "$T/only-dirs" -o "$T/x.torrent"
expect "create of a device: exit 1, names it" 1 \
    "shoal: /dev/null: not a folder or a regular file" \
    "$SHOAL" create /dev/null -o "$T/x.torrent"
test ! -e "$T/x.torrent"
pass_if "no torrent written after a failed create" $?

# ---- info and verify: missing, empty, not a torrent ----
for cmd in info verify; do
	if [ $cmd = verify ]; then extra=$S; else extra=; fi
	expect "$cmd of a missing file: exit 1, names it" 1 \
	    "shoal: $T/nope.torrent: No such file or directory" \
	    "$SHOAL" $cmd "$T/nope.torrent" $extra
	: >"$T/empty.torrent"
	expect "$cmd of an empty file: exit 1, says so" 1 \
	    "shoal: $T/empty.torrent: the file is empty" \
	    "$SHOAL" $cmd "$T/empty.torrent" $extra
	expect "$cmd of a folder: exit 1, says so" 1 \
	    "shoal: $T/adir: not a regular file" \
	    "$SHOAL" $cmd "$T/adir" $extra
	printf 'Hello, this is not a torrent.\n' >"$T/text.torrent"
	expect "$cmd of a text file: exit 1, a bencode error" 1 \
	    "shoal: $T/text.torrent: bencode: unexpected character at byte 0" \
	    "$SHOAL" $cmd "$T/text.torrent" $extra
	printf 'i42e' >"$T/int.torrent"
	expect "$cmd of a bencoded integer: exit 1, says so" 1 \
	    "shoal: $T/int.torrent: the torrent is not a dictionary" \
	    "$SHOAL" $cmd "$T/int.torrent" $extra
	printf 'd3:foo3:bare' >"$T/noinfo.torrent"
	expect "$cmd of a dictionary without info: exit 1, says so" 1 \
	    "shoal: $T/noinfo.torrent: the torrent has no info dictionary" \
	    "$SHOAL" $cmd "$T/noinfo.torrent" $extra
	{ cat "$GOOD"; printf 'xyz'; } >"$T/trailing.torrent"
	expect "$cmd of a torrent with trailing bytes: exit 1, says so" 1 \
	    "shoal: $T/trailing.torrent: bencode: trailing bytes after the value at byte $(fsize "$GOOD")" \
	    "$SHOAL" $cmd "$T/trailing.torrent" $extra
done
expect "verify with a missing folder: exit 1, names it" 1 \
    "shoal: cannot read $T/nope: No such file or directory" \
    "$SHOAL" verify "$GOOD" "$T/nope"
expect "verify of a multi-file torrent with a file: exit 1, says so" 1 \
    "shoal: $S/big.bin: not a folder (the torrent holds a folder)" \
    "$SHOAL" verify "$GOOD" "$S/big.bin"

# ---- truncated torrents ----
LEN=$(fsize "$GOOD")
for cut in 1 2 3 11 100 $((LEN / 2)) $((LEN - 2)) $((LEN - 1)); do
	head -c $cut "$GOOD" >"$T/cut.torrent"
	for cmd in info verify; do
		if [ $cmd = verify ]; then extra=$S; else extra=; fi
		run "$SHOAL" $cmd "$T/cut.torrent" $extra
		if [ "$RC" -eq 1 ] && [ -z "$OUT" ] &&
		    printf '%s\n' "$ERR" | grep -Eq "^shoal: $T/cut.torrent: bencode: [a-z ]+ at byte [0-9]+\$"
		then
			ok "$cmd of the torrent cut to $cut of $LEN bytes: exit 1, a bencode error"
		else
			not_ok "$cmd of the torrent cut to $cut of $LEN bytes: exit 1, a bencode error"
			show_run
		fi
	done
done
head -c $((LEN - 1)) "$GOOD" >"$T/cut.torrent"
expect "the torrent cut by one byte: the exact message" 1 \
    "shoal: $T/cut.torrent: bencode: truncated input at byte $((LEN - 1))" \
    "$SHOAL" info "$T/cut.torrent"
# Many more cuts and single-byte changes, made in one go: never a crash.
# A cut must exit 1 with a bencode message; a changed byte may still parse
# (a byte inside a hash or a name), so exit 0 or 1, and a message when 1.
mkdir "$T/cuts" "$T/flips"
"$PY" - "$GOOD" "$T" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
step = len(data) // 150 + 1
for n in range(1, len(data), step):
    open("%s/cuts/%d" % (sys.argv[2], n), "wb").write(data[:n])
for off in range(0, len(data), step):
    b = bytearray(data)
    b[off] ^= 0xff
    open("%s/flips/%d" % (sys.argv[2], off), "wb").write(b)
EOF
bad=
for f in "$T"/cuts/*; do
	run "$SHOAL" info "$f"
	case $ERR in
	"shoal: $f: bencode: "*" at byte "*) ;;
	*) RC="$RC(message: $ERR)" ;;
	esac
	[ "$RC" = 1 ] || bad="$bad ${f##*/}:$RC"
done
is "info of the torrent cut at $(ls "$T/cuts" | wc -l | tr -d ' ') more points: always exit 1 and a bencode message" \
    "$bad" ""
bad=
for f in "$T"/flips/*; do
	run "$SHOAL" info "$f"
	case $RC in
	0) ;;
	1) [ -n "$ERR" ] || bad="$bad ${f##*/}:silent" ;;
	*) bad="$bad ${f##*/}:$RC" ;;
	esac
done
is "info of the torrent with one byte flipped at $(ls "$T/flips" | wc -l | tr -d ' ') places: exit 0 or 1, never a crash" \
    "$bad" ""

# ---- hostile torrents, written by hand ----
"$PY" - "$T" <<'EOF'
import sys

def be(v):
    """A plain bencoder: keys sorted, as a torrent's must be."""
    if isinstance(v, bool):
        raise TypeError(v)
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(be(x) for x in v) + b"e"
    if isinstance(v, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, x)
                       for k, x in v.items())
        return b"d" + b"".join(be(k) + be(x) for k, x in items) + b"e"
    raise TypeError(v)

def v1(name, paths, extra=None):
    files = [{"length": 10, "path": p} for p in paths]
    if extra:
        files.append(extra)
    return {"info": {"name": name, "piece length": 16384,
                     "pieces": b"\0" * 20, "files": files}}

def v2(name, tree, mv=2):
    return {"info": {"name": name, "piece length": 16384,
                     "meta version": mv, "file tree": tree}}

leaf = {"": {"length": 10, "pieces root": b"\1" * 32}}
torrents = {
    # Controls: the same shapes with harmless names load.
    "ok-v1": v1("share", [["a"], ["b", "c"]]),
    "ok-v2": v2("share", {"a": leaf, "b": {"c": leaf}}),
    "dotdot": v1("share", [["a"], ["..", "evil"]]),
    "dotdot-last": v1("share", [["a", ".."]]),
    "absolute": v1("share", [["/etc", "passwd"]]),
    "slash": v1("share", [["a/../../b"]]),
    "empty-component": v1("share", [["a", "", "b"]]),
    "dot": v1("share", [[".", "b"]]),
    "no-path": v1("share", [[]]),
    "name-dotdot": v1("..", [["a"]]),
    "name-dot": v1(".", [["a"]]),
    "name-slash": v1("/etc", [["a"]]),
    "name-empty": v1("", [["a"]]),
    "single-name-dotdot": {"info": {"name": "..", "piece length": 16384,
                                    "pieces": b"\0" * 20, "length": 10}},
    "symlink-dotdot": v1("share", [["a"]], {"length": 0, "path": ["l"],
                         "attr": "l", "symlink path": ["..", "etc"]}),
    "v2-dotdot": v2("share", {"..": {"a": leaf}}),
    "v2-dot": v2("share", {".": leaf}),
    "v2-slash": v2("share", {"/etc": leaf}),
    "v2-root-file": v2("share", {"": {"length": 10,
                                     "pieces root": b"\1" * 32}}),
    "v2-name-dotdot": v2("..", {"a": leaf}),
    "meta-version-3": v2("share", {"a": leaf}, mv=3),
    # Well-formed paths, inconsistent torrents.
    "v1-pieces-short": dict(v1("share", [["a"]]), info=dict(
        v1("share", [["a"]])["info"], pieces=b"\0" * 19)),
    "v1-pieces-long": dict(v1("share", [["a"]]), info=dict(
        v1("share", [["a"]])["info"], pieces=b"\0" * 40)),
    "v1-pieces-none": dict(v1("share", [["a"]]), info=dict(
        v1("share", [["a"]])["info"], pieces=b"")),
    "hybrid-pieces-long": {"info": {"name": "share", "piece length": 16384,
                                    "meta version": 2, "pieces": b"\0" * 40,
                                    "files": [{"length": 10, "path": ["a"]}],
                                    "file tree": {"a": leaf}}},
    "v1-twice": v1("share", [["a"], ["a"]]),
    "v1-file-and-folder": v1("share", [["a"], ["a", "b"]]),
    "v1-under-shoal": v1("share", [[".shoal", "x"]]),
    "v2-under-shoal": v2("share", {".shoal": {"x": leaf}}),
    "v1-too-many-pieces": {"info": {"name": "share", "piece length": 16384,
                                    "pieces": b"",
                                    "files": [{"length": 2 ** 47, "path": ["a"]},
                                              {"length": 2 ** 47, "path": ["b"]}]}},
    "v2-too-many-pieces": v2("share", {
        "a": {"": {"length": 2 ** 47, "pieces root": b"\1" * 32}},
        "b": {"": {"length": 2 ** 47, "pieces root": b"\1" * 32}}}),
}
for k, v in torrents.items():
    with open("%s/%s.torrent" % (sys.argv[1], k), "wb") as f:
        f.write(be(v))
EOF
[ -s "$T/ok-v1.torrent" ] || bail "cannot write the hand-made torrents"

check "control: a hand-made v1 torrent loads" "$SHOAL" info "$T/ok-v1.torrent"
check "control: a hand-made v2 torrent loads" "$SHOAL" info "$T/ok-v2.torrent"

# hostile NAME MESSAGE: info and verify both refuse it with MESSAGE.
hostile() {
	expect "info of a torrent with $1: exit 1, names the problem" 1 \
	    "shoal: $T/$2.torrent: $3" "$SHOAL" info "$T/$2.torrent"
	mkdir -p "$T/target/share"
	expect "verify of a torrent with $1: exit 1, names the problem" 1 \
	    "shoal: $T/$2.torrent: $3" \
	    "$SHOAL" verify "$T/$2.torrent" "$T/target/share"
}
hostile 'a ".." path component' dotdot \
    'file 1 has a path component ".."'
hostile 'a trailing ".." component' dotdot-last \
    'file 0 has a path component ".."'
hostile 'an absolute path component "/etc"' absolute \
    'file 0 has a path component with a slash'
hostile 'a component holding slashes and ".."' slash \
    'file 0 has a path component with a slash'
hostile 'an empty path component' empty-component \
    'file 0 has an empty path component'
hostile 'a "." path component' dot \
    'file 0 has a path component "."'
hostile 'an empty path' no-path 'file 0 has no path'
hostile 'the name ".."' name-dotdot \
    'the torrent name has a path component ".."'
hostile 'the name "."' name-dot \
    'the torrent name has a path component "."'
hostile 'the name "/etc"' name-slash \
    'the torrent name has a path component with a slash'
hostile 'an empty name' name-empty \
    'the torrent name has an empty path component'
hostile 'a single file named ".."' single-name-dotdot \
    'the torrent name has a path component ".."'
hostile 'a symlink target climbing out' symlink-dotdot \
    'file 1 has a path component ".."'
hostile 'a v2 ".." folder' v2-dotdot \
    'the file tree has a path component ".."'
hostile 'a v2 "." file' v2-dot \
    'the file tree has a path component "."'
hostile 'a v2 "/etc" file' v2-slash \
    'the file tree has a path component with a slash'
hostile 'a v2 file with an empty name at the root' v2-root-file \
    'the file tree has a file with siblings or at its root'
hostile 'a v2 torrent named ".."' v2-name-dotdot \
    'the torrent name has a path component ".."'
hostile 'meta version 3' meta-version-3 \
    'the torrent uses metainfo version 3, newer than this shoal understands'

# Inconsistent torrents: each is refused with exit 1 and a message (these
# fail after the file list is built; a crash there is a bug).
hostile 'a v1 piece string one byte short' v1-pieces-short \
    "the torrent's v1 piece hashes do not match its size (1 pieces)"
hostile 'a v1 piece string one hash too long' v1-pieces-long \
    "the torrent's v1 piece hashes do not match its size (1 pieces)"
hostile 'an empty v1 piece string' v1-pieces-none \
    "the torrent's v1 piece hashes do not match its size (1 pieces)"
hostile 'a hybrid with a v1 hash too many' hybrid-pieces-long \
    "the torrent's v1 piece hashes do not match its size (1 pieces)"
hostile 'a path listed twice' v1-twice 'the torrent lists "a" twice'
hostile 'a path both a file and a folder' v1-file-and-folder \
    'the torrent has "a" both as a file and as a directory'
hostile 'a v1 file under .shoal' v1-under-shoal \
    'the torrent has a file under .shoal, which shoal reserves for its own state'
hostile 'a v2 file under .shoal' v2-under-shoal \
    'the torrent has a file under .shoal, which shoal reserves for its own state'
hostile 'v1 files needing too many pieces' v1-too-many-pieces \
    'the torrent has more than 2097152 pieces'
hostile 'v2 files needing too many pieces' v2-too-many-pieces \
    'the torrent has more than 2097152 pieces'

is "nothing was written outside the verify target" \
    "$(cd "$T/target" && find . | sort | tr '\n' ' ')" ". ./share "

done_testing
