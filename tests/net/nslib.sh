# shellcheck shell=bash
#
# Network namespaces for tests and benchmarks: N hosts, each in a
# namespace of its own with one interface (eth0) whose uplink (egress) is
# shaped with tc tbf, joined by a bridge in a core namespace; optionally
# "offices", groups of hosts on a LAN of their own behind one shaped link
# (an office router namespace), so that the bytes crossing each office's
# link can be counted. Everything is torn down when the script ends,
# however it ends: the processes started here by their PIDs, then any
# process left in one of the namespaces (they are this script's alone),
# then the namespaces. Needs root, iproute2 and tc (sch_tbf). Stands on
# its own (bash only); tests may source it after tests/net/netlib.sh,
# benchmarks directly:
#
#	. "$SRCDIR/tests/net/nslib.sh"
#	ns_init swarm                 # names start with swarm-$$-
#	ns_office east 100            # an office behind a 100 Mbit/s link
#	ns_host src 100               # a host on the core LAN, 100 Mbit/s up
#	ns_host r1 100 east           # a host in office east
#	ns_spawn r1 "$dir/r1" 60 some-command --listen "${NS_ADDR[r1]}:7420"
#	ns_sent src                   # bytes src's uplink has sent
#	ns_office_in east             # bytes that went into office east
#
# Addresses: the core LAN is 10.99.0.0/24 (its hosts 10.99.0.1 up, the
# core router 10.99.0.254, office routers 10.99.0.201 up); office K's LAN
# is 10.99.K.0/24 (its router 10.99.K.1, its hosts 10.99.K.2 up). Each
# run's namespaces are its own, so parallel runs never collide.
#
# No netem here: on kernels without sch_netem (this one) there is no
# added delay; ns_has_netem says whether there could be.

# The names of this run's namespaces start with NS_TAG; NS_CORE holds the
# bridge. NS_NAME[HOST] is a host's namespace, NS_ADDR[HOST] its address.
NS_TAG=
NS_CORE=
declare -A NS_NAME NS_ADDR NS_OFFICE_NUM NS_OFFICE_HOSTS
NS_ALL=
NS_PIDS=
_ns_hosts=0
_ns_offices=0
_ns_prev_exit=

# ns_init TAG: make the core namespace and its bridge, and arrange the
# teardown at exit (run before the EXIT trap that was set, if any).
ns_init() {
	NS_TAG="$1-$$"
	NS_CORE="$NS_TAG-core"
	_ns_prev_exit=$(trap -p EXIT | sed "s/^trap -- //; s/ EXIT\$//")
	[ -n "$_ns_prev_exit" ] && eval "_ns_prev_exit=$_ns_prev_exit"
	trap _ns_on_exit EXIT
	[ -n "$(trap -p INT)" ] || trap 'exit 130' INT TERM HUP
	_ns_add "$NS_CORE" || return 1
	ip -n "$NS_CORE" link add br0 type bridge &&
	    ip -n "$NS_CORE" addr add 10.99.0.254/24 dev br0 &&
	    ip -n "$NS_CORE" link set br0 up &&
	    _ns_router "$NS_CORE"
}

# ns_office NAME MBIT: an office router namespace with the office's LAN
# bridge (lan) and its link to the core (wan), shaped to MBIT Mbit/s in
# both directions: the router's egress on wan (out of the office) and the
# core's egress towards it (into the office). Offices come before the
# hosts in them.
ns_office() {
	local name=$1 mbit=$2 k ns
	_ns_offices=$((_ns_offices + 1))
	k=$_ns_offices
	ns="$NS_TAG-o$k"
	_ns_add "$ns" || return 1
	NS_NAME[$name]=$ns
	NS_OFFICE_NUM[$name]=$k
	NS_ADDR[$name]=10.99.0.$((200 + k))
	ip -n "$NS_CORE" link add "w$k" type veth peer name wan netns "$ns" &&
	    ip -n "$NS_CORE" link set "w$k" master br0 up &&
	    ip -n "$ns" link add lan type bridge &&
	    ip -n "$ns" addr add "10.99.$k.1/24" dev lan &&
	    ip -n "$ns" link set lan up &&
	    ip -n "$ns" addr add "${NS_ADDR[$name]}/24" dev wan &&
	    ip -n "$ns" link set wan up &&
	    ip -n "$ns" route add default via 10.99.0.254 &&
	    _ns_router "$ns" &&
	    ip -n "$NS_CORE" route add "10.99.$k.0/24" via "${NS_ADDR[$name]}" &&
	    _ns_shape "$ns" wan "$mbit" &&
	    _ns_shape "$NS_CORE" "w$k" "$mbit"
}

