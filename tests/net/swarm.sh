#!/bin/bash
# A swarm: receivers given only the link find each other (the source names
# the members, PEX gives their addresses) and serve each other, so six
# receivers of one rate-limited source all end byte-identical, much sooner
# than the source alone could serve them and with the source sending well
# under twice the folder; a receiver that loses the source mid-transfer
# finishes from the other receivers; and --upload-limit holds its rate.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"

need "$PY" python3

# Each part takes seconds; a stuck receiver must not hold the suite.
# shellcheck disable=SC2034
TEST_TIMEOUT=60

MiB=1048576

# now: the wall clock in seconds, to the microsecond.
now() {
	printf '%s\n' "$EPOCHREALTIME"
}

# since T0: seconds from T0 (a "now") to now, one decimal.
since() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

# ratio A B: A / B, three decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
}

# said_complete FILE: a receiver's stdout FILE has its "complete" line.
said_complete() {
	grep -qx complete "$1" 2>/dev/null
}

# The receivers' PIDs (timeout's), by node.
declare -A RPID

# all_done NODE...: every receiver NODE said complete (in $T/NODE.out) or
# has ended.
# shellcheck disable=SC2317
all_done() {
	local n
	for n in "$@"; do
		said_complete "$T/$n.out" || gone "${RPID[$n]}" || return 1
	done
	return 0
}

# start_receiver NODE LINK ARGS...: "shoal receive LINK $T/NODE-dst" as
# NODE (state in $T/NODE), listening on a port of its own, with ARGS;
# output in $T/NODE.out and $T/NODE.err. Sets RPID[NODE].
start_receiver() {
	local n=$1 link=$2
	shift 2
	spawn "$T/$n" "$TEST_TIMEOUT" "$SHOAL" receive "$link" "$T/$n-dst" \
	    --state-dir "$T/$n" --listen 127.0.0.1:0 "$@"
	RPID[$n]=$BGPID
}

# fresh_json FILE: wait (up to 5 s) for FILE to gain two lines, so that
# its last JSON object is a snapshot taken after this was called.
fresh_json() {
	local n
	n=$(wc -l <"$1")
	wait_for 5 more_lines "$1" $((n + 2))
}

# ---- nodes ----
init_node src source
for n in r1 r2 r3 r4 r5 r6 a b c q; do
	init_node "$n"
done

# ==== 1. six receivers, one source at 2 MiB/s ====
# One file of 8,000,000 bytes and a few small ones. Served by the source
# alone, six copies at 2 MiB/s would take about 23 s.
S1=$T/share1
mkdir -p "$S1/sub" || bail "cannot make $S1"
{ gen "$S1/big.bin" 8000000 && gen "$S1/notes.txt" 1234 &&
    gen "$S1/sub/small.bin" 40000 && gen "$S1/sub/tiny" 1; } ||
    bail "cannot write $S1"
SIZE1=$(folder_size "$S1")
diag "part 1: folder of $SIZE1 bytes"
SIX=(r1 r2 r3 r4 r5 r6)
allow=()
for n in "${SIX[@]}"; do
	eval "allow+=(--allow \"\$ID_$n\")"
done
start_send "$T/src1" "$S1" --listen 127.0.0.1:0 "${allow[@]}" \
    --state-dir "$T/src" --upload-limit 2M --json
SRC1=$SPID
like "1: send prints the link" "$LINK" "magnet:?xt=urn:btmh:1220" ||
    diag_file "$T/src1.err" "send's stderr"
t0=$(now)
for n in "${SIX[@]}"; do
	start_receiver "$n" "$LINK" --stay --json -v
done
wait_for 40 all_done "${SIX[@]}"
took=$(since "$t0")
diag "part 1: every receiver done after $took s"
for n in "${SIX[@]}"; do
	said_complete "$T/$n.out"
	pass_if "1: receiver $n prints complete" $? || {
		alive "${RPID[$n]}" || diag "it has ended"
		grep -v '^{' "$T/$n.out" | head -n 5 | sed 's/^/#   /'
		grep -iv 'connected\|^receiving' "$T/$n.err" | head -n 20 |
		    sed 's/^/#   /'
	}
	same_tree "1: receiver $n has the folder byte-identical" "$S1" \
	    "$T/$n-dst"
done
awk -v t="$took" 'BEGIN { exit !(t < 15) }'
pass_if "1: all six complete in under 15 s (${took} s; the source alone: ~23 s)" $?

# The source's count of bytes sent, from a snapshot taken after every
# receiver completed.
fresh_json "$T/src1.out"
up=$(last_json "$T/src1.out" uploaded)
diag "part 1: the source uploaded $up bytes ($(ratio "$up" "$SIZE1")x the folder)"
for n in "${SIX[@]}"; do
	diag "part 1: receiver $n uploaded $(last_json "$T/$n.out" uploaded)," \
	    "downloaded $(last_json "$T/$n.out" downloaded)"
