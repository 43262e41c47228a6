#!/bin/bash
# Locality on loopback: two "offices" of three receivers each, told their
# site with --site, and a source of a third site whose upload is capped.
# Every receiver ends byte-identical, and the bytes that reach each office
# from outside it (the "down_remote" of its three receivers together) stay
# below 1.3x the folder: each piece crosses into an office about once and
# is passed on inside it. Without sites the same swarm pulls about three
# copies into each office, which the second part shows. Then
# --local-subnet, --lan-limits, --peer-upload-limit and --schedule.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"

# shellcheck disable=SC2034
TEST_TIMEOUT=60

# ratio A B: A / B, three decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
}

said_complete() {
	grep -qx complete "$1" 2>/dev/null
}

declare -A RPID

# shellcheck disable=SC2317
all_done() {
	local n
	for n in "$@"; do
		said_complete "$T/$n.out" || gone "${RPID[$n]}" || return 1
	done
	return 0
}

# start_receiver NODE LINK ARGS...: as in swarm.sh.
start_receiver() {
	local n=$1 link=$2
	shift 2
	spawn "$T/$n" "$TEST_TIMEOUT" "$SHOAL" receive "$link" "$T/$n-dst" \
	    --state-dir "$T/$n" --listen 127.0.0.1:0 "$@"
	RPID[$n]=$BGPID
}

# fresh_json FILE: wait for two more JSON lines (a snapshot taken now).
fresh_json() {
	local n
	n=$(wc -l <"$1")
	wait_for 5 more_lines "$1" $((n + 2))
}

# send_rate FILE: bytes a second a source sent, by its "uploaded" over
# about two seconds of its JSON lines (FILE), from a fresh line on.
send_rate() {
	local up1 up2 t1 t2
	fresh_json "$1"
	up1=$(last_json "$1" uploaded)
	t1=$EPOCHREALTIME
	fresh_json "$1"
	fresh_json "$1"
	up2=$(last_json "$1" uploaded)
	t2=$EPOCHREALTIME
	awk -v a="$up1" -v b="$up2" -v x="$t1" -v y="$t2" \
	    'BEGIN { printf "%.0f", (b - a) / (y - x) }'
}

