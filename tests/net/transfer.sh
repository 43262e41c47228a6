#!/bin/bash
# shoal send and shoal receive over loopback: a folder of a thousand small
# files in nested folders, a 300 MiB file, empty files, empty folders, an
# executable and symlinks arrives byte for byte, with the same paths,
# modes and mtimes; "receive --json" prints one JSON object a line, the
# last one complete.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"

need "$PY" python3

# A transfer takes a few seconds; a stuck one must not hold the suite.
# shellcheck disable=SC2034
TEST_TIMEOUT=60

# ---- the folder ----
S=$T/share
"$PY" - "$S" <<'EOF' || bail "cannot make the folder"
import os, random, sys
root = sys.argv[1]
r = random.Random(20240601)
def put(rel, size, mode=0o644, mtime=None):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        while size > 0:
            n = min(size, 1 << 20)
            f.write(r.randbytes(n))
            size -= n
    os.chmod(p, mode)
    t = mtime if mtime is not None else 1400000000 + r.randrange(10 ** 8)
    os.utime(p, (t, t))
# A thousand small files, 0 to 20 KiB, three levels deep; some sizes on
# the 16 KiB block edges.
edges = [0, 1, 16383, 16384, 16385, 20479, 20480]
for i in range(1000):
    size = edges[i] if i < len(edges) else r.randrange(20 * 1024 + 1)
    put("small/d%d/e%d/f%04d.bin" % (i % 10, i % 7, i), size)
put("big/huge.bin", 300 * 1024 * 1024, mtime=1600000000)
put("empty.txt", 0)
put("small/d3/also-empty", 0)
put("bin/tool.sh", 5000, 0o755)
put("bin/not-a-tool", 100)
for d in ("empty-dir", "nest/a/b/c", "nest/x"):
    os.makedirs(os.path.join(root, d))
# A symlink at the top (its target is written as given) and one in a
# sub-folder pointing sideways.
os.symlink("bin/tool.sh", os.path.join(root, "tool-link"))
os.symlink("../bin/not-a-tool", os.path.join(root, "small/side-link"))
EOF
NFILES=$(cd "$S" && find . -type f | wc -l)
SIZE=$(folder_size "$S")
is "the folder has 1,000 small files, the big one, 2 empty and 2 in bin" \
    "$NFILES" 1005
diag "folder: $NFILES files, $SIZE bytes"

# ---- identities ----
init_node snd sender
init_node rcv receiver

# ---- send ----
t0=$(date +%s)
# shellcheck disable=SC2154
start_send "$T/send" "$S" --listen 127.0.0.1:0 --allow "$ID_rcv" \
    --state-dir "$T/snd"
has_line "$T/send.out"
pass_if "send prints a line once the folder is hashed" $? ||
    diag_file "$T/send.err" "send's stderr"
diag "link after $(($(date +%s) - t0)) s: $LINK"
like "the link is a magnet with a v2 hash" "$LINK" "magnet:?xt=urn:btmh:1220"
like "the link names the sender's address" "$LINK" "&x.pe=127.0.0.1:"
# shellcheck disable=SC2154
like "the link names the sender's node" "$LINK" "&x.node=$ID_snd"
like "the link names the folder" "$LINK" "&dn=share"
PORT=$(link_port "$LINK")
[ -n "$PORT" ] && [ "$PORT" -gt 0 ]
pass_if "the port is one the OS chose ($PORT)" $?

# ---- receive ----
D=$T/dst
t0=$(date +%s)
run "$SHOAL" receive "$LINK" "$D" --state-dir "$T/rcv"
diag "receive took $(($(date +%s) - t0)) s"
status_is "receive exits 0" 0
is "receive prints complete on stdout" "$OUT" complete
like "receive's last progress line says 100%" "$(tail -n 1 "$T/err")" \
    "complete share  100.0%"

# ---- compare ----
# listing KIND DIR: one line per entry under DIR (.shoal left out).
listing() {
	(
		cd "$2" || exit 1
		case $1 in
		sums)
			sums .
			;;
		stat)
			find . -path ./.shoal -prune -o -type f -print0 |
			    sort -z | xargs -0 -r stat -c '%a %Y %n'
			;;
		dirs)
			find . -path ./.shoal -prune -o -type d -print | sort
			;;
		links)
			find . -path ./.shoal -prune -o -type l -print | sort |
			    while read -r l; do
				printf '%s -> %s\n' "$l" \
				    "$(realpath -m --relative-to=. "$l")"
			    done
			;;
		esac
	)
}
for k in sums stat dirs links; do
	listing "$k" "$S" >"$T/want.$k"
	listing "$k" "$D" >"$T/got.$k"
