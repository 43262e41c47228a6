# shellcheck shell=bash
#
# Shared plumbing of the terminal UI tests: a tmux server of the test's
# own (a private socket, killed by that socket when the script ends, which
# hangs up on everything in its panes), a pane running a command, the
# screen as text, and bounded waits for what a person would see. Source it
# after tests/lib.sh and tests/net/netlib.sh:
#
#	. "$SRCDIR/tests/tui/tuilib.sh"

TMUX_SOCK=shoal-test-$$
unset TMUX

# tm ARGS...: tmux on the test's own server, without any user config.
tm() {
	tmux -L "$TMUX_SOCK" -f /dev/null "$@"
}

_tui_cleanup() {
	tm kill-server 2>/dev/null
	net_cleanup
}
trap _tui_cleanup EXIT

# tui_start COLS ROWS CMD: run CMD (a shell command line) in a new
# detached session of COLS x ROWS. When CMD ends the pane prints "exit
# status N" and what "stty" says of echo and canonical mode, then waits
# for the server to go.
tui_start() {
	local cols=$1 rows=$2
	shift 2
	TUI_CMD="$* ; echo \"exit status \$?\"; stty -a | tr ' ;' '\\n\\n' | grep -x -e '-\\?icanon' -e '-\\?echo'; exec sleep 3600"
	TUI_SIZE="$cols $rows"
	# A server whose last session was just killed may still be on its
	# way out: new-session then fails, and is tried again (up to 5 s).
	wait_for 5 _tui_new_session ||
	    diag "tmux could not start a session: $(_tui_new_session 2>&1)"
}

_tui_new_session() {
	# shellcheck disable=SC2086
	set -- $TUI_SIZE
	tm new-session -d -s t -x "$1" -y "$2" "$TUI_CMD" 2>/dev/null
}

# screen: the pane as text, one line per row.
screen() {
	tm capture-pane -p -t t 2>/dev/null
}

# screen_has REGEX: the pane shows a line matching REGEX (grep -E).
screen_has() {
	screen | grep -Eq -- "$1"
}

# wait_screen SECONDS REGEX: wait until the pane shows REGEX.
wait_screen() {
	wait_for "$1" screen_has "$2"
}

# keys KEY...: type into the pane (tmux key names: Enter, Escape, Tab).
keys() {
	tm send-keys -t t "$@"
}

# show_screen: the pane as TAP comments.
show_screen() {
	diag "the screen:"
	screen | sed 's/^/  |/' | sed 's/^/# /'
}

# screen_is DESC REGEX [SECONDS]: a test point that the pane shows REGEX
# within SECONDS (10 if not given).
screen_is() {
	if wait_screen "${3:-10}" "$2"; then
		ok "$1"
		return 0
	fi
	not_ok "$1"
	diag "wanted a line matching: $2"
	show_screen
	return 1
}

# tui_pid: the PID of the program in the pane (the shell's child).
tui_pid() {
	pgrep -P "$(tm display-message -p -t t '#{pane_pid}')" -x shoal
}

# restored DESC: a test point that the program has left and the terminal
# is as it was: its exit status shown, out of the alternate screen, echo
# and canonical mode back on, the cursor visible.
restored() {
	local desc=$1 want=${2:-0}
	if ! wait_screen 20 '^exit status'; then
		not_ok "$desc: the program did not exit"
		show_screen
		return 1
	fi
	if screen_has "^exit status $want\$" && screen_has '^icanon$' &&
	    screen_has '^echo$' &&
	    [ "$(tm display-message -p -t t '#{alternate_on}')" = 0 ] &&
	    [ "$(tm display-message -p -t t '#{cursor_flag}')" = 1 ]; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	diag "alternate screen: $(tm display-message -p -t t '#{alternate_on}'), cursor shown: $(tm display-message -p -t t '#{cursor_flag}')"
	show_screen
	return 1
}
