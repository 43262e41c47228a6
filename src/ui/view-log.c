/*
 * The Log tab: the newest lines of the log's in-memory ring (log.c),
 * newest at the bottom; j and k scroll back and forth.
 */
#include "config.h"

#include <stdlib.h>

#include "i18n.h"
#include "log.h"
#include "ui-int.h"

/* Lines the tab can scroll back through. */
#define LOG_VIEW_LINES	500

static void
log_view_draw(struct ui *u, const struct snapshot *s, int top, int rows)
{
	char	*lines[LOG_VIEW_LINES];
	size_t	 n, i;
	int	 y, first, back = u->scroll;

	n = log_ring_copy(lines, LOG_VIEW_LINES, NULL);
	if (n == 0)
		ui_text(top + 1, 1, COLS - 2, _("Nothing logged yet."));
	if (back > (int)n - rows)
		back = (int)n - rows > 0 ? (int)n - rows : 0;
	u->scroll = back;
	first = (int)n - rows - back;
	if (first < 0)
		first = 0;
	for (i = (size_t)first, y = top; i < n && y < top + rows; i++, y++)
		ui_text(y, 1, COLS - 2, lines[i]);
	for (i = 0; i < n; i++)
		free(lines[i]);
}

static int
log_view_key(struct ui *u, const struct snapshot *s, int ch)
{
	switch (ch) {
	case KEY_UP:
	case 'k':
		u->scroll++;
		return (UI_KEY_HANDLED);
	case KEY_DOWN:
	case 'j':
		if (u->scroll > 0)
			u->scroll--;
		return (UI_KEY_HANDLED);
	case KEY_PPAGE:
		u->scroll += LINES - 4;
		return (UI_KEY_HANDLED);
	case KEY_NPAGE:
		u->scroll = u->scroll > LINES - 4 ? u->scroll - (LINES - 4) : 0;
		return (UI_KEY_HANDLED);
	}
	return (UI_KEY_IGNORED);
}

const struct ui_view ui_view_log = {
	.name = N_("Log"),
	.draw = log_view_draw,
	.key = log_view_key,
};
