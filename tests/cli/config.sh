#!/bin/bash
# "shoal config check": the starter file of "shoal init" passes, before
# and after its example share is switched on; the default file is found
# under XDG_CONFIG_HOME and HOME; bad files exit 2 with one exact
# "shoal: FILE:LINE: [section] key: ..." line and nothing on stdout; the
# printed settings read back the same; shoal.conf(5) documents exactly
# the keys that config check prints.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

# No test may touch the real home folder.
HOME=$T/home
export HOME
unset XDG_STATE_HOME XDG_CONFIG_HOME
mkdir -p "$HOME"

# expect DESC STATUS STDERR CMD...: the command exits STATUS, prints
# exactly STDERR on stderr and nothing on stdout. One test point.
expect() {
	local desc=$1 status=$2 want=$3
	shift 3
	run "$@"
	if [ "$RC" -eq "$status" ] && [ "$ERR" = "$want" ] && [ -z "$OUT" ]
	then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	diag "command: $*"
	diag "want exit status $status and stderr:"
	diag "  $want"
	show_run
	return 1
}

# bad DESC WANT-AFTER-"shoal: FILE:" TEXT: a config file holding TEXT
# (printf format) is refused with exit 2 and that one line.
bad() {
	local desc=$1 want=$2
	shift 2
	# shellcheck disable=SC2059
	printf "$@" >"$T/bad.conf"
	expect "$desc" 2 "shoal: $T/bad.conf:$want" \
	    "$SHOAL" config check -c "$T/bad.conf"
}

# ---- the starter file ----
S=$T/state
C=$T/conf/shoal.conf
run "$SHOAL" init --state-dir "$S" --name alpha -c "$C"
status_is "init writes a starter config" 0
ID=$OUT
run "$SHOAL" config check -c "$C"
status_is "the starter config passes: exit 0" 0
is "config check prints nothing on stderr" "$ERR" ""
like "it prints the [node] section" "$OUT" "[node]"
like "it prints the node's name" "$OUT" "name = alpha"
like "it prints the state folder" "$OUT" \
    "state_dir = $(cd "$S" && pwd -P)"
like "it fills in the default listen address" "$OUT" \
    "listen = 0.0.0.0:7420"
like "it shows keys that are not set as comments" "$OUT" \
    "# tracker is not set"
cp "$T/out" "$T/printed.conf"
run "$SHOAL" config check -c "$T/printed.conf"
status_is "the printed settings pass too" 0
is "and print the same settings" "$OUT" "$(cat "$T/printed.conf")"

# Switch the example share on, as its comment says.
mkdir -p "$T/builds"
sed -e 's/^#\(\[share\|path\|mode\|allow\)/\1/' \
    -e "s|^path = .*|path = $T/builds|" -e "s|<node id>|$ID|" \
    "$C" >"$T/share.conf"
run "$SHOAL" config check -c "$T/share.conf"
status_is "the starter config with its share switched on passes" 0
like "it prints the share" "$OUT" "[share \"builds\"]"
like "it prints the allowed node" "$OUT" "allow = $ID"
like "it prints the share's default rescan" "$OUT" "rescan = 5m"
sed -e 's/^#\(\[share\|path\|mode\|allow\)/\1/' "$C" >"$T/share2.conf"
expect "the example share left as it is names the line to edit" 2 \
    "shoal: $T/share2.conf:18: [share \"builds\"] allow: not a node ID: '<' is not a base32 character" \
    "$SHOAL" config check -c "$T/share2.conf"

# ---- the default file ----
mkdir -p "$HOME/.config/shoal"
printf '[node]\nname = from-home\n' >"$HOME/.config/shoal/shoal.conf"
run "$SHOAL" config check
status_is "config check without -c: exit 0" 0
like "it reads ~/.config/shoal/shoal.conf" "$OUT" "name = from-home"
mkdir -p "$T/xdg/shoal"
printf '[node]\nname = from-xdg\n' >"$T/xdg/shoal/shoal.conf"
XDG_CONFIG_HOME=$T/xdg run "$SHOAL" config check
like "it reads \$XDG_CONFIG_HOME/shoal/shoal.conf" "$OUT" "name = from-xdg"
XDG_CONFIG_HOME=$T/nothing expect "a missing default file: exit 1" 1 \
    "shoal: cannot read $T/nothing/shoal/shoal.conf: No such file or directory (\"shoal init\" writes a starter file)" \
    "$SHOAL" config check
expect "a missing -c file: exit 1" 1 \
    "shoal: cannot read $T/none.conf: No such file or directory (\"shoal init\" writes a starter file)" \
    "$SHOAL" config check -c "$T/none.conf"
