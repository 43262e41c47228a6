# shellcheck shell=bash
#
# Shared plumbing of the network tests: a home folder of their own, the
# processes they start (each stopped by its PID however the script ends),
# bounded polling, starting "shoal send" and reading its link, making
# nodes and comparing folders. Source it right after tests/lib.sh:
#
#	. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
#	. "$SRCDIR/tests/net/netlib.sh"

# No test may touch the real home folder.
HOME=$T/home
export HOME
unset XDG_STATE_HOME XDG_CONFIG_HOME

# ---- processes ----
# Every process the script starts goes into PIDS and is stopped by its PID
# when the script ends, however it ends.
PIDS=

# A process the script stopped with SIGSTOP, if any: it ignores SIGTERM
# until continued, so the cleanup continues it first.
FROZEN=

# alive PID: the process is running (not gone, not a zombie).
alive() {
	local s
	s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $s in
	Z*) return 1 ;;
	esac
	return 0
}

# gone PID: the process has ended.
gone() {
	! alive "$1"
}

# forget PID: take PID off the list (it has ended and been reaped).
forget() {
	# shellcheck disable=SC2086
	PIDS=$(printf '%s\n' $PIDS | grep -vx "$1")
}

# stop PID: SIGTERM, up to 10 s to go, then SIGKILL; reaps it and
# returns its exit status. It is forgotten: the cleanup leaves it alone.
stop() {
	kill -TERM "$1" 2>/dev/null
	wait_for 10 gone "$1" || kill -KILL "$1" 2>/dev/null
	forget "$1"
	wait "$1" 2>/dev/null
}

# reap PID: wait for PID to end (its timeout bounds it), reap it and
# forget it; returns its exit status. Waiting at once, rather than polling
# first, also keeps bash from reporting a process killed by a signal
# ("Killed") on stderr.
reap() {
	local rc
	wait "$1" 2>/dev/null
	rc=$?
	forget "$1"
	return $rc
}

net_cleanup() {
	local p
	[ -n "$FROZEN" ] && kill -CONT "$FROZEN" 2>/dev/null
	for p in $PIDS; do
		stop "$p"
	done
	_lib_cleanup
}
trap net_cleanup EXIT

# wait_for SECONDS CMD...: run CMD every 50 ms until it succeeds (0) or
# SECONDS have passed (1).
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

# spawn OUT SECONDS CMD...: start CMD in the background under a time
# bound of SECONDS, its stdout in OUT.out and stderr in OUT.err, stdin
# /dev/null. Its PID (timeout's) goes on the list and into BGPID.
spawn() {
	local out=$1 secs=$2
	shift 2
	timeout -k 5 "$secs" "$@" >"$out.out" 2>"$out.err" </dev/null &
	BGPID=$!
	PIDS="$PIDS $BGPID"
}

# child_of PID: PID has a child process (timeout's: the command it runs).
child_of() {
	pgrep -P "$1" >/dev/null
}

# child PID: the PID of PID's child (timeout's: the command itself, the
# one to signal when timeout must not pass the signal on), waiting up to
# 10 s for it to be there; empty if it never is.
child() {
	wait_for 10 child_of "$1"
	pgrep -P "$1"
}

# ---- files the processes write ----
# has_line FILE: FILE holds at least one whole line.
has_line() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge 1 ]
}

# line_or_gone FILE PID: FILE has a line, or PID has ended.
line_or_gone() {
	has_line "$1" || ! alive "$2"
}

# more_lines FILE N: FILE has at least N lines.
more_lines() {
	[ "$(wc -l <"$1")" -ge "$2" ]
}

# has FILE REGEX: FILE has a line matching REGEX (grep -E).
has() {
	grep -Eq "$2" "$1" 2>/dev/null
}

# has_or_gone FILE REGEX PID: FILE has such a line, or PID has ended.
has_or_gone() {
	has "$1" "$2" || ! alive "$3"
}

# link_or_gone FILE PID: FILE has a magnet link, or PID has ended.
link_or_gone() {
	has "$1" '^magnet:' || ! alive "$2"
}

# last_json FILE KEY: KEY of the last whole JSON object in FILE (0 if none).
last_json() {
	"$PY" - "$1" "$2" <<'PYEOF'
import json, sys
v = 0
for line in open(sys.argv[1]):
    try:
        d = json.loads(line)
    except ValueError:
        continue
    if isinstance(d, dict):
        v = d.get(sys.argv[2], v)
print(v)
PYEOF
}

# ---- nodes ----
# init_node TAG [NAME]: "shoal init" a node in $T/TAG, its config in
# $T/TAG/shoal.conf, named NAME (TAG if not given), as a test point; sets
# ID_TAG to its node ID.
init_node() {
	run "$SHOAL" init --state-dir "$T/$1" --name "${2:-$1}" \
	    -c "$T/$1/shoal.conf"
	status_is "init ${2:-$1}" 0
	eval "ID_$1=\$OUT"
}

# start_send OUT ARGS...: start "shoal send ARGS" in the background (for
# up to 300 s), its stdout in OUT.out and stderr in OUT.err, and wait up
# to 60 s for its link (the first line, or with --json the line that is
# a magnet). Sets SPID (timeout's PID) and LINK (empty if none came).
start_send() {
	local out=$1
	shift
	spawn "$out" 300 "$SHOAL" send "$@"
	SPID=$BGPID
	wait_for 60 link_or_gone "$out.out" "$SPID"
	# shellcheck disable=SC2034
	LINK=$(grep -m 1 '^magnet:' "$out.out" 2>/dev/null)
}

# link_port LINK: the port of the link's 127.0.0.1 address.
link_port() {
	printf '%s\n' "$1" | sed -n 's/.*x\.pe=127\.0\.0\.1:\([0-9]*\).*/\1/p'
}

# ---- folders ----
# folder_size DIR: the bytes of every file under DIR, added up.
folder_size() {
	(cd "$1" && find . -type f -printf '%s\n' | awk '{ n += $1 } END { print n }')
}

# sums DIR: a sha256sum line for every file under DIR, sorted by path,
# DIR/.shoal left out.
sums() {
	(cd "$1" 2>/dev/null && find . -path ./.shoal -prune -o -type f -print0 |
	    sort -z | xargs -0 -r sha256sum)
}

# same_listing DESC WANT GOT: a test point that the files WANT and GOT
# are the same; the first differences if not.
same_listing() {
	if cmp -s "$2" "$3"; then
		ok "$1"
		return 0
	fi
	not_ok "$1"
	diag "differences (< sent, > received):"
	diff "$2" "$3" | grep '^[<>]' | head -n 20 | sed 's/^/#   /'
	return 1
}

# same_tree DESC SRC DST: a test point that every file under SRC is under
# DST with the same path and SHA-256, and DST has no other (DST/.shoal
# left out).
same_tree() {
	sums "$2" >"$T/same-tree.want"
	sums "$3" >"$T/same-tree.got"
	same_listing "$1" "$T/same-tree.want" "$T/same-tree.got"
}
