#!/bin/bash
# tests/net/nslib.sh, the namespaces the swarm tests and bench/swarm run
# in: a host's shaped uplink holds its rate, an office's link carries (and
# counts) what goes into the office but not what its hosts send each
# other, and a script that is killed leaves no namespace and no process
# behind.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"

need "$PY" python3

# shellcheck disable=SC2034
TEST_TIMEOUT=60

if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	not_ok "ip netns needs root here (CI runs as root)"
	done_testing
fi
. "$SRCDIR/tests/net/nslib.sh"

# A sender of BYTES to the first who connects, and a receiver that
# prints the bytes it got and the seconds they took.
cat >"$T/pipe.py" <<'EOF'
import socket, sys, time
if sys.argv[1] == "send":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[2], 9000))
    s.listen()
    print("listening", flush=True)
    c, _ = s.accept()
    left, block = int(sys.argv[3]), b"\x5a" * 65536
    while left > 0:
        left -= c.send(block[:min(left, len(block))])
    c.close()
else:
    s = socket.create_connection((sys.argv[2], 9000), timeout=30)
    n, t = 0, time.time()
    while True:
        d = s.recv(1 << 20)
        if not d:
            break
        n += len(d)
    print(n, "%.3f" % (time.time() - t))
EOF

# pipe FROM TO BYTES: send BYTES from host FROM to host TO; sets GOT and
# TOOK (seconds), or fails.
pipe() {
	ns_spawn "$1" "$T/pipe-send" 30 "$PY" "$T/pipe.py" send \
	    "${NS_ADDR[$1]}" "$3"
	local pid=$NS_PID
	wait_for 10 has "$T/pipe-send.out" listening || return 1
	read -r GOT TOOK < <(ns_exec "$2" timeout 30 "$PY" "$T/pipe.py" get \
	    "${NS_ADDR[$1]}")
	ns_stop "$pid"
	[ -n "$GOT" ]
}

ns_init shoal-ns
is "the core namespace and its bridge" $? 0
ns_office east 16
is "an office behind a 16 Mbit/s link" $? 0
ns_host src 24 && ns_host a 0 && ns_host e1 0 east && ns_host e2 8 east
is "hosts on the core LAN and in the office" $? 0
like "names carry the PID" "${NS_NAME[src]}" "shoal-ns-$$-h"
is "the office's hosts are on its subnet" "${NS_ADDR[e1]} ${NS_ADDR[e2]}" \
    "10.99.1.2 10.99.1.3"

# 1. The source's uplink: 24 Mbit/s, 3 MB/s on the wire; 6 MB take about
# 2 s. The payload rate is a little lower (headers).
MB=1000000
pipe src a $((6 * MB))
is "src sends 6 MB to a" "$GOT" $((6 * MB))
rate=$(awk -v b="$GOT" -v t="$TOOK" 'BEGIN { printf "%.2f", b * 8 / t / 1e6 }')
awk -v r="$rate" 'BEGIN { exit !(r >= 24 * 0.85 && r <= 24 * 1.05) }'
pass_if "src's uplink holds 24 Mbit/s ($rate Mbit/s of payload)" $?
sent=$(ns_sent src)
awk -v s="$sent" -v b="$GOT" 'BEGIN { exit !(s >= b && s < b * 1.1) }'
pass_if "ns_sent counts what src sent, headers included ($sent bytes)" $?

# 2. Into the office: its link (16 Mbit/s) is the narrower, and counts it.
in0=$(ns_office_in east)
pipe src e1 $((4 * MB))
is "src sends 4 MB to e1 in the office" "$GOT" $((4 * MB))
rate=$(awk -v b="$GOT" -v t="$TOOK" 'BEGIN { printf "%.2f", b * 8 / t / 1e6 }')
awk -v r="$rate" 'BEGIN { exit !(r >= 16 * 0.85 && r <= 16 * 1.05) }'
pass_if "the office's link holds 16 Mbit/s ($rate Mbit/s of payload)" $?
into=$(($(ns_office_in east) - in0))
awk -v s="$into" -v b="$GOT" 'BEGIN { exit !(s >= b && s < b * 1.1) }'
pass_if "ns_office_in counts it ($into bytes)" $?

# 3. Inside the office: e2's uplink (8 Mbit/s), and nothing on the link.
in0=$(ns_office_in east)
out0=$(ns_office_out east)
pipe e2 e1 $((2 * MB))
is "e2 sends 2 MB to e1" "$GOT" $((2 * MB))
rate=$(awk -v b="$GOT" -v t="$TOOK" 'BEGIN { printf "%.2f", b * 8 / t / 1e6 }')
awk -v r="$rate" 'BEGIN { exit !(r >= 8 * 0.85 && r <= 8 * 1.05) }'
pass_if "e2's uplink holds 8 Mbit/s ($rate Mbit/s of payload)" $?
wan=$(($(ns_office_in east) - in0 + $(ns_office_out east) - out0))
[ "$wan" -lt 10000 ]
pass_if "traffic inside the office stays off its link ($wan bytes)" $?

# 4. A script killed with SIGTERM, and one that fails, tear down their
# namespaces and processes.
cat >"$T/child.sh" <<EOF
. "$SRCDIR/tests/net/nslib.sh"
ns_init shoal-nskill || exit 1
ns_host h 10 || exit 1
ns_spawn h "$T/child-sleep" 60 sleep 50
echo "\${NS_NAME[h]} \$NS_PID" >"$T/child.info"
[ "\$1" = fail ] && exit 3
sleep 50 &
wait \$!
EOF
spawn "$T/child" 30 bash "$T/child.sh" wait
CHILD=$BGPID
wait_for 20 has_line "$T/child.info"
read -r cns cpid <"$T/child.info"
like "the child made its namespace" "$(ip netns list)" "$cns" ||
    diag_file "$T/child.err" "its stderr"
child_bash=$(child "$CHILD")
kill -TERM "$child_bash"
reap "$CHILD"
unlike "killed, it deleted its namespace" "$(ip netns list)" "$cns"
gone "$cpid"
pass_if "and stopped its process" $?
rm -f "$T/child.info"
run timeout 30 bash "$T/child.sh" fail
is "a child that fails exits with its own status" "$RC" 3
read -r cns cpid <"$T/child.info"
unlike "and deletes its namespace" "$(ip netns list)" "$cns"

ns_teardown
unlike "ns_teardown deletes every namespace" "$(ip netns list)" "shoal-ns-$$"
done_testing