expect "a folder given as the file: exit 1" 1 \
    "shoal: cannot read $T: Is a directory" \
    "$SHOAL" config check -c "$T"

# ---- bad files: exit 2, one line naming file, line, section, key ----
bad "a bad mode" \
    '4: [share "builds"] mode: expected send or receive' \
    '[share "builds"]\npath = /srv/builds\nopen = yes\nmode = sned\n'
bad "an unknown key" '3: [node] colour: unknown key' \
    '# comment\n[node]\ncolour = blue\n'
bad "a bad rate" \
    '2: [node] upload_limit: expected a rate like 500K or 20M (bytes a second), or 0 for no limit' \
    '[node]\nupload_limit = lots\n'
bad "a bad duration" \
    '4: [share "b"] rescan: expected a duration like 30s, 5m or 2h' \
    '[share "b"]\npath = /b\nmode = send\nrescan = often\n'
bad "a line of 250 bytes" \
    '3: the line is 250 bytes long; a line has at most 197' \
    '[node]\nname = a\n# %0248d\n' 0
bad "two shares of one name" \
    '5: [share "b"]: a second share of that name (the first is on line 1)' \
    '[share "b"]\npath = /b\nmode = send\nopen = yes\n[share b]\n'
bad "two shares on one folder" \
    "10: [share \"two\"] path: $T/builds is the folder of [share \"one\"] (line 1) too" \
    "[share \"one\"]\npath = $T/builds\nmode = send\nopen = yes\n\n[share \"two\"]\nmode = send\nopen = yes\n# the same, spelt otherwise\npath = $T/./builds/\n"
bad "a receive share without a share ID" \
    '1: [share "in"] share_id: missing: a share with mode = receive needs it' \
    '[share "in"]\npath = /in\nmode = receive\n'
bad "a send share nobody may receive" \
    '2: [share "out"]: no node may receive this share: add allow = NODEID lines, ca = FILE or open = yes' \
    '\n[share "out"]\npath = /out\nmode = send\n'
bad "an unknown section" \
    '1: [shares]: unknown section: expected [node] or [share "NAME"]' \
    '[shares]\n'
bad "a node key in a share" \
    '2: [share "b"] listen: not a share key: it goes in [node]' \
    '[share "b"]\nlisten = 0.0.0.0:1\n'

# ---- the command line ----
CONFIG_USAGE='usage: shoal config check [-c FILE]'
expect "config alone: exit 2 and the usage" 2 "$CONFIG_USAGE" \
    "$SHOAL" config
expect "config with an unknown verb: exit 2, names it" 2 \
    "$(printf 'shoal: unknown config command "frob": use check\n%s' \
    "$CONFIG_USAGE")" "$SHOAL" config frob
expect "config check with an argument: exit 2 and the usage" 2 \
    "$CONFIG_USAGE" "$SHOAL" config check extra
run "$SHOAL" config check --bogus
status_is "config check with an unknown option: exit 2" 2
run "$SHOAL" config check --help
status_is "config check --help: exit 0" 0
is "config check --help: the usage on stdout" "$OUT" "$CONFIG_USAGE"
run "$SHOAL" help
like "shoal help lists config" "$OUT" "  config   check the config file"

# ---- shoal.conf(5) documents exactly the keys config check prints ----
cat >"$T/all.conf" <<EOF
[share "out"]
path = $T/out
mode = send
open = yes
[share "in"]
path = $T/in
mode = receive
share_id = $ID
publish = atomic
EOF
run "$SHOAL" config check -c "$T/all.conf"
status_is "a file with a share of each kind passes" 0
printed=$(awk '/^\[node\]/ { s = "node" } /^\[share / { s = "share" }
    { sub(/^# /, "") }
    /^[a-z_]+ (=|is not set)/ { print s ":" $1 }' "$T/out" |
    sort -u | tr '\n' ' ')
documented=$(awk '/^\.SH THE NODE SECTION/ { s = "node" }
    /^\.SH SHARE SECTIONS/ { s = "share" } /^\.SH EXAMPLE/ { s = "" }
    s != "" && /^\.BI "[a-z_]+ = "/ { sub(/^\.BI "/, ""); print s ":" $1 }' \
    "$SRCDIR/man/shoal.conf.5.in" | sort -u | tr '\n' ' ')
is "shoal.conf(5) documents the keys config check prints, by section" \
    "$documented" "$printed"
is "there are 36 keys: 19 in [node], 17 in a share" \
    "$(echo "$printed" | wc -w) $(echo "$printed" | tr ' ' '\n' |
    grep -c '^node:') $(echo "$printed" | tr ' ' '\n' | grep -c '^share:')" \
    "36 19 17"

done_testing
