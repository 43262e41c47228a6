#!/bin/bash
# Discovery through a real tracker: Debian's opentracker, started here on
# 127.0.0.1 with the share's hash in its whitelist. Receivers given a link
# that names no peer (no x.pe, no --peer, no --lsd), only the tracker the
# sender put into it (tr=), find the sender and each other through the
# tracker, over HTTP and then over UDP, and end byte-identical. A tracker
# that refuses the announce (its whitelist lacks the hash) and one that is
# not there are logged with their URLs, and the transfer still completes
# through the link's peer. A bad --tracker is refused at the command line.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"

need "$PY" python3
need opentracker opentracker

# shellcheck disable=SC2034
TEST_TIMEOUT=60

# free_port: a port free for both TCP and UDP on 127.0.0.1 (opentracker
# takes one of each).
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

# answers PORT: something accepts TCP connections on 127.0.0.1:PORT.
answers() {
	"$PY" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null
}

# start_tracker NAME WHITELIST: opentracker in $T/NAME (its root and
# working folder) on a port of its own for TCP and UDP, serving only the
# hashes in WHITELIST (40 hex a line, may be empty). Waits for it to
# answer; sets OT_PORT and OT_PID.
start_tracker() {
	local dir=$T/$1
	mkdir -p "$dir" && chmod 755 "$dir" || bail "cannot make $dir"
	printf '%s' "$2" >"$dir/whitelist"
	printf 'access.whitelist ./whitelist\n' >"$dir/opentracker.conf"
	chmod 644 "$dir/whitelist" "$dir/opentracker.conf"
	OT_PORT=$(free_port)
	# It reads its whitelist relative to the folder it chroots to (as
	# root; as another user it stays in the working folder).
	(cd "$dir" && exec timeout -k 5 120 opentracker -i 127.0.0.1 \
	    -p "$OT_PORT" -P "$OT_PORT" -f opentracker.conf -d "$dir" \
	    >"$dir/out" 2>"$dir/err" </dev/null) &
	OT_PID=$!
	PIDS="$PIDS $OT_PID"
	wait_for 10 answers "$OT_PORT" ||
	    bail "opentracker did not start on port $OT_PORT: $(cat "$dir/err")"
}

# said_complete FILE: a receiver's stdout FILE has its "complete" line.
said_complete() {
	grep -qx complete "$1" 2>/dev/null
}

S=$T/share
mkdir -p "$S/sub" || bail "cannot make $S"
{ gen "$S/big.bin" 3000000 && gen "$S/sub/notes.txt" 4321 &&
    gen "$S/sub/empty" 0; } || bail "cannot write $S"

init_node src
for n in r1 r2 r3 r4 r5; do
	init_node "$n"
done

# The hash the sender will announce: the truncated v2 info-hash of the
# folder, which "shoal create --mtime" computes as "shoal send" does.
check "create a torrent of the folder" "$SHOAL" create "$S" \
    -o "$T/share.torrent" --mtime -q
run "$SHOAL" info "$T/share.torrent" --json
printf '%s\n' "$OUT" >"$T/info.json"
V2=$(json_get "$T/info.json" 'd["info_hash_v2"]')
HASH=${V2:0:40}
printf '%s\n' "$HASH" | grep -Eqx '[0-9a-f]{40}'
pass_if "the torrent has a v2 hash ($HASH)" $?

start_tracker ot "$HASH"
TRK=127.0.0.1:$OT_PORT
diag "opentracker on $TRK (TCP and UDP), whitelist $HASH"

# sender PROTO OUT: "shoal send" of the folder announcing to the tracker
# over PROTO, admitting every receiver; waits for its link and for its
# first announce to be answered. Sets SPID, LINK, SRC_PORT and BARE (the
# link without its peer address).
sender() {
	# shellcheck disable=SC2154
	start_send "$2" "$S" --listen 127.0.0.1:0 --allow "$ID_r1" \
	    --allow "$ID_r2" --allow "$ID_r3" --allow "$ID_r4" \
	    --allow "$ID_r5" --state-dir "$T/src" \
	    --tracker "$1://$TRK/announce" -v
	SRC_PORT=$(link_port "$LINK")
	BARE=$(printf '%s\n' "$LINK" | sed 's/&x\.pe=[^&]*//')
	wait_for 20 has_or_gone "$2.err" "tracker $1://$TRK/announce: announced started" "$SPID"
}