done

# same DESC KIND: the listings of KIND agree; the first differences if not.
same() {
	same_listing "$1" "$T/want.$2" "$T/got.$2"
}
same "every file arrived under its path with the same SHA-256" sums
is "as many files as were sent" "$(wc -l <"$T/got.sums")" "$NFILES"
same "every file has the sender's mode and mtime" stat
is "the executable is 0755" "$(stat -c %a "$D/bin/tool.sh" 2>&1)" 755
is "a plain file is 0644" "$(stat -c %a "$D/bin/not-a-tool" 2>&1)" 644
is "the 300 MiB file kept its mtime" "$(stat -c %Y "$D/big/huge.bin" 2>&1)" \
    1600000000
same "the same folders, the empty ones too" dirs
test -d "$D/nest/a/b/c" && test -d "$D/empty-dir"
pass_if "the nested empty folders are there" $?
same "the symlinks point at the same files" links
is "the top-level symlink's target is written as the sender's" \
    "$(readlink "$D/tool-link")" bin/tool.sh
cmp -s "$D/small/side-link" "$S/bin/not-a-tool"
pass_if "the symlink in a sub-folder reaches the right file" $?
is "nothing is left in .shoal/partial" \
    "$(find "$D/.shoal/partial" -mindepth 1 2>&1 | head -n 5)" ""

# ---- receive --json, into a second folder ----
D2=$T/dst2
t0=$(date +%s)
run "$SHOAL" receive "$LINK" "$D2" --state-dir "$T/rcv" --json
diag "receive --json took $(($(date +%s) - t0)) s"
status_is "receive --json exits 0" 0
is "receive --json ends with complete" "$(tail -n 1 "$T/out")" complete
sed '$d' "$T/out" >"$T/json"
if [ -s "$T/json" ] && "$PY" - "$T/json" >"$T/jerr" 2>&1 <<'EOF'
import json, sys
keys = {"time", "name", "state", "size", "have", "downloaded", "uploaded",
        "rate_down", "rate_up", "peers", "eta"}
for n, line in enumerate(open(sys.argv[1]), 1):
    d = json.loads(line)
    if not isinstance(d, dict):
        sys.exit("line %d is not an object" % n)
    if not keys <= set(d):
        sys.exit("line %d lacks %s" % (n, sorted(keys - set(d))))
EOF
then
	ok "every other line is a JSON object with the documented keys"
else
	not_ok "every other line is a JSON object with the documented keys"
	diag_file "$T/jerr"
	diag_file "$T/json" stdout
fi
tail -n 1 "$T/json" >"$T/last.json"
is "the last JSON object: state complete" \
    "$(json_get "$T/last.json" 'd["state"]' 2>&1)" complete
is "the last JSON object: size is the folder's" \
    "$(json_get "$T/last.json" 'd["size"]' 2>&1)" "$SIZE"
is "the last JSON object: have == size" \
    "$(json_get "$T/last.json" 'd["have"] == d["size"]' 2>&1)" true
is "the last JSON object: the name" \
    "$(json_get "$T/last.json" 'd["name"]' 2>&1)" share
# A downloader requests only up to each file's end, never the alignment
# gap after it (PROTOCOL.md B 3.2); one peer on loopback, so no block
# should come twice either.
"$PY" -c 'import sys; sys.exit(not int(sys.argv[1]) <= int(sys.argv[2]) * 1.01)' \
    "$(json_get "$T/last.json" 'd["downloaded"]' 2>&1)" "$SIZE" 2>/dev/null
pass_if "downloaded is at most 1% over the folder's size" $? ||
    diag "downloaded $(json_get "$T/last.json" 'd["downloaded"]') bytes for $SIZE"
is "receive --json prints no progress line on stderr" \
    "$(grep -c '100.0%' "$T/err")" 0
listing sums "$D2" >"$T/got2.sums"
same_listing "the --json copy is byte-identical too" "$T/want.sums" \
    "$T/got2.sums"

# ---- the sender stops cleanly ----
stop "$SPID"
is "send exits 0 on SIGTERM" $? 0
unlike "the sender logged no error" "$(cat "$T/send.err")" "error"

done_testing
