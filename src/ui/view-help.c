/*
 * The help screen: every key, from one table. Any key goes back.
 */
#include "config.h"

#include <stddef.h>

#include "i18n.h"
#include "ui-int.h"

static const struct {
	const char	*keys;
	const char	*what;
} help_keys[] = {
	{ N_("Up, Down, j, k"), N_("move the selection, scroll") },
	{ N_("Enter"), N_("open the selected share's tabs") },
	{ N_("Tab, Shift-Tab"), N_("next or previous tab") },
	{ N_("1 to 5"), N_("Peers, Pieces, Files, Swarm, Log") },
	{ N_("Esc, Left, h"), N_("back to the shares") },
	{ N_("p"), N_("pause or resume the selected share") },
	{ N_("r"), N_("re-check the selected share's files on disk") },
	{ N_("l"), N_("set the upload and download limits") },
	{ N_("e"), N_("edit the config file in $EDITOR, then reload it") },
	{ N_("a"), N_("add a share to the config file (a short form)") },
	{ N_("/"), N_("filter the shares by name") },
	{ N_("Ctrl-L"), N_("redraw the screen") },
	{ N_("?"), N_("this help") },
	{ N_("q"), N_("quit (asks first while transfers run)") },
};

static void
help_draw(struct ui *u, const struct snapshot *s, int top, int rows)
{
	size_t	i;
	int	y = top + 1;

	attron(ui_attr(u, UI_C_TITLE));
	ui_text(top, 1, COLS - 2, _("Keys"));
	attroff(ui_attr(u, UI_C_TITLE));
	for (i = 0; i < sizeof help_keys / sizeof help_keys[0] &&
	    y < top + rows; i++, y++) {
		attron(A_BOLD);
		ui_text(y, 2, 16, _(help_keys[i].keys));
		attroff(A_BOLD);
		ui_text(y, 20, COLS - 21, _(help_keys[i].what));
	}
}

const struct ui_view ui_view_help = {
	.name = N_("Help"),
	.draw = help_draw,
	.key = NULL,
};
