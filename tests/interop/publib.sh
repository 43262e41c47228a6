# shellcheck shell=bash
#
# Plumbing of the public-torrent interop tests (shoal get and shoal seed
# against third-party clients). Source it after tests/lib.sh and
# tests/net/netlib.sh. Every client runs on 127.0.0.1 with its port chosen
# at run time and is stopped by its PID.

LTPEER=$SRCDIR/tests/interop/ltpeer.py

# free_port: a port free on 127.0.0.1 now for both TCP and UDP (for
# clients that cannot be told to pick one themselves).
free_port() {
	"$PY" - <<'PYEOF'
import socket
while True:
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break
PYEOF
}

# listens PORT: something accepts TCP connections on 127.0.0.1:PORT.
listens() {
	"$PY" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null
}

# content_sums DIR: a sha256sum line for every file under DIR sorted by
# path, leaving out shoal's DIR/.shoal and the BEP 47 pad files (.pad/)
# that v1 clients write as if they were content. With SKIP_EMPTY=1, empty
# files are left out too (for clients that never create them).
content_sums() {
	local empty=
	[ "${SKIP_EMPTY:-0}" = 1 ] && empty='-size +0'
	# shellcheck disable=SC2086
	(cd "$1" 2>/dev/null && find . \( -path ./.shoal -o -path ./.pad \) \
	    -prune -o -type f $empty -print0 | sort -z |
	    xargs -0 -r sha256sum)
}

# same_content DESC SRC DST: a test point that DST holds exactly SRC's
# files, byte for byte (pads and .shoal left out).
same_content() {
	content_sums "$2" >"$T/content.want"
	content_sums "$3" >"$T/content.got"
	same_listing "$1" "$T/content.want" "$T/content.got"
}

# content_is SRC DST: DST holds exactly SRC's files now (for wait_for).
content_is() {
	[ "$(content_sums "$1")" = "$(content_sums "$2")" ]
}

# make_content DIR: the test folder: make_tree's files around 16 and
# 32 KiB, and a 1.5 MB file of many pieces (it has a piece layer).
make_content() {
	make_tree "$1" && gen "$1/big.bin" 1500000
}

# lt_make KIND DIR OUT: libtorrent makes a KIND (hybrid, v2, v1) torrent
# of DIR with 32 KiB pieces.
lt_make() {
	timeout "$TEST_TIMEOUT" "$LT_PY" "$LTPEER" make "$2" 32768 "$1" "$3" \
	    2>"$T/lt-make.err" || { diag_file "$T/lt-make.err"; return 1; }
}

# start_shoal_seed OUT TORRENT DIR [ARGS...]: "shoal seed" on 127.0.0.1
# (a port it picks), for up to 300 s. Waits up to 60 s for it to listen;
# sets SEED_PID and SEED_PORT (empty if it never listened).
start_shoal_seed() {
	local out=$1
	shift
	spawn "$out" 300 "$SHOAL" seed "$@" --listen 127.0.0.1:0 -v
	SEED_PID=$BGPID
	wait_for 60 has_or_gone "$out.err" 'listening on 127\.0\.0\.1:' \
	    "$SEED_PID"
	# shellcheck disable=SC2034
	SEED_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
	    "$out.err" | head -n 1)
}

# start_tracker NAME WHITELIST: Debian's opentracker in $T/NAME on
# 127.0.0.1 and a port of its own (TCP and UDP), serving only the hashes
# in WHITELIST (40 hex a line). Waits for it to answer; sets OT_PORT and
# OT_PID. As in tests/net/tracker.sh.
start_tracker() {
	local dir=$T/$1
	mkdir -p "$dir" && chmod 755 "$dir" || bail "cannot make $dir"
	printf '%s\n' "$2" >"$dir/whitelist"
	printf 'access.whitelist ./whitelist\n' >"$dir/opentracker.conf"
	chmod 644 "$dir/whitelist" "$dir/opentracker.conf"
	OT_PORT=$(free_port)
	(cd "$dir" && exec timeout -k 5 120 opentracker -i 127.0.0.1 \
	    -p "$OT_PORT" -P "$OT_PORT" -f opentracker.conf -d "$dir" \
	    >"$dir/out" 2>"$dir/err" </dev/null) &
	OT_PID=$!
	PIDS="$PIDS $OT_PID"
	wait_for 10 listens "$OT_PORT" ||
	    bail "opentracker did not start on port $OT_PORT: $(cat "$dir/err")"
}

# seeding OUT: "shoal seed" has checked its folder and serves it.
seeding() {
	grep -q 'checked, seeding' "$1.err" 2>/dev/null
}