# ns_host NAME MBIT [OFFICE [DOWN_MBIT]]: a host namespace with eth0, its
# egress shaped to MBIT Mbit/s (0: not shaped), on the core LAN or in
# OFFICE ("" for the core LAN); with DOWN_MBIT, what it receives is
# shaped too (on the switch port's egress).
ns_host() {
	local name=$1 mbit=$2 office=${3:-} down=${4:-0} i ns sw br gw addr k
	_ns_hosts=$((_ns_hosts + 1))
	i=$_ns_hosts
	ns="$NS_TAG-h$i"
	_ns_add "$ns" || return 1
	if [ -n "$office" ]; then
		k=${NS_OFFICE_NUM[$office]:?no such office}
		sw=${NS_NAME[$office]}
		br=lan
		gw=10.99.$k.1
		NS_OFFICE_HOSTS[$office]=$((${NS_OFFICE_HOSTS[$office]:-0} + 1))
		addr=10.99.$k.$((NS_OFFICE_HOSTS[$office] + 1))
	else
		sw=$NS_CORE
		br=br0
		gw=10.99.0.254
		addr=10.99.0.$i
	fi
	NS_NAME[$name]=$ns
	NS_ADDR[$name]=$addr
	ip -n "$sw" link add "p$i" type veth peer name eth0 netns "$ns" &&
	    ip -n "$sw" link set "p$i" master "$br" up &&
	    ip -n "$ns" addr add "$addr/24" dev eth0 &&
	    ip -n "$ns" link set eth0 up &&
	    ip -n "$ns" route add default via "$gw" &&
	    _ns_shape "$ns" eth0 "$mbit" &&
	    _ns_shape "$sw" "p$i" "$down"
}

# ns_exec HOST CMD...: run CMD in HOST's namespace.
ns_exec() {
	local ns=${NS_NAME[$1]:?no such host}
	shift
	ip netns exec "$ns" "$@"
}

# ns_spawn HOST OUT SECONDS CMD...: start CMD in HOST's namespace in the
# background under a time bound of SECONDS, stdout in OUT.out, stderr in
# OUT.err, stdin /dev/null. Its PID (timeout's) goes on NS_PIDS and into
# NS_PID.
ns_spawn() {
	local ns=${NS_NAME[$1]:?no such host} out=$2 secs=$3
	shift 3
	timeout -k 5 "$secs" ip netns exec "$ns" "$@" >"$out.out" \
	    2>"$out.err" </dev/null &
	NS_PID=$!
	NS_PIDS="$NS_PIDS $NS_PID"
}

# ns_stop PID: SIGTERM, up to 10 s to go, then SIGKILL; reap it, take it
# off NS_PIDS. Its exit status.
ns_stop() {
	local end=$((SECONDS + 10))
	kill -TERM "$1" 2>/dev/null
	while kill -0 "$1" 2>/dev/null &&
	    [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]; do
		if [ "$SECONDS" -ge "$end" ]; then
			kill -KILL "$1" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	# shellcheck disable=SC2086
	NS_PIDS=$(printf '%s\n' $NS_PIDS | grep -vx "$1")
	wait "$1" 2>/dev/null
}

# ns_stop_all: stop every process started with ns_spawn still listed,
# then kill (by PID) whatever is left inside this run's namespaces.
ns_stop_all() {
	local p ns
	for p in $NS_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $NS_PIDS; do
		ns_stop "$p"
	done
	for ns in $NS_ALL; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
}

