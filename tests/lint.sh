#!/bin/bash
# House-style lint in the spirit of curl's checksrc: banned calls, and the
# module boundaries of DESIGN.md (no libuv in src/common or src/ui, no
# curses outside src/ui). One TAP point per rule.
src=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/src
n=0
fail=0

rule() {	# rule DESCRIPTION PATTERN FILES...
	local desc=$1 pat=$2 hits
	shift 2
	n=$((n + 1))
	hits=$(grep -nE "$pat" "$@" 2>/dev/null | grep -v '/\* lint-ok \*/')
	if [ -z "$hits" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "$hits" | sed 's/^/# /'
		fail=1
	fi
}

c_files=$(find "$src" -name '*.[ch]')
common=$(find "$src/common" -name '*.[ch]')
ui=$(find "$src/ui" -name '*.[ch]')
not_ui=$(find "$src" -name '*.[ch]' -not -path "$src/ui/*")

# shellcheck disable=SC2086
rule "no sprintf, strcpy, strcat, strtok, atoi" \
    '\<(v?sprintf|strcpy|strcat|strtok|atoi)[[:space:]]*\(' $c_files
# shellcheck disable=SC2086
rule "src/common uses no libuv" '#include[[:space:]]*<uv\.h>|\<uv_[a-z]+\(' $common
# shellcheck disable=SC2086
rule "src/common uses no curses" '#include[[:space:]]*<(n)?curses' $common
if [ -n "$ui" ]; then
	# shellcheck disable=SC2086
	rule "src/ui calls no uv_ function" '\<uv_[a-z_]+\(' $ui
fi
# shellcheck disable=SC2086
rule "no curses outside src/ui" '#include[[:space:]]*<(n)?curses' $not_ui
# A command substitution in pass_if's message runs before "$?" is read
# and resets it: such a check passes whatever happened.
tests=$(cd "$src/.." && pwd)/tests
# shellcheck disable=SC2046
rule "tests: no \$(...) in the message of pass_if ... \$?" \
    'pass_if .*\$\([^(].*\$\?' $(find "$tests" -name '*.sh')
# shellcheck disable=SC2086
rule "no curses calls outside src/ui" \
    '\<(initscr|endwin|newterm|wgetch|getch|refresh|wrefresh|doupdate|mvprintw|addstr|mvaddstr|attron|start_color)[[:space:]]*\(' \
    $not_ui
if [ -n "$ui" ]; then
	# The UI's includes: its own, the engine's door, and src/common.
	allowed="engine|snapshot|ui|ui-int|config"
	for f in "$src"/common/*.h; do
		allowed="$allowed|$(basename "$f" .h)"
	done
	n=$((n + 1))
	# shellcheck disable=SC2086
	hits=$(grep -nE '#include[[:space:]]*"' $ui |
	    grep -vE "#include[[:space:]]*\"($allowed)\.h\"")
	if [ -z "$hits" ]; then
		echo "ok $n - src/ui includes only engine.h, snapshot.h and src/common"
	else
		echo "not ok $n - src/ui includes only engine.h, snapshot.h and src/common"
		echo "$hits" | sed 's/^/# /'
		fail=1
	fi
fi
echo "1..$n"
exit $fail