# ==== 1. HTTP ====
sender http "$T/send1"
like "1: the link is for the folder's hash" "$LINK" "btmh:1220$V2"
like "1: the sender puts its tracker into the link" "$LINK" \
    "&tr=http%3A%2F%2F127.0.0.1%3A$OT_PORT%2Fannounce"
has "$T/send1.err" "tracker http://$TRK/announce: announced started"
pass_if "1: the sender announced to the tracker over HTTP" $? ||
    diag_file "$T/send1.err" "send's stderr"
unlike "1: the link the receivers get names no peer" "$BARE" 'x.pe='

# r1 first and staying, then r2: the tracker names the sender to r1, and
# the sender and r1 to r2.
spawn "$T/r1" 40 "$SHOAL" receive "$BARE" "$T/r1-dst" --state-dir "$T/r1" \
    --listen 127.0.0.1:0 --stay -v
R1=$BGPID
wait_for 30 line_or_gone "$T/r1.out" "$R1"
is "1: r1 completes through the tracker alone" "$(head -n 1 "$T/r1.out")" \
    complete || diag_file "$T/r1.err" "r1's stderr"
R1_PORT=$(sed -n 's/.* listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/r1.err")
spawn "$T/r2" 40 "$SHOAL" receive "$BARE" "$T/r2-dst" --state-dir "$T/r2" \
    --listen 127.0.0.1:0 -v
R2=$BGPID
reap "$R2"
is "1: r2 exits 0" $? 0
is "1: r2 prints complete" "$(cat "$T/r2.out")" complete ||
    diag_file "$T/r2.err" "r2's stderr"
for n in r1 r2; do
	has "$T/$n.err" "tracker http://$TRK/announce: announced started"
	pass_if "1: $n announced to the link's tracker over HTTP" $? ||
	    diag_file "$T/$n.err" "$n's stderr"
	has "$T/$n.err" "found 127\\.0\\.0\\.1:$SRC_PORT through a tracker"
	pass_if "1: the tracker named the sender to $n" $?
	same_tree "1: $n has the folder byte-identical" "$S" "$T/$n-dst"
done
has "$T/r2.err" "found 127\\.0\\.0\\.1:$R1_PORT through a tracker"
pass_if "1: the tracker named r1 to r2 too" $?
# opentracker names every node to itself too; r1 leaves itself out.
has "$T/r1.err" "announced started; it named 2 peers, 1 new"
pass_if "1: the tracker named the sender and r1 itself to r1" $? ||
    grep 'tracker' "$T/r1.err" | sed 's/^/#   /'
has "$T/r1.err" "found 127\\.0\\.0\\.1:$R1_PORT through a tracker"
is "1: r1 did not take its own address from the tracker ($R1_PORT)" $? 1
wait_for 5 has "$T/r1.err" "tracker http://$TRK/announce: announced completed"
pass_if "1: r1, staying, announced completed" $?
stop "$R1"
is "1: r1 exits 0 on SIGTERM" $? 0
has "$T/r1.err" "tracker http://$TRK/announce: announced stopped"
pass_if "1: r1 announced stopped on its way out" $?
stop "$SPID"
is "1: the sender exits 0 on SIGTERM" $? 0
has "$T/send1.err" "tracker http://$TRK/announce: announced stopped"
pass_if "1: the sender announced stopped on its way out" $?

# ==== 2. UDP (BEP 15) ====
sender udp "$T/send2"
like "2: the sender puts its UDP tracker into the link" "$LINK" \
    "&tr=udp%3A%2F%2F127.0.0.1%3A$OT_PORT%2Fannounce"
has "$T/send2.err" "tracker udp://$TRK/announce: announced started"
pass_if "2: the sender announced to the tracker over UDP" $? ||
    diag_file "$T/send2.err" "send's stderr"
run "$SHOAL" receive "$BARE" "$T/r3-dst" --state-dir "$T/r3" \
    --listen 127.0.0.1:0 -v
is "2: r3 exits 0" "$RC" 0
is "2: r3 prints complete" "$OUT" complete || show_run
like "2: r3 announced over UDP" "$ERR" \
    "tracker udp://$TRK/announce: announced started"
like "2: the tracker named the sender to r3" "$ERR" \
    "found 127.0.0.1:$SRC_PORT through a tracker"
same_tree "2: r3 has the folder byte-identical" "$S" "$T/r3-dst"

# A tracker that stops answering must not hold up a node that stops: the
# stopped announce gets 2 s. Frozen, opentracker takes the packets but
# never answers.
OT_PROC=$(child "$OT_PID")
kill -STOP "$OT_PROC"
FROZEN=$OT_PROC
t0=$EPOCHREALTIME
stop "$SPID"
rc=$?
took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
kill -CONT "$OT_PROC"
FROZEN=
is "2: the sender exits 0 on SIGTERM with the tracker frozen" "$rc" 0
awk -v t="$took" 'BEGIN { exit !(t < 5) }'
pass_if "2: and within 5 s ($took s)" $?
has "$T/send2.err" "tracker udp://$TRK/announce: no answer to the stopped announce within 2 s"
pass_if "2: it logged that the tracker did not answer" $? ||
    diag_file "$T/send2.err" "send's stderr"
start_send "$T/send3" "$S" --listen 127.0.0.1:0 --allow "$ID_r4" \
    --state-dir "$T/src" -v

# ==== 3. a tracker that refuses, one that is not there ====
# A second opentracker whose whitelist lacks the hash answers with a
# failure reason; nothing listens on DEAD. r4 gets the sender's whole
# link (with its address) and must finish through it, logging both.
start_tracker refusing ""
BAD=http://127.0.0.1:$OT_PORT/announce
DEAD=udp://127.0.0.1:$(free_port)/announce
run "$SHOAL" receive "$LINK" "$T/r4-dst" --state-dir "$T/r4" \
    --listen 127.0.0.1:0 --tracker "$BAD" --tracker "$DEAD" -v
is "3: r4 exits 0 despite the trackers" "$RC" 0
is "3: r4 prints complete" "$OUT" complete || show_run
like "3: the refusal is logged with the tracker's URL and reason" "$ERR" \
    "share: tracker $BAD: the tracker refused the announce: \"Requested download is not authorized for use with this tracker.\"; trying again in 15 s"
printf '%s\n' "$ERR" | grep -Eq "share: tracker $DEAD: cannot (read from|send to) the tracker: connection refused; trying again in 15 s"
pass_if "3: the tracker that is not there is logged with its URL" $? ||
    diag "$ERR"
same_tree "3: r4 has the folder byte-identical" "$S" "$T/r4-dst"

# ==== 4. bad --tracker options ====
run "$SHOAL" receive "$BARE" "$T/r5-dst" --state-dir "$T/r5" \
    --tracker https://tracker.example/announce
is "4: an https tracker is refused (exit 2)" "$RC" 2
like "4: and says so" "$ERR" \
    'bad tracker: https:// trackers are not supported yet ("https://tracker.example/announce"); use an http:// or udp:// tracker'
run "$SHOAL" receive "$BARE" "$T/r5-dst" --state-dir "$T/r5" \
    --tracker udp://tracker.example/announce
is "4: a udp tracker without a port is refused (exit 2)" "$RC" 2
like "4: and says so" "$ERR" 'names no port'

stop "$SPID"
is "3: the sender exits 0 on SIGTERM" $? 0
done_testing