done
r=$(ratio "$up" "$SIZE1")
[ "$up" -gt 0 ] && [ "$up" -lt $((2 * SIZE1)) ]
pass_if "1: the source sent under 2x the folder (${r}x)" $?
# What came twice (endgame duplicates, cancelled blocks that came anyway)
# over all six: a few blocks, not a tenth of the folder as once.
wasted=0
for n in "${SIX[@]}"; do
	w=$(last_json "$T/$n.out" wasted)
	wasted=$((wasted + ${w:-0}))
done
r=$(ratio "$wasted" "$((6 * SIZE1))")
[ "$wasted" -lt $((6 * SIZE1 / 20)) ]
pass_if "1: the receivers got under 5% of their bytes twice (${r}x)" $?

# --stay keeps serving until SIGTERM, then exits 0.
bad=
for n in "${SIX[@]}"; do
	alive "${RPID[$n]}" || bad="$bad $n(ended)"
	stop "${RPID[$n]}" || bad="$bad $n(exit $?)"
done
is "1: every receiver was still serving and exits 0 on SIGTERM" "$bad" ""
stop "$SRC1"
is "1: send exits 0 on SIGTERM" $? 0

# ==== 2. the source dies mid-transfer ====
# 12 MiB; the source sends 3 MiB/s, A and B 1 MiB/s each. A and B fetch
# the folder first (at least 4 s: every piece comes from the source once)
# and stay. C then fetches from the source alone until PEX from the
# source names A and B (within about a second), from all three after:
# about 3 MiB in its first second. The source is killed once C has
# connected to A or B and holds 5% to 95% of the folder; C must then
# finish from A and B alone (at 2 MiB/s, seconds).
S2=$T/share2
mkdir -p "$S2" || bail "cannot make $S2"
{ gen "$S2/big.bin" $((12 * MiB)) && gen "$S2/readme" 5000; } ||
    bail "cannot write $S2"
SIZE2=$(folder_size "$S2")
diag "part 2: folder of $SIZE2 bytes"
# shellcheck disable=SC2154
start_send "$T/src2" "$S2" --listen 127.0.0.1:0 --allow "$ID_a" \
    --allow "$ID_b" --allow "$ID_c" --state-dir "$T/src" \
    --upload-limit 3M --json -v
SRC2=$SPID
SRC2_SHOAL=$(child "$SRC2")
like "2: send prints the link" "$LINK" "magnet:?xt=urn:btmh:1220" ||
    diag_file "$T/src2.err" "send's stderr"
t0=$(now)
start_receiver a "$LINK" --stay --upload-limit 1M --json -v
start_receiver b "$LINK" --stay --upload-limit 1M --json -v
wait_for 40 all_done a b
diag "part 2: A and B done after $(since "$t0") s"
said_complete "$T/a.out" && said_complete "$T/b.out"
pass_if "2: A and B complete from the source" $? || {
	diag_file "$T/a.err" "A's stderr"
	diag_file "$T/b.err" "B's stderr"
}

# c_moved: where C stands, from its stdout and stderr, in C_STATE:
# "complete" or "ended" (too soon, either), "over" (95% of the folder
# or more), "ready" (connected to a node that is not the source, and 5%
# to 95% of the folder held) or "wait"; fails on "wait". C_HAVE: the
# "have" of its last JSON line.
# shellcheck disable=SC2154
SRC_SHORT=${ID_src:0:7}
# shellcheck disable=SC2317
c_moved() {
	C_HAVE=$(last_json "$T/c.out" have)
	if said_complete "$T/c.out"; then
		C_STATE='complete'
	elif gone "${RPID[c]}"; then
		C_STATE='ended'
	elif [ "$C_HAVE" -ge $((SIZE2 * 95 / 100)) ]; then
		C_STATE='over'
	elif [ "$C_HAVE" -ge $((SIZE2 * 5 / 100)) ] &&
	    grep ': peer 127\.0\.0\.1:[0-9]* node [^ ]* connected' "$T/c.err" |
	    grep -vq " node $SRC_SHORT connected"; then
		C_STATE='ready'
	else
		C_STATE='wait'
		return 1
	fi
	return 0
}
t0=$(now)
start_receiver c "$LINK" --json -v
wait_for 20 c_moved
if [ "$C_STATE" = ready ]; then
	kill -KILL "$SRC2_SHOAL"
	reap "$SRC2"
	src_rc=$?
	diag "part 2: the source killed $(since "$t0") s after C started," \
	    "C holding $C_HAVE of $SIZE2 bytes ($(ratio "$C_HAVE" "$SIZE2")x)" \
	    "by its last JSON line"
	# The first line C prints from now on: a snapshot taken after the
	# source died.
	n=$(wc -l <"$T/c.out")
	wait_for 5 more_lines "$T/c.out" $((n + 1))
	first_after=$(sed -n "$((n + 1))p" "$T/c.out")
