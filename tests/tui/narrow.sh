#!/bin/bash
# The TUI at 80x24 and through resizes: the header and the footer hold
# whole words only (what does not fit is left out, never cut); the shares
# line keeps its state column; a resize (SIGWINCH) redraws at the new
# size at once; NO_COLOR turns colours off; SIGTERM leaves the terminal
# restored; block characters in a UTF-8 locale, ASCII in others.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"
. "$SRCDIR/tests/tui/tuilib.sh"

need tmux tmux

mkdir -p "$T/data"
echo "hello" >"$T/data/hello.txt"
init_node snd a-node-with-a-rather-long-name
# Limits make the header longer than 80 columns; nobody connects, so
# every figure on it stays the same.
tui_start 80 24 "$SHOAL" send "'$T/data'" --state-dir "'$T/snd'" \
    --listen 127.0.0.1:0 --open --upload-limit 1M --download-limit 2M

screen_is "the shares screen is up at 80x24" '^ data +send .* sending *$'
narrow_head=$(screen | sed -n 1p | sed 's/ *$//')
narrow_foot=$(screen | sed -n 24p | sed 's/ *$//')
tm resize-window -t t -x 200 -y 40
screen_is "a resize redraws at the new size" \
    'up limit 1\.00 MiB/s *$'
wide_head=$(screen | sed -n 1p | sed 's/ *$//')
wide_foot=$(screen | sed -n 40p | sed 's/ *$//')
diag "at 80:  $narrow_head"
diag "at 200: $wide_head"

# Every word of the narrow header is a whole word of the wide one, in
# order: the narrow one is the wide one with whole segments left off.
words_prefix() {	# words_prefix NARROW WIDE
	local n w
	n=$(printf '%s\n' "$1" | tr -s ' ' '\n' | sed '/^$/d')
	w=$(printf '%s\n' "$2" | tr -s ' ' '\n' | sed '/^$/d' |
	    head -n "$(printf '%s\n' "$n" | wc -l)")
	[ "$n" = "$w" ]
}
words_prefix "$narrow_head" "$wide_head"
pass_if "at 80 columns the header holds only whole words" $?
like "and it fits the node's name and ID" "$narrow_head" \
    " a-node-with-a-rather-long-name  ID "
unlike "and leaves out what does not fit" "$narrow_head" "up limit"
[ "${#narrow_head}" -le 80 ]
pass_if "within 80 columns" $?
words_prefix "$narrow_foot" "$wide_foot"
pass_if "at 80 columns the footer holds only whole words" $?
like "with the quit key" "$narrow_foot" "q quit"

tm resize-window -t t -x 80 -y 24
screen_is "back at 80x24, the header is the narrow one again" \
    "^$(printf '%s' "$narrow_head" | sed 's/[].[*^$()+?{}|\\]/\\&/g')\$"

# Colours: on by default, off with NO_COLOR.
colours() {
	tm capture-pane -p -e -t t | grep -c $'\e\\[[0-9;]*3[0-7]m\|\e\\[[0-9;]*4[0-7]m'
}
[ "$(colours)" -gt 0 ]
pass_if "colours are used by default" $?

pid=$(tui_pid)
[ -n "$pid" ] && kill -TERM "$pid"
restored "SIGTERM quits and leaves the terminal restored"

tm kill-session -t t
tui_start 100 30 env NO_COLOR=1 "$SHOAL" send "'$T/data'" \
    --state-dir "'$T/snd'" --listen 127.0.0.1:0 --open
screen_is "with NO_COLOR the screen is up" '^ data +send .* sending *$'
is "with NO_COLOR no colour is used" "$(colours)" 0
screen_is "without UTF-8 the bar is drawn in ASCII" '^ data .* \[#{10}\] +100\.0 '
keys q
restored "q quits at once when nothing is transferring"

tm kill-session -t t
tui_start 100 30 env LC_ALL=C.UTF-8 "$SHOAL" send "'$T/data'" \
    --state-dir "'$T/snd'" --listen 127.0.0.1:0 --open
block=$'\xe2\x96\x88'
screen_is "in a UTF-8 locale the bar is drawn with block characters" \
    "^ data .* \\[($block){10}\\] +100\\.0 "
keys q
restored "q quits"

done_testing
