# shellcheck shell=bash
#
# Shared plumbing of the shell-script tests: TAP output, a scratch folder
# removed on exit, deterministic test content and a time bound on every
# command under test. Source it first thing:
#
#	. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
#
# Every test point is counted; a failed one prints "not ok" and makes the
# script exit 1 from done_testing. A missing third-party program is a
# failure, never a skip: CI installs everything.

# Where things are. SHOAL and SRCDIR come from "make check"; a hand run can
# leave them unset when the tree has been built in place.
if [ -z "${SRCDIR:-}" ]; then
	SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
fi
if [ -z "${SHOAL:-}" ]; then
	if [ -n "${BUILDDIR:-}" ] && [ -x "$BUILDDIR/shoal" ]; then
		SHOAL=$BUILDDIR/shoal
	else
		SHOAL=$SRCDIR/shoal
	fi
fi
export SRCDIR SHOAL

# Debian's python3-libtorrent is importable only from /usr/bin/python3;
# another python3 may come first on PATH. Plain JSON work uses PY: the
# system one too when there is one (it starts fastest), else the first.
LT_PY=/usr/bin/python3
if [ -n "${PYTHON:-}" ]; then
	PY=$PYTHON
elif [ -x /usr/bin/python3 ]; then
	PY=/usr/bin/python3
else
	PY=python3
fi

# No terminal colours, no translations: messages are compared verbatim.
LC_ALL=C
LANG=C
export LC_ALL LANG

# Seconds any one command under test may take.
TEST_TIMEOUT=${TEST_TIMEOUT:-120}

# The scratch folder, removed however the script ends.
T=$(mktemp -d "${TMPDIR:-/tmp}/shoal-test.XXXXXX") || {
	echo "Bail out! cannot make a scratch folder"
	exit 99
}
_lib_cleanup() {
	# Folders the test made read-only must not stop the removal.
	chmod -R u+rwx "$T" 2>/dev/null
	rm -rf "$T"
}
trap _lib_cleanup EXIT
trap 'exit 130' INT TERM HUP

_tap_n=0
_tap_failed=0

# ok DESC / not_ok DESC: emit one test point.
ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $*"
}
not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $*"
}

# diag TEXT...: a TAP comment; each line of TEXT gets a "# ".
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# diag_file FILE [LABEL]: show a file's first lines as comments.
diag_file() {
	[ -s "$1" ] || return 0
	[ -n "${2:-}" ] && diag "$2:"
	head -n 40 "$1" | sed 's/^/#   /'
}

# run CMD...: run a command under the time bound, keeping its stdout in
# $OUT, its stderr in $ERR and its exit status in $RC (files $T/out and
# $T/err hold the same). Never fails itself.
run() {
	timeout "$TEST_TIMEOUT" "$@" >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	return 0
}

# show_run: the last run's status and output, as comments.
show_run() {
	diag "exit status $RC"
	diag_file "$T/out" stdout
	diag_file "$T/err" stderr
}

# pass_if DESC STATUS: a test point from a shell status (0 = pass).
pass_if() {
	if [ "$2" -eq 0 ]; then
		ok "$1"
		return 0
	fi
	not_ok "$1"
	return 1
}

# check DESC CMD...: the command (under the time bound) exits 0.
check() {
	local desc=$1
	shift
	run "$@"
	if [ "$RC" -eq 0 ]; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	diag "command: $*"
	show_run
	return 1
}

# is DESC GOT WANT: two strings are equal.
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
		return 0
	fi
	not_ok "$1"
	diag "got:  $2"
	diag "want: $3"
	return 1
}

# like DESC TEXT NEEDLE: TEXT contains NEEDLE (a fixed string).
like() {
	case $2 in
	*"$3"*)
		ok "$1"
		return 0
		;;
	esac
	not_ok "$1"
	diag "wanted to find: $3"
	diag "in:"
	diag "$2"
	return 1
}

# unlike DESC TEXT NEEDLE: TEXT does not contain NEEDLE.
unlike() {
	case $2 in
	*"$3"*)
		not_ok "$1"
		diag "did not want to find: $3"
		diag "in:"
		diag "$2"
		return 1
		;;
	esac
	ok "$1"
	return 0
}

# status_is DESC WANT: the last run exited WANT; shows its output if not.
status_is() {
	if [ "$RC" -eq "$2" ]; then
		ok "$1"
		return 0
	fi
	not_ok "$1"
	diag "want exit status $2"
	[ "$RC" -ge 124 ] && diag "(124 is a timeout, >= 128 a signal: a crash)"
	show_run
	return 1
}

