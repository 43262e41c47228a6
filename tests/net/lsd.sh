#!/bin/bash
# BEP 14 local service discovery: inside a network namespace this test
# makes (so the multicast never leaves it), a receiver given a link with
# no peer address (no x.pe) finds the source on the LAN and fetches the
# folder. Without --lsd nothing is announced. Then the same over IPv6,
# between two namespaces joined by a veth pair.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"

need "$PY" python3

# shellcheck disable=SC2034
TEST_TIMEOUT=60

if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	not_ok "ip netns needs root here (CI runs as root)"
	done_testing
fi
NS=shoal-lsd-$$
lsd_cleanup() {
	net_cleanup
	ip netns del "$NS" 2>/dev/null
}
trap lsd_cleanup EXIT
ip netns add "$NS" && ip -n "$NS" link set lo up &&
    ip -n "$NS" link set lo multicast on &&
    ip -n "$NS" route add 239.0.0.0/8 dev lo
is "a namespace with multicast on its loopback" "$?" 0

S=$T/share
mkdir -p "$S/sub"
gen "$S/a.bin" 300000
gen "$S/sub/b.txt" 5000

init_node src
init_node rcv
# The sender runs inside the namespace (start_send runs it outside).
# shellcheck disable=SC2154
spawn "$T/send" 60 ip netns exec "$NS" "$SHOAL" send "$S" \
    --listen 127.0.0.1:0 --allow "$ID_rcv" --state-dir "$T/src" --lsd -v
SPID=$BGPID
wait_for 30 link_or_gone "$T/send.out" "$SPID"
LINK=$(grep -m 1 '^magnet:' "$T/send.out" 2>/dev/null)
like "the sender prints a link" "$LINK" 'magnet:?xt=urn:btmh:'
PORT=$(link_port "$LINK")
# The receiver must find the source by LSD alone.
LINK=$(printf '%s\n' "$LINK" | sed 's/&x\.pe=[^&]*//')
unlike "the link names no peer address" "$LINK" 'x.pe='

run timeout 30 ip netns exec "$NS" "$SHOAL" receive "$LINK" "$T/dst" \
    --state-dir "$T/rcv" --listen 127.0.0.1:0 --lsd -v
status_is "receive finds the source on the LAN and completes" 0
like "it says complete" "$OUT" 'complete'
like "its log says it found the source on the LAN" "$ERR" \
    "found 127.0.0.1:$PORT on the local network"
same_tree "the folder arrived identical" "$S" "$T/dst"

# Without --lsd, the same link (no address) finds nobody.
run timeout 5 ip netns exec "$NS" "$SHOAL" receive "$LINK" "$T/dst2" \
    --state-dir "$T/rcv" --listen 127.0.0.1:0 -v
is "without --lsd the receiver finds nobody (timeout)" "$RC" 124
unlike "and it found nothing on the LAN" "$ERR" 'local network'

stop "$SPID"

# ---- IPv6: two namespaces joined by a veth pair ----
# IPv6 multicast does not pass over a loopback device, so the sender and
# the receiver each get a namespace of their own, with fd00::1 and
# fd00::2 on the two ends of a veth pair; the group ff15::efc0:988f goes
# nowhere else.
NSA=shoal-lsd6a-$$
NSB=shoal-lsd6b-$$
lsd6_cleanup() {
	lsd_cleanup
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
}
trap lsd6_cleanup EXIT
ip netns add "$NSA" && ip netns add "$NSB" &&
    ip link add sl6a-$$ netns "$NSA" type veth peer name sl6b-$$ \
    netns "$NSB" &&
    ip -n "$NSA" addr add fd00::1/64 dev sl6a-$$ nodad &&
    ip -n "$NSB" addr add fd00::2/64 dev sl6b-$$ nodad &&
    ip -n "$NSA" link set sl6a-$$ up && ip -n "$NSB" link set sl6b-$$ up &&
    ip -n "$NSA" link set lo up && ip -n "$NSB" link set lo up &&
    ip -n "$NSA" -6 route add default dev sl6a-$$ &&
    ip -n "$NSB" -6 route add default dev sl6b-$$
is "IPv6: two namespaces joined by a veth pair" "$?" 0

spawn "$T/send6" 60 ip netns exec "$NSA" "$SHOAL" send "$S" \
    --listen '[fd00::1]:0' --allow "$ID_rcv" --state-dir "$T/src" --lsd -v
SPID=$BGPID
wait_for 30 link_or_gone "$T/send6.out" "$SPID"
LINK=$(grep -m 1 '^magnet:' "$T/send6.out" 2>/dev/null)
like "IPv6: the sender prints a link" "$LINK" 'magnet:?xt=urn:btmh:'
PORT6=$(grep -m 1 -o 'listening on \[fd00::1\]:[0-9]*' "$T/send6.err" |
    sed 's/.*://')
LINK=$(printf '%s\n' "$LINK" | sed 's/&x\.pe=[^&]*//')
unlike "IPv6: the link names no peer address" "$LINK" 'x.pe='
run timeout 30 ip netns exec "$NSB" "$SHOAL" receive "$LINK" "$T/dst6" \
    --state-dir "$T/rcv" --listen '[fd00::2]:0' --lsd -v
status_is "IPv6: receive finds the source by LSD over IPv6 and completes" 0
like "IPv6: its log says it found the source on the LAN" "$ERR" \
    "found [fd00::1]:${PORT6:-none} on the local network"
same_tree "IPv6: the folder arrived identical" "$S" "$T/dst6"
stop "$SPID"
done_testing