fi
if ! is "2: C is mid-transfer and knows another receiver when the source is killed" \
    "$C_STATE" ready; then
	case $C_STATE in
	complete | over)
		diag "C got (nearly) everything before the source could be" \
		    "killed: the source must be slower or the folder larger"
		;;
	ended)
		diag "C ended before the source was killed"
		;;
	wait)
		diag "in 20 s, C never both held 5% and connected to a node" \
		    "other than the source ($SRC_SHORT)"
		;;
	esac
	diag "C holds $C_HAVE of $SIZE2 bytes by its last JSON line"
	diag_file "$T/c.err" "C's stderr"
fi
is "2: the source is dead (SIGKILL)" "${src_rc:-alive}" 137
diag "C's connections:"
grep ': peer .* connected' "$T/c.err" | sed 's/^/#   /'
printf '%s\n' "$first_after" >"$T/c-after.json"
after_have=$(json_get "$T/c-after.json" 'd["have"]' 2>/dev/null)
[ -n "$after_have" ] && [ "$after_have" -lt "$SIZE2" ]
pass_if "2: C still lacked $((SIZE2 - ${after_have:-0})) bytes after the source died" $? ||
    diag "C's first line after the kill: $first_after"
reap "${RPID[c]}"
rc=$?
is "2: C exits 0 without the source" "$rc" 0 || diag_file "$T/c.err" "C's stderr"
is "2: C prints complete" "$(tail -n 1 "$T/c.out")" complete
diag "part 2: C done $(since "$t0") s after it started"
same_tree "2: C has the folder byte-identical" "$S2" "$T/c-dst"
stop "${RPID[a]}"
is "2: A exits 0 on SIGTERM" $? 0
stop "${RPID[b]}"
is "2: B exits 0 on SIGTERM" $? 0

# ==== 3. --upload-limit 1M holds over 20 s ====
# 30 MiB at 1 MiB/s: 30 s to send, so the transfer is still going when
# the window below ends; it is stopped then, not finished.
S3=$T/share3
mkdir -p "$S3" || bail "cannot make $S3"
gen "$S3/big.bin" $((30 * MiB)) || bail "cannot write $S3"
# shellcheck disable=SC2154
start_send "$T/src3" "$S3" --listen 127.0.0.1:0 --allow "$ID_q" \
    --state-dir "$T/src" --upload-limit 1M --json
SRC3=$SPID
like "3: send prints the link" "$LINK" "magnet:?xt=urn:btmh:1220" ||
    diag_file "$T/src3.err" "send's stderr"
start_receiver q "$LINK" --json

# sent_some: the source's last JSON line counts bytes sent.
# shellcheck disable=SC2317
sent_some() {
	[ "$(last_json "$T/src3.out" uploaded)" -gt 0 ]
}

# reading: wait (up to 3 s) for the source's next JSON line; sets AT
# (when it came, within the 50 ms of polling), UP (its "uploaded") and
# GOT (the receiver's last "downloaded", up to a second old).
reading() {
	local n
	n=$(wc -l <"$T/src3.out")
	wait_for 3 more_lines "$T/src3.out" $((n + 1)) || return 1
	AT=$(now)
	sed -n "$((n + 1))p" "$T/src3.out" >"$T/reading.json"
	UP=$(json_get "$T/reading.json" 'd["uploaded"]')
	GOT=$(last_json "$T/q.out" downloaded)
}

wait_for 20 sent_some
pass_if "3: the source starts sending" $? || diag_file "$T/q.err" "stderr"
# These sleeps measure a rate, they wait for no event: the first 2 s
# (the limiter's start and the request queue filling) are left out, then
# two readings 20 s apart.
sleep 2
reading || bail "part 3: no JSON line from the source in 3 s"
at1=$AT up1=$UP got1=$GOT
sleep 20
reading || bail "part 3: no JSON line from the source in 3 s"
at2=$AT up2=$UP got2=$GOT
rate=$(awk -v u="$((up2 - up1))" -v t1="$at1" -v t2="$at2" \
    'BEGIN { printf "%.0f", u / (t2 - t1) }')
rrate=$(awk -v u="$((got2 - got1))" -v t1="$at1" -v t2="$at2" \
    'BEGIN { printf "%.0f", u / (t2 - t1) }')
diag "part 3: the source sent $((up2 - up1)) bytes in" \
    "$(awk -v a="$at1" -v b="$at2" 'BEGIN { printf "%.2f", b - a }') s:" \
    "$rate B/s ($(ratio "$rate" "$MiB") MiB/s); the receiver got" \
    "$rrate B/s ($(ratio "$rrate" "$MiB") MiB/s) by its own lines"
r=$(ratio "$rate" "$MiB")
awk -v r="$rate" -v m="$MiB" 'BEGIN { exit !(r >= 0.9 * m && r <= 1.1 * m) }'
pass_if "3: --upload-limit 1M: the source sends 1 MiB/s within 10% over 20 s (${r})" $?
[ "$(last_json "$T/q.out" have)" -lt "$(last_json "$T/q.out" size)" ]
pass_if "3: the receiver is still receiving (the window was all transfer)" $?
stop "${RPID[q]}"
stop "$SRC3"
is "3: send exits 0 on SIGTERM" $? 0

done_testing