# office_in NODE...: bytes the nodes received from peers outside their site.
office_in() {
	local n sum=0 v
	for n in "$@"; do
		fresh_json "$T/$n.out"
		v=$(last_json "$T/$n.out" down_remote)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

init_node src source
A=(a1 a2 a3)
B=(b1 b2 b3)
for n in "${A[@]}" "${B[@]}"; do
	init_node "$n"
done
allow=()
for n in "${A[@]}" "${B[@]}"; do
	eval "allow+=(--allow \"\$ID_$n\")"
done

S=$T/share
mkdir -p "$S/sub" || bail "cannot make $S"
{ gen "$S/big.bin" 12000000 && gen "$S/sub/small.bin" 70000 &&
    gen "$S/sub/tiny" 3; } || bail "cannot write $S"
SIZE=$(folder_size "$S")
diag "folder of $SIZE bytes"

# run_offices TAG SITE_ARGS_A SITE_ARGS_B: the source and six receivers;
# sets IN_A and IN_B (bytes into each office), checks the folders.
run_offices() {
	local tag=$1 sa=$2 sb=$3 n
	start_send "$T/src-$tag" "$S" --listen 127.0.0.1:0 "${allow[@]}" \
	    --state-dir "$T/src" --upload-limit 4M --site hq --json
	local spid=$SPID
	for n in "${A[@]}"; do
		rm -rf "$T/$n-dst"
		# shellcheck disable=SC2086
		start_receiver "$n" "$LINK" --stay --json -v $sa
	done
	for n in "${B[@]}"; do
		rm -rf "$T/$n-dst"
		# shellcheck disable=SC2086
		start_receiver "$n" "$LINK" --stay --json -v $sb
	done
	wait_for 50 all_done "${A[@]}" "${B[@]}"
	for n in "${A[@]}" "${B[@]}"; do
		said_complete "$T/$n.out"
		pass_if "$tag: receiver $n prints complete" $? || {
			grep -iv 'connected' "$T/$n.err" | tail -n 15 |
			    sed 's/^/#   /'
		}
		same_tree "$tag: receiver $n has the folder byte-identical" \
		    "$S" "$T/$n-dst"
	done
	IN_A=$(office_in "${A[@]}")
	IN_B=$(office_in "${B[@]}")
	diag "$tag: into office A $IN_A bytes ($(ratio "$IN_A" "$SIZE")x)," \
	    "into office B $IN_B bytes ($(ratio "$IN_B" "$SIZE")x)"
	for n in "${A[@]}" "${B[@]}"; do
		stop "${RPID[$n]}"
	done
	stop "$spid"
}

# ==== 1. with sites ====
run_offices site "--site office-a" "--site office-b"
ra=$(ratio "$IN_A" "$SIZE") rb=$(ratio "$IN_B" "$SIZE")
awk -v a="$IN_A" -v f="$SIZE" 'BEGIN { exit !(a < 1.3 * f && a >= f) }'
pass_if "site: office A took in under 1.3x the folder (${ra}x)" $?
awk -v a="$IN_B" -v f="$SIZE" 'BEGIN { exit !(a < 1.3 * f && a >= f) }'
pass_if "site: office B took in under 1.3x the folder (${rb}x)" $?
grep -q 'is local$' "$T/a1.err"
pass_if "site: a1 logs its office peers as local" $?
n=$(last_json "$T/a1.out" local_peers)
is "site: a1 counts its two office peers as local" "$n" 2

# ==== 2. without sites: the same swarm, for contrast ====
run_offices nosite "" ""
ra=$(ratio "$IN_A" "$SIZE")
awk -v a="$IN_A" -v f="$SIZE" 'BEGIN { exit !(a > 2 * f) }'
pass_if "nosite: without sites office A takes in over 2x (${ra}x)" $?

# ==== 3. --local-subnet makes peers local by address ====
# Every node is on 127.0.0.0/8 here, so with that subnet all are local:
# nothing counts as remote, and nothing is limited by --upload-limit
# (the LAN is unlimited unless --lan-limits).
start_send "$T/src-sub" "$S" --listen 127.0.0.1:0 "${allow[@]}" \
    --state-dir "$T/src" --upload-limit 100K --local-subnet 127.0.0.0/8 \
    --json
spid=$SPID
rm -rf "$T/a1-dst"
start_receiver a1 "$LINK" --json --local-subnet 127.0.0.0/8
wait_for 20 all_done a1
said_complete "$T/a1.out"
pass_if "subnet: a 12 MB folder passes a 100K upload limit (local peers are unlimited)" $?
same_tree "subnet: a1 has the folder byte-identical" "$S" "$T/a1-dst"
is "subnet: nothing came from outside the site" \
    "$(last_json "$T/a1.out" down_remote)" 0
reap "${RPID[a1]}"
stop "$spid"

# ==== 4. --lan-limits: the limit holds for local peers too ====
start_send "$T/src-lan" "$S" --listen 127.0.0.1:0 "${allow[@]}" \
    --state-dir "$T/src" --upload-limit 1M --local-subnet 127.0.0.0/8 \
    --lan-limits --json
spid=$SPID
rm -rf "$T/a1-dst"
start_receiver a1 "$LINK" --json --local-subnet 127.0.0.0/8
wait_for 5 more_lines "$T/a1.out" 4
rate=$(send_rate "$T/src-lan.out")
diag "lan-limits: the source sent $rate bytes/s to a local peer"
awk -v r="$rate" 'BEGIN { exit !(r < 1.5 * 1048576) }'
pass_if "lan-limits: --lan-limits keeps a local peer under the limit ($rate B/s)" $?
stop "${RPID[a1]}"
stop "$spid"

# ==== 5. --peer-upload-limit caps each peer ====
start_send "$T/src-peer" "$S" --listen 127.0.0.1:0 "${allow[@]}" \
    --state-dir "$T/src" --peer-upload-limit 512K --json
spid=$SPID
rm -rf "$T/a1-dst"
start_receiver a1 "$LINK" --json
wait_for 5 more_lines "$T/a1.out" 4
rate=$(send_rate "$T/src-peer.out")
diag "peer limit: the source sent $rate bytes/s to its one peer"
awk -v r="$rate" 'BEGIN { exit !(r > 256 * 1024 && r < 768 * 1024) }'
pass_if "peer limit: one peer gets about 512K/s ($rate B/s)" $?
stop "${RPID[a1]}"
stop "$spid"

# ==== 6. --site-upload-limit: one bucket for a whole remote site ====
# Two receivers of office A share the source's 512K towards their site:
# the source sends about 512K/s in all, not 512K/s to each.
start_send "$T/src-sl" "$S" --listen 127.0.0.1:0 "${allow[@]}" \
    --state-dir "$T/src" --site hq --site-upload-limit 512K --json -v
spid=$SPID
for n in a1 a2; do
	rm -rf "$T/$n-dst"
	start_receiver "$n" "$LINK" --json --site office-a
done
wait_for 5 more_lines "$T/a2.out" 4
rate=$(send_rate "$T/src-sl.out")
diag "site limit: the source sent $rate bytes/s to office A's two nodes"
awk -v r="$rate" 'BEGIN { exit !(r > 384 * 1024 && r < 640 * 1024) }'
pass_if "site limit: office A gets 512K/s in all ($rate B/s)" $?
grep -q 'site office-a: limited to 524288 bytes/s up' "$T/src-sl.err"
pass_if "site limit: the source logs the site's bucket" $?
for n in a1 a2; do
	stop "${RPID[$n]}"
done
stop "$spid"

# ==== 7. --schedule: a window that holds now sets the limit ====
# One window for every day and hour, so it holds whenever the test runs;
# which window holds at which minute is tests/unit/test-schedule's part.
start_send "$T/src-sched" "$S" --listen 127.0.0.1:0 "${allow[@]}" \
    --state-dir "$T/src" --schedule "daily 00:00-24:00 upload 512K" \
    --json -v
spid=$SPID
grep -q 'limits now: upload 512 KiB/s, download unlimited (schedule: daily 00:00-24:00 upload 512K)' \
    "$T/src-sched.err"
pass_if "schedule: the source logs the window's limits" $? ||
    diag_file "$T/src-sched.err" "send's stderr"
rm -rf "$T/a1-dst"
start_receiver a1 "$LINK" --json
wait_for 5 more_lines "$T/a1.out" 4
rate=$(send_rate "$T/src-sched.out")
diag "schedule: the source sent $rate bytes/s"
awk -v r="$rate" 'BEGIN { exit !(r > 384 * 1024 && r < 640 * 1024) }'
pass_if "schedule: the window's 512K holds ($rate B/s)" $?
stop "${RPID[a1]}"
stop "$spid"

done_testing
