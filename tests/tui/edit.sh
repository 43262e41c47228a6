#!/bin/bash
# "e" in the TUI of "shoal run": the config file opens in $EDITOR (here a
# script that gives the node an upload limit and a second share), and
# once it returns the file is read again: the header shows the new limit
# and the shares screen the new share, beside the first one. "a" adds a
# share through a short form (folder, mode, who may receive it) to the
# file, and a bad answer changes nothing. Without a config ("shoal send")
# "e" says there is none. The terminal is restored at the end.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$SRCDIR/tests/net/netlib.sh"
. "$SRCDIR/tests/tui/tuilib.sh"

need tmux tmux

init_node n node
mkdir -p "$T/one" "$T/two"
gen "$T/one/a.bin" 100000
gen "$T/two/b.bin" 200000
cat >"$T/shoal.conf" <<CONF
[node]
name = node
listen = 127.0.0.1:0
state_dir = $T/n

[share "first"]
path = $T/one
mode = send
open = yes
CONF
# The "editor": an upload limit for the node, and a share.
cat >"$T/editor.sh" <<'SH'
#!/bin/sh
sed -i 's/^\[node\]$/[node]\nupload_limit = 2M/' "$1" &&
    printf '\n[share "second"]\npath = %s\nmode = send\nopen = yes\n' \
    "$TWO" >>"$1"
SH
chmod +x "$T/editor.sh"

tui_start 100 30 env TWO="'$T/two'" EDITOR="'$T/editor.sh'" "$SHOAL" run \
    -c "'$T/shoal.conf'"
screen_is "run shows the config's share" '^ first +send .* sending'
if screen_has 'up limit 2\.00 MiB/s'; then
	not_ok "no upload limit before the edit"
else
	ok "no upload limit before the edit"
fi
keys e
screen_is "after e, the header shows the limit the editor wrote" \
    'up limit 2\.00 MiB/s'
screen_is "and the share it added is running" '^ second +send .* sending'
grep -q '^upload_limit = 2M$' "$T/shoal.conf"
pass_if "the editor really changed the file" $?

# "a": a short form appends a share to the file and starts it.
mkdir -p "$T/three" && gen "$T/three/c.bin" 3000
keys a
screen_is "a asks for the folder" 'Folder \(full path\):'
keys -l "$T/three"
keys Enter
screen_is "then for the mode" 'send or receive:'
keys -l send
keys Enter
screen_is "then who may receive it" 'Who may receive it: node IDs, or open:'
keys -l open
keys Enter
screen_is "the added share runs" '^ three +send .* sending'
grep -A4 '^\[share "three"\]$' "$T/shoal.conf" | tr '\n' ' ' >"$T/three.txt"
is "a appended the section to the file" "$(cat "$T/three.txt")" \
    "[share \"three\"] path = $T/three mode = send open = yes "
grep -q '^upload_limit = 2M$' "$T/shoal.conf"
pass_if "the rest of the file is kept" $?
# A link that is not one: nothing is written.
cp "$T/shoal.conf" "$T/before.conf"
keys a
keys -l "$T/four"
keys Enter
keys -l receive
keys Enter
screen_is "for a receive share a asks for the link" \
    'The link to receive \(magnet:\.\.\.\):'
keys -l "not-a-link"
keys Enter
screen_is "a bad link is refused with the reason" 'Not added: that is not a link'
cmp -s "$T/before.conf" "$T/shoal.conf"
pass_if "and the file is unchanged" $?

keys q
restored "q leaves the terminal restored after an edit"

# "shoal send" has no config file: "e" says so.
tm kill-server 2>/dev/null
tui_start 100 30 "$SHOAL" send "'$T/one'" --open --state-dir "'$T/n'" \
    --listen 127.0.0.1:0
screen_is "send shows its share" '^ one +send .* sending'
keys e
screen_is "e without a config file says only shoal run has one" \
    'Only "shoal run" has a config file to edit\.'
keys q
restored "q leaves the terminal restored"

done_testing
