#!/bin/bash
# shoal receive resumes: a receiver killed with SIGKILL at several points
# of a transfer and started again keeps every piece it had verified, ends
# with a byte-identical folder, and fetches the folder about once in all.
#
# There is no rate limit yet and loopback is fast, so the kill points are
# found by watching the data land under the destination every 2 ms, and
# the points actually reached are reported.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"

need "$PY" python3

# A run of the whole folder takes seconds; a stuck one must not hold the
# suite.
# shellcheck disable=SC2034
TEST_TIMEOUT=90

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
SIZE=$(folder_size "$S")
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

# ---- identities and the sender ----
init_node snd sender
init_node rcv receiver
# With --json the link comes among the JSON objects, once hashing is done.
# shellcheck disable=SC2154
start_send "$T/send" "$S" --listen 127.0.0.1:0 --allow "$ID_rcv" \
    --state-dir "$T/snd" --json
like "send prints the link" "$LINK" "magnet:?xt=urn:btmh:1220" ||
    bail "no link: $(cat "$T/send.err")"

# ---- the runs ----
D=$T/dst
# start_receive N: receive run N in the background, --json output in
# $T/runN.out; sets RT (its timeout wrapper) and RPID (shoal itself).
start_receive() {
	spawn "$T/run$1" "$TEST_TIMEOUT" "$SHOAL" receive "$LINK" "$D" \
	    --state-dir "$T/rcv" --json
	RT=$BGPID
	RPID=$(child "$RT")
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
		reap "$RT"
		rc=$?
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
reap "$RT"
rc=$?
is "the last run exits 0" "$rc" 0 || diag_file "$T/run$n.err" stderr
is "the last run prints complete" "$(tail -n 1 "$T/run$n.out")" complete
dl=$(last_json "$T/run$n.out" downloaded)
TOTAL_JSON=$((TOTAL_JSON + dl))
TOTAL_EST=$((TOTAL_EST + dl))
diag "run $n: finished, downloaded $dl ($(pct "$dl")) with $(pct "$kept") kept"
is "the last JSON object: have == size" \
    "$(last_json "$T/run$n.out" have)" "$SIZE"

# ---- the result ----
same_tree "the folder arrived byte-identical" "$S" "$D"
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