# ns_wait_for SECONDS CMD...: run CMD every 50 ms until it succeeds (0)
# or SECONDS have passed (1).
ns_wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

# ns_sent HOST: bytes HOST's uplink has sent, as its tbf qdisc counts them
# (what went on the wire: every packet's headers included).
ns_sent() {
	_ns_qbytes "${NS_NAME[$1]:?no such host}" eth0
}

# ns_office_in OFFICE / ns_office_out OFFICE: bytes that have gone into /
# out of OFFICE over its link, headers included.
ns_office_in() {
	_ns_qbytes "$NS_CORE" "w${NS_OFFICE_NUM[$1]:?no such office}"
}
ns_office_out() {
	_ns_qbytes "${NS_NAME[$1]:?no such office}" wan
}

# ns_cpu_mark FILE: note the CPU time of every process now in this run's
# namespaces, for ns_cpu_since.
ns_cpu_mark() {
	_ns_cpu >"$1"
}

# ns_cpu_since FILE: CPU seconds (user + system, the children each has
# reaped included) the processes now in this run's namespaces have used
# since ns_cpu_mark FILE; those that were not there then, since they
# started. Processes that have ended since are not counted.
ns_cpu_since() {
	_ns_cpu | awk -v h="$(getconf CLK_TCK)" -v mark="$1" '
	    BEGIN { while ((getline l < mark) > 0) {
		split(l, a, " "); was[a[1]] = a[2] } }
	    { t += $2 - was[$1] }
	    END { printf "%.1f\n", t / h }'
}

# ns_has_netem: tc can add delay (sch_netem) here.
ns_has_netem() {
	local r=1
	_ns_add "$NS_TAG-netem" || return 1
	tc -n "$NS_TAG-netem" qdisc add dev lo root netem delay 1ms \
	    2>/dev/null && r=0
	ip netns del "$NS_TAG-netem"
	# shellcheck disable=SC2086
	NS_ALL=$(printf '%s\n' $NS_ALL | grep -vx "$NS_TAG-netem")
	return $r
}

# ns_teardown: stop the processes, delete the namespaces.
ns_teardown() {
	local ns
	ns_stop_all
	for ns in $NS_ALL; do
		ip netns del "$ns" 2>/dev/null
	done
	NS_ALL=
}

_ns_on_exit() {
	ns_teardown
	[ -z "$_ns_prev_exit" ] || eval "$_ns_prev_exit"
}

_ns_add() {
	ip netns add "$1" || return 1
	NS_ALL="$NS_ALL $1"
	ip -n "$1" link set lo up
}

# A namespace that routes: forwarding on, no ICMP redirects (the core
# routes between the core LAN and the offices over one bridge).
_ns_router() {
	# shellcheck disable=SC2016
	ip netns exec "$1" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward &&
	    for f in /proc/sys/net/ipv4/conf/*/send_redirects; do
		echo 0 > "$f"; done'
}

# _ns_shape NS DEV MBIT: DEV's egress at MBIT Mbit/s (0: left alone). A
# burst of 10 ms at the rate (at least 128 KiB, more than one GSO
# packet) and a queue of 50 ms.
_ns_shape() {
	local burst
	[ "$3" = 0 ] && return 0
	burst=$(awk -v m="$3" 'BEGIN { b = m * 1e6 / 8 / 100;
	    printf "%d", b < 131072 ? 131072 : b }')
	tc -n "$1" qdisc replace dev "$2" root tbf rate "${3}mbit" \
	    burst "$burst" latency 50ms
}

# _ns_qbytes NS DEV: the bytes DEV's root qdisc has sent.
_ns_qbytes() {
	tc -n "$1" -s qdisc show dev "$2" |
	    awk '/^ *Sent / { print $2; exit }'
}

_ns_cpu() {
	local ns p line
	for ns in $NS_ALL; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			read -r line 2>/dev/null <"/proc/$p/stat" &&
			    printf '%s %s\n' "$p" "$line"
		done
	done |
	# After the command's name (in parentheses), utime is the 12th field.
	awk '{ p = $1; sub(/.*\) /, ""); print p, $12 + $13 + $14 + $15 }'
}