# need PROGRAM PACKAGE: a test point that PROGRAM is installed.
need() {
	if command -v "$1" >/dev/null 2>&1; then
		ok "$1 is installed"
		return 0
	fi
	not_ok "$1 is not installed (apt-get install $2)"
	return 1
}

# need_libtorrent: a test point that Debian's python3-libtorrent imports.
need_libtorrent() {
	if [ -x "$LT_PY" ] && "$LT_PY" -c 'import libtorrent' 2>/dev/null; then
		ok "python3-libtorrent is installed ($("$LT_PY" -c \
		    'import libtorrent; print(libtorrent.__version__)'))"
		return 0
	fi
	not_ok "python3-libtorrent is not installed (apt-get install python3-libtorrent)"
	return 1
}

# done_testing: print the plan and exit 1 if anything failed.
done_testing() {
	echo "1..$_tap_n"
	if [ "$_tap_failed" -ne 0 ]; then
		echo "# $_tap_failed of $_tap_n failed"
		exit 1
	fi
	exit 0
}

# bail TEXT: stop the whole script (counted as an error by the driver).
bail() {
	echo "Bail out! $*"
	exit 99
}

# json_get FILE EXPR: evaluate a Python expression over the JSON object in
# FILE, bound to "d"; prints the result (JSON for lists/dicts/booleans).
json_get() {
	"$PY" - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2], {"d": d})
if isinstance(v, str):
    print(v)
else:
    print(json.dumps(v))
EOF
}

# gen FILE SIZE [SEED]: write SIZE bytes of reproducible noise to FILE;
# the same FILE name (or SEED) always gives the same bytes.
gen() {
	"$PY" - "$1" "$2" "${3:-$1}" <<'EOF'
import hashlib, sys
path, size, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3]
seed = seed.rsplit("/", 1)[-1].encode()
with open(path, "wb") as f:
    f.write(hashlib.shake_256(b"shoal-test:" + seed).digest(size) if size else b"")
EOF
}

# make_tree DIR: a folder of plain files (no empty folders, no symlinks,
# so libtorrent sees the same thing) with sizes chosen around 16 and
# 32 KiB: nested folders, an empty file, an executable, a file of exactly
# one 32 KiB piece, one of a piece and a byte, one of one 16 KiB block,
# a one-byte file and a 200 KiB file. About 300 KiB in all; the same
# every time.
make_tree() {
	mkdir -p "$1" || return 1
	"$PY" - "$1" <<'EOF'
import hashlib, os, sys
root = sys.argv[1]
files = [
    ("docs/readme.txt", 1000),
    ("docs/deep/nested/notes.bin", 5000),
    ("empty.txt", 0),
    ("bin/tool.sh", 300),
    ("data/one-piece.bin", 32768),
    ("data/piece-plus-one.bin", 32769),
    ("data/block.bin", 16384),
    ("one-byte", 1),
    ("big.bin", 204800),
]
for rel, size in files:
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        if rel.endswith(".sh"):
            body = b"#!/bin/sh\necho shoal test\n"
            f.write((body * (size // len(body) + 1))[:size])
        elif size:
            f.write(hashlib.shake_256(b"shoal-tree:" + rel.encode()).digest(size))
os.chmod(os.path.join(root, "bin/tool.sh"), 0o755)
EOF
}

# Files make_tree writes, and how many.
TREE_FILES="big.bin bin/tool.sh data/block.bin data/one-piece.bin
data/piece-plus-one.bin docs/deep/nested/notes.bin docs/readme.txt
empty.txt one-byte"
TREE_NFILES=9
TREE_SIZE=$((1000 + 5000 + 0 + 300 + 32768 + 32769 + 16384 + 1 + 204800))

# poke FILE OFFSET: change the byte at OFFSET (to its complement), size
# unchanged.
poke() {
	"$PY" - "$1" "$2" <<'EOF'
import sys
path, off = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(off)
    b = f.read(1)
    f.seek(off)
    f.write(bytes([b[0] ^ 0xff]))
EOF
}

# fsize FILE: its size in bytes.
fsize() {
	wc -c <"$1" | tr -d ' '
}

# The binary itself must be there, or nothing else means anything.
if [ ! -x "$SHOAL" ]; then
	bail "no shoal binary at $SHOAL (set SHOAL)"
fi
