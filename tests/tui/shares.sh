#!/bin/bash
# The TUI of "shoal receive" while a limited source sends: the shares
# screen lists the share with a progress figure that moves; the peers tab
# lists the source with a non-zero rate; "?" shows the help; "p" pauses
# and resumes through the engine; "l" sets the limits and the header
# shows them; "q" asks while the transfer runs; "r" re-checks the files
# and a damaged piece is fetched again; "q" leaves the terminal as it
# found it.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"
. "$SRCDIR/tests/tui/tuilib.sh"

need tmux tmux

# 6 MiB at 400 KiB/s: about 15 seconds to look at.
mkdir -p "$T/data"
gen "$T/data/big.bin" $((6 * 1024 * 1024))
echo "hello" >"$T/data/hello.txt"
init_node snd sender
init_node rcv receiver
# Both in site "hq"; --lan-limits keeps the limit for peers of its site.
start_send "$T/send" "$T/data" --state-dir "$T/snd" --listen 127.0.0.1:0 \
    --allow "$ID_rcv" --upload-limit 400K --site hq --lan-limits
[ -n "$LINK" ] || bail "the source printed no link"

tui_start 100 30 "$SHOAL" receive "'$LINK'" "'$T/recv'" --state-dir "'$T/rcv'" \
    --site hq

screen_is "the header names the node" '^ shoal  receiver  ID [A-Z0-9]{7}  down'
screen_is "the shares screen lists the share, receiving" \
    '^ data +recv .* receiving'
pct() {
	screen | sed -n 's/^ data .*\] *\([0-9.]*\) .*/\1/p'
}
first=$(pct)
moved() {
	local now
	now=$(pct)
	[ -n "$now" ] && [ "$now" != "$first" ]
}
if wait_for 20 moved; then
	ok "the progress figure moves ($first% then $(pct)%)"
else
	not_ok "the progress figure moves"
	show_screen
fi
screen_is "the peers column counts the source, complete" \
    '^ data .* 1/1 '

keys Enter
screen_is "Enter opens the peers tab" '^ 1 Peers  2 Pieces  3 Files'
screen_is "the source is listed with a non-zero download rate" \
    '^ [A-Z0-9]{7} +127\.0\.0\.1:[0-9]+ +local +100% +[0-9.]+ [KM]iB/s '
screen_is "its TLS session is shown" "TLSv1\\.3 TLS_[A-Z0-9_]+, we dialled it, this site: hq"

keys 3
screen_is "3 shows the files with their progress" '^ big\.bin +6\.00 MiB'
keys 2
screen_is "2 shows the piece map" '^ [0-9]+ pieces: [0-9]+ here'
keys 4
screen_is "4 shows the swarm, the source complete" \
    '^ [A-Z0-9]{7} +\[#+\] 100\.0% +-> [0-9.]+ [KM]?i?B/s'
keys 5
screen_is "5 shows the log" 'peer 127\.0\.0\.1:[0-9]+ node [A-Z0-9]{7} connected'

keys '?'
screen_is "? shows the help, every key" '^  p +pause or resume the selected share'
screen_is "the help lists q" '^  q +quit \(asks first'
keys Escape
screen_is "any key goes back" '^ 1 Peers  2 Pieces'
keys Escape
screen_is "Esc goes back to the shares" '^ Share +Mode'

keys p
screen_is "p pauses the share" '^ data +recv .* paused'
screen_is "paused, the source is gone" '^ data .* 0/0 '
keys p
screen_is "p again resumes it" '^ data +recv .* receiving'

keys l
screen_is "l asks for the limits, showing the current ones" \
    'Limits, upload then download \(0: none\): 0 0'
keys BSpace BSpace BSpace '7M 3M' Enter
screen_is "the header shows the new limits" \
    'down limit 3\.00 MiB/s  up limit 7\.00 MiB/s'

keys q
screen_is "q asks first while the transfer runs" \
    'Transfers are running\. Quit\? \(y/n\)'
keys n
screen_is "n keeps it running" '^ data +recv'

# Re-check: a byte changed behind the receiver's back is found and the
# piece fetched again.
screen_is "the share completes" '^ data +recv .* complete *$' 90
same_tree "the folder arrived whole" "$T/data" "$T/recv"
poke "$T/recv/big.bin" 1000000
keys r
screen_is "r re-checks the share" 'Re-checking data\.'
keys 5
screen_is "the log tells of the re-check" 'data: re-checking every file'
# The second count of pieces on disk: the re-check's.
recheck_count() {
	screen | sed -n 's/.*data: \([0-9]*\) of \([0-9]*\) pieces already here.*/\1 \2/p' |
	    sed -n 2p
}
has_recheck_count() {
	[ -n "$(recheck_count)" ]
}
wait_for 30 has_recheck_count
read -r here all <<<"$(recheck_count)"
is "the re-check finds the one damaged piece" "$((${all:-0} - ${here:-0}))" 1
complete_twice() {
	[ "$(screen | grep -c 'data: complete: every file has passed')" -ge 2 ]
}
wait_for 60 complete_twice
pass_if "the damaged piece is fetched again and the share completes" $?
keys Escape
screen_is "the share shows complete" '^ data +recv .* complete *$'
same_tree "the folder is whole again" "$T/data" "$T/recv"

keys q
restored "q quits at once when complete and leaves the terminal restored"

done_testing
