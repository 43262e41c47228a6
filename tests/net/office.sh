#!/bin/bash
# Two offices, each behind one shaped link (tc tbf, 40 Mbit/s each way),
# with four receivers inside, and a source on the head office's LAN: every
# receiver ends byte-identical, and the bytes that cross each office's
# link (headers included, as its qdisc counts them) stay below 1.3 times
# the folder: each piece enters an office about once and is passed on
# inside it. Office east knows its LAN by subnet (--local-subnet), office
# west by name (--site). Runs in network namespaces the test makes
# (tests/net/nslib.sh); nothing leaves them.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"

# shellcheck disable=SC2034
TEST_TIMEOUT=120

if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	not_ok "ip netns needs root here (CI runs as root)"
	done_testing
fi
. "$SRCDIR/tests/net/nslib.sh"

MBIT=40
ns_init shoal-office || bail "cannot make the namespaces"
ns_office east $MBIT && ns_office west $MBIT && ns_host src $MBIT ||
    bail "cannot make the offices"
EAST=(e1 e2 e3 e4)
WEST=(w1 w2 w3 w4)
for n in "${EAST[@]}"; do
	ns_host "$n" 100 east || bail "cannot make host $n"
done
for n in "${WEST[@]}"; do
	ns_host "$n" 100 west || bail "cannot make host $n"
done
ok "two offices of four hosts behind ${MBIT} Mbit/s links, and a source"

init_node src source
for n in "${EAST[@]}" "${WEST[@]}"; do
	init_node "$n"
done
allow=()
for n in "${EAST[@]}" "${WEST[@]}"; do
	eval "allow+=(--allow \"\$ID_$n\")"
done

# 24 MiB: each office's link needs about 5 s for one copy.
S=$T/share
mkdir -p "$S/sub" || bail "cannot make $S"
{ gen "$S/big.bin" $((20 * 1048576)) && gen "$S/sub/b.bin" 4000000 &&
    gen "$S/sub/c.txt" 777; } || bail "cannot write $S"
SIZE=$(folder_size "$S")
diag "folder of $SIZE bytes"

ns_spawn src "$T/src" 110 "$SHOAL" send "$S" \
    --listen "${NS_ADDR[src]}:7420" "${allow[@]}" --state-dir "$T/src" \
    --json -v
SPID=$NS_PID
# shellcheck disable=SC2317
src_link() {
	grep -q '^magnet:' "$T/src.out" 2>/dev/null
}
ns_wait_for 60 src_link
LINK=$(grep -m 1 '^magnet:' "$T/src.out" 2>/dev/null)
like "the source prints a link to its address" "$LINK" \
    "x.pe=${NS_ADDR[src]}:7420"

declare -A RPID
for n in "${EAST[@]}"; do
	ns_spawn "$n" "$T/$n" 100 "$SHOAL" receive "$LINK" "$T/$n-dst" \
	    --state-dir "$T/$n" --listen "${NS_ADDR[$n]}:7420" --stay --json \
	    -v --local-subnet 10.99.${NS_OFFICE_NUM[east]}.0/24
	RPID[$n]=$NS_PID
done
for n in "${WEST[@]}"; do
	ns_spawn "$n" "$T/$n" 100 "$SHOAL" receive "$LINK" "$T/$n-dst" \
	    --state-dir "$T/$n" --listen "${NS_ADDR[$n]}:7420" --stay --json \
	    -v --site west
	RPID[$n]=$NS_PID
done

# shellcheck disable=SC2317
all_done() {
	local n
	for n in "${EAST[@]}" "${WEST[@]}"; do
		grep -qx complete "$T/$n.out" 2>/dev/null ||
		    ! kill -0 "${RPID[$n]}" 2>/dev/null || return 1
	done
}
t0=$EPOCHREALTIME
ns_wait_for 100 all_done
took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
diag "every receiver done after $took s"
IN_E=$(ns_office_in east)
IN_W=$(ns_office_in west)
SENT=$(ns_sent src)
for n in "${EAST[@]}" "${WEST[@]}"; do
	grep -qx complete "$T/$n.out"
	pass_if "receiver $n prints complete" $? || {
		grep -iv 'connected' "$T/$n.err" | tail -n 10 | sed 's/^/#   /'
	}
	same_tree "receiver $n has the folder byte-identical" "$S" \
	    "$T/$n-dst"
done
re=$(awk -v a="$IN_E" -v f="$SIZE" 'BEGIN { printf "%.3f", a / f }')
rw=$(awk -v a="$IN_W" -v f="$SIZE" 'BEGIN { printf "%.3f", a / f }')
rs=$(awk -v a="$SENT" -v f="$SIZE" 'BEGIN { printf "%.3f", a / f }')
diag "into office east $IN_E bytes (${re}x), into west $IN_W (${rw}x);" \
    "the source sent $SENT (${rs}x), headers included"
awk -v a="$IN_E" -v f="$SIZE" 'BEGIN { exit !(a < 1.3 * f) }'
pass_if "office east's link carried under 1.3x the folder in (${re}x)" $?
awk -v a="$IN_W" -v f="$SIZE" 'BEGIN { exit !(a < 1.3 * f) }'
pass_if "office west's link carried under 1.3x the folder in (${rw}x)" $?
grep -q 'is local$' "$T/e1.err"
pass_if "e1 knows its office peers as local (by subnet)" $?
grep -q 'is local$' "$T/w1.err"
pass_if "w1 knows its office peers as local (by site name)" $?

for n in "${EAST[@]}" "${WEST[@]}"; do
	diag "$n: $(tail -n 1 "$T/$n.out" | grep -o '"downloaded":[0-9]*\|"down_local":[0-9]*\|"down_remote":[0-9]*' | tr '\n' ' ')"
	ns_stop "${RPID[$n]}"
done
ns_stop "$SPID"
done_testing
