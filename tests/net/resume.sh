#!/bin/bash
# shoal receive resumes: a receiver killed with SIGKILL at several points
# of a transfer and started again keeps every piece it had verified, ends
# with a byte-identical folder, and fetches the folder about once in all.
#
# There is no rate limit yet and loopback is fast, so the kill points are
# found by watching the data land under the destination every 2 ms, and
# the points actually reached are reported.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

need "$PY" python3

# A run of the whole folder takes seconds; a stuck one must not hold the
# suite.
# shellcheck disable=SC2034
TEST_TIMEOUT=90

# No test may touch the real home folder.
HOME=$T/home
export HOME
unset XDG_STATE_HOME XDG_CONFIG_HOME

# ---- processes ----
# Every process the script starts goes into PIDS and is stopped by its PID
# when the script ends, however it ends.
PIDS=

# alive PID: the process is running (not gone, not a zombie).
alive() {
	local s
	s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $s in
	Z*) return 1 ;;
	esac
	return 0
}

# stop PID: SIGTERM, up to 10 s to go, then SIGKILL; reaps it and
# returns its exit status. It is forgotten: the cleanup leaves it alone.
stop() {
	kill -TERM "$1" 2>/dev/null
	wait_for 10 gone "$1" || kill -KILL "$1" 2>/dev/null
	forget "$1"
	wait "$1" 2>/dev/null
}

# forget PID: take PID off the list (it has ended and been reaped).
forget() {
	# shellcheck disable=SC2086
	PIDS=$(printf '%s\n' $PIDS | grep -vx "$1")
}

# gone PID: the process has ended.
gone() {
	! alive "$1"
}

net_cleanup() {
	local p
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

# has_line FILE: FILE holds at least one whole line.
has_line() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge 1 ]
}

# line_or_gone FILE PID: FILE has a line, or PID has ended.
line_or_gone() {
	has_line "$1" || ! alive "$2"
}

# ---- the folder: 400 MiB in all ----
# Mostly files at the top: the finishing of many files in sub-folders is
# transfer.sh's business; this one is about resuming.
S=$T/share
"$PY" - "$S" <<'PYEOF' || bail "cannot make the folder"
import os, random, sys
root = sys.argv[1]
os.makedirs(os.path.join(root, "sub/deeper"))
r = random.Random(7)
for name, size in (("big-200M.bin", 200 << 20), ("a-100M.bin", 100 << 20),
                   ("b-100M.bin", 100 << 20), ("small-1.txt", 1234),
                   ("small-2.bin", 40000), ("zero", 0),
                   ("sub/deeper/nested.bin", 300000)):
    with open(os.path.join(root, name), "wb") as f:
        while size > 0:
            n = min(size, 1 << 20)
            f.write(r.randbytes(n))
            size -= n
    os.utime(os.path.join(root, name), (1500000000, 1500000000))
PYEOF
SIZE=$(cd "$S" && find . -type f -printf '%s\n' | awk '{ n += $1 } END { print n }')
diag "folder: $SIZE bytes"

# on_disk DIR: bytes of verified data under DIR: the blocks the partial
# files hold (they are written a verified piece at a time, anywhere in
# the file) plus the files already in place; the resume file left out.
cat >"$T/disk.py" <<'PYEOF'
import os, signal, sys, time

def on_disk(root):
    n = 0
    for d, _, files in os.walk(root):
        for f in files:
            if d == os.path.join(root, ".shoal") and f.startswith("resume"):
                continue
            try:
                st = os.lstat(os.path.join(d, f))
            except FileNotFoundError:
                continue
            n += min(st.st_blocks * 512, st.st_size)
    return n

if sys.argv[1] == "measure":
    print(on_disk(sys.argv[2]))
    sys.exit(0)

# watch DIR PID BYTES SECONDS: SIGKILL PID as soon as DIR holds BYTES;
# prints "killed N", "exited N" or "timeout N" (N: bytes on disk then).
root, pid, want, secs = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
    float(sys.argv[5])
end = time.monotonic() + secs
while time.monotonic() < end:
    n = on_disk(root)
    if n >= want:
        os.kill(pid, signal.SIGKILL)
        print("killed", n)
        sys.exit(0)
    try:
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                raise ProcessLookupError
    except (FileNotFoundError, ProcessLookupError):
        print("exited", on_disk(root))
        sys.exit(0)
    time.sleep(0.002)
