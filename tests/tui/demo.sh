#!/bin/bash
# "shoal demo" under tmux: the source's view comes up, its four peers
# appear with their progress, the footer counts the receivers as each
# completes until all four are, "q" then quits, and every file the demo
# made is gone. Without a terminal it runs headless and exits 0.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"
. "$SRCDIR/tests/tui/tuilib.sh"

need tmux tmux

# The demo's temporary folders go here, to be checked for leftovers.
mkdir -p "$T/tmp"

# 4 MiB at 512 KiB/s: about 8 seconds of swarm.
tui_start 100 30 env TMPDIR="'$T/tmp'" "$SHOAL" demo --size 4M \
    --upload-limit 512K
screen_is "the source's view comes up" '^ sample +send .* sending' 60
screen_is "the footer counts the receivers" \
    '^ Demo: [0-3] of 4 receivers complete \(' 30
screen_is "the source's upload limit is in the header" \
    'up limit 512 KiB/s'
keys Enter
screen_is "the peers tab lists the receivers, sending to them" \
    '^ [A-Z0-9]{7} +127\.0\.0\.1:[0-9]+ +local .* [0-9.]+ [KM]iB/s' 30
n=$(screen | grep -cE '^ [A-Z0-9]{7} +127\.0\.0\.1:')
is "four receivers are connected" "$n" 4
keys Escape
screen_is "the swarm finishes: every receiver is complete" \
    '^ Demo: 4 of 4 receivers complete\. q quits' 120
screen_is "the source sees four complete peers" '^ sample .* 4/4 ' 10
keys q
restored "q quits and leaves the terminal restored"
left=$(find "$T/tmp" -mindepth 1 | head -5)
is "the demo removed everything it made" "$left" ""

# Headless: no terminal, a line a second, 0 once all four are complete.
TMPDIR=$T/tmp run "$SHOAL" demo --size 1M --upload-limit 1M
status_is "headless, the demo exits 0" 0
like "and says every receiver is complete" "$OUT" \
    "demo: every receiver is complete"
like "its progress lines count the receivers" "$ERR" \
    "demo: 4 of 4 receivers complete (100% 100% 100% 100%)"
left=$(find "$T/tmp" -mindepth 1 | head -5)
is "and removed everything it made" "$left" ""

done_testing