print("timeout", on_disk(root))
PYEOF
on_disk() {
	"$PY" "$T/disk.py" measure "$1"
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

# pct N: N as a percentage of the folder, one decimal.
pct() {
	awk -v n="$1" -v s="$SIZE" 'BEGIN { printf "%.1f%%", 100 * n / s }'
}

# in_place_ok: every file already in place under D is the sender's, byte
# for byte (a file is renamed into place only once it is whole).
in_place_ok() {
	local f bad=0
	while IFS= read -r -d '' f; do
		cmp -s "$D/$f" "$S/$f" || { diag "differs: $f"; bad=1; }
	done < <(cd "$D" && find . -path ./.shoal -prune -o -type f -print0)
	return $bad
}

# link_or_gone FILE PID: FILE has a magnet link, or PID has ended.
link_or_gone() {
	grep -q '^magnet:' "$1" 2>/dev/null || ! alive "$2"
}

# more_lines FILE N: FILE has at least N lines.
more_lines() {
	[ "$(wc -l <"$1")" -ge "$2" ]
}

# ---- identities and the sender ----
run "$SHOAL" init --state-dir "$T/snd" --name sender -c "$T/snd/shoal.conf"
status_is "init the sender" 0
run "$SHOAL" init --state-dir "$T/rcv" --name receiver -c "$T/rcv/shoal.conf"
status_is "init the receiver" 0
RCV_ID=$OUT
timeout -k 5 300 "$SHOAL" send "$S" --listen 127.0.0.1:0 --allow "$RCV_ID" \
    --state-dir "$T/snd" --json >"$T/send.out" 2>"$T/send.err" </dev/null &
SPID=$!
PIDS="$PIDS $SPID"
# With --json the link comes among the JSON objects, once hashing is done.
wait_for 60 link_or_gone "$T/send.out" "$SPID"
LINK=$(grep -m 1 '^magnet:' "$T/send.out")
like "send prints the link" "$LINK" "magnet:?xt=urn:btmh:1220" ||
    bail "no link: $(cat "$T/send.err")"

# ---- the runs ----
D=$T/dst
# start_receive N: receive run N in the background, --json output in
# $T/runN.out; sets RT (its timeout wrapper) and RPID (shoal itself).
start_receive() {
	timeout -k 5 "$TEST_TIMEOUT" "$SHOAL" receive "$LINK" "$D" \
	    --state-dir "$T/rcv" --json >"$T/run$1.out" 2>"$T/run$1.err" \
	    </dev/null &
	RT=$!
	PIDS="$PIDS $RT"
	RPID=
	wait_for 10 child_of "$RT"
	RPID=$(pgrep -P "$RT")
}
child_of() {
	pgrep -P "$1" >/dev/null
}

TOTAL_JSON=0	# the sum of each run's last "downloaded"
TOTAL_EST=0	# the same, but a killed run counts what it put on disk if
		# that is more (its last JSON line may be a second old)
KILLS=0
POINTS=
before=0
n=0
for plan in 10 40 70; do
	n=$((n + 1))
	start_receive $n
	if [ -z "$RPID" ]; then
		not_ok "run $n: receive started"
		continue
	fi
	# Kill at the planned point, or 5% further than the last run got.
	want=$((SIZE * plan / 100))
	floor=$((before + SIZE / 20))
	[ "$want" -lt "$floor" ] && want=$floor
	read -r what at < <("$PY" "$T/disk.py" watch "$D" "$RPID" "$want" 60)
	if [ "$what" = killed ] || [ "$what" = exited ]; then
		wait "$RT" 2>/dev/null
		rc=$?
		forget "$RT"
	else
		stop "$RT"
		rc=$?
	fi
	after=$(on_disk "$D")
	dl=$(last_json "$T/run$n.out" downloaded)
	grew=$((after - before))
	est=$dl
	[ "$grew" -gt "$est" ] && est=$grew
	TOTAL_JSON=$((TOTAL_JSON + dl))
	TOTAL_EST=$((TOTAL_EST + est))
	diag "run $n: $what at $(pct "$at") (planned ${plan}%), exit $rc," \
	    "$(pct "$after") on disk after, last JSON downloaded $dl"
	if [ "$what" = killed ] && [ "$after" -lt "$SIZE" ]; then
		KILLS=$((KILLS + 1))
		POINTS="$POINTS $(pct "$at")"
		is "run $n: killed by SIGKILL mid-transfer" "$rc" 137
	elif [ "$what" = exited ]; then
		diag "run $n finished before the kill point"
		is "run $n: it finished by itself: exit 0" "$rc" 0
	else
		not_ok "run $n: killed mid-transfer or finished"
		diag_file "$T/run$n.err" stderr
	fi
	in_place_ok
	pass_if "after run $n: every file in place is whole and the sender's" $?
	before=$after
done
diag "killed at:$POINTS"
[ "$KILLS" -ge 2 ]
pass_if "at least two kills mid-transfer ($KILLS)" $?

# ---- the last run: let it finish ----
n=$((n + 1))
kept=$(on_disk "$D")
start_receive $n
wait_for "$TEST_TIMEOUT" gone "$RT"
wait "$RT" 2>/dev/null
rc=$?
forget "$RT"
is "the last run exits 0" "$rc" 0 || diag_file "$T/run$n.err" stderr
is "the last run prints complete" "$(tail -n 1 "$T/run$n.out")" complete
dl=$(last_json "$T/run$n.out" downloaded)
TOTAL_JSON=$((TOTAL_JSON + dl))
TOTAL_EST=$((TOTAL_EST + dl))
diag "run $n: finished, downloaded $dl ($(pct "$dl")) with $(pct "$kept") kept"
is "the last JSON object: have == size" \
    "$(last_json "$T/run$n.out" have)" "$SIZE"

# ---- the result ----
(cd "$S" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) \
    >"$T/want.sums"
(cd "$D" 2>/dev/null && find . -path ./.shoal -prune -o -type f -print0 |
    sort -z | xargs -0 -r sha256sum) >"$T/got.sums"
if cmp -s "$T/want.sums" "$T/got.sums"; then
	ok "the folder arrived byte-identical"
else
	not_ok "the folder arrived byte-identical"
	diff "$T/want.sums" "$T/got.sums" | grep '^[<>]' | head -n 20 |
	    sed 's/^/#   /'
fi
is "every file kept its mtime" \
    "$(cd "$D" 2>/dev/null && find . -path ./.shoal -prune -o -type f -print0 |
        xargs -0 -r stat -c %Y | sort | uniq -c | awk '{ print $1, $2 }')" \
    "7 1500000000"

# What was fetched in all. Every byte on disk was verified before it was
# written, so a last run that starts from what the kills left fetches
# only the rest.
slack=$((SIZE / 50))
[ "$dl" -le $((SIZE - kept + slack)) ]
pass_if "the last run fetched only what was missing (+2%)" $? ||
    diag "it fetched $dl bytes; $((SIZE - kept)) were missing"
ratio_json=$(awk -v a="$TOTAL_JSON" -v s="$SIZE" 'BEGIN { printf "%.3f", a / s }')
ratio_est=$(awk -v a="$TOTAL_EST" -v s="$SIZE" 'BEGIN { printf "%.3f", a / s }')
diag "received in all: $TOTAL_JSON bytes by the runs' last JSON lines" \
    "(${ratio_json}x), $TOTAL_EST counting what killed runs wrote" \
    "(${ratio_est}x)"
[ "$TOTAL_JSON" -lt $((SIZE * 11 / 10)) ]
pass_if "received in all, by the last JSON lines: under 1.1x ($ratio_json)" $?
[ "$TOTAL_EST" -lt $((SIZE * 11 / 10)) ]
pass_if "received in all, counting killed runs' writes: under 1.1x ($ratio_est)" $?

# The sender's own count, the truest one: it also counts what the killed
# runs had in flight when they died (up to their request queue and the
# socket buffers, some MiB per kill), hence the wider bound.
# Two more of its lines: a snapshot taken after the last run ended.
lines=$(wc -l <"$T/send.out")
wait_for 5 more_lines "$T/send.out" $((lines + 2))
up=$(last_json "$T/send.out" uploaded)
ratio_up=$(awk -v a="$up" -v s="$SIZE" 'BEGIN { printf "%.3f", a / s }')
[ "$up" -lt $((SIZE * 12 / 10)) ]
pass_if "the sender's count of bytes sent: under 1.2x ($ratio_up)" $?
stop "$SPID"
is "send exits 0 on SIGTERM" $? 0

done_testing
