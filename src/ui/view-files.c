/*
 * The Files tab: each file of the share with its size and how much of it
 * has passed its hashes.
 */
#include "config.h"

#include <stdio.h>

#include "i18n.h"
#include "ui-int.h"
#include "units.h"

#define FILES_SIZE	8
#define FILES_BAR	20
#define FILES_PCT	6

static void
files_draw(struct ui *u, const struct snapshot *s, int top, int rows)
{
	const struct snap_share	*sh = ui_selected_share(u, s);
	char			 a[UNITS_BUFLEN];
	int			 namew, bar, i, y, x;

	if (sh == NULL)
		return;
	if (sh->nfiles == 0) {
		ui_text(top + 1, 1, COLS - 2, _("The files are not known "
		    "yet: waiting for the share's metadata."));
		return;
	}
	bar = COLS >= 100 ? FILES_BAR : 12;
	namew = COLS - 2 - FILES_SIZE - bar - FILES_PCT - 3;
	attron(ui_attr(u, UI_C_TITLE));
	ui_textf(top, 1, namew, _("File (%u)"), sh->nfiles);
	x = 1 + namew + 1;
	ui_textf(top, x, FILES_SIZE, "%*s", FILES_SIZE, _("Size"));
	x += FILES_SIZE + 1;
	ui_text(top, x, bar, _("Progress"));
	x += bar + 1;
	ui_textf(top, x, FILES_PCT, "%*s", FILES_PCT, "%");
	attroff(ui_attr(u, UI_C_TITLE));
	ui_move(u, 0, (int)sh->nfiles, rows - 1);
	for (i = u->scroll, y = top + 1; i < (int)sh->nfiles &&
	    y < top + rows; i++, y++) {
		const struct snap_file *f = &sh->files[i];

		if (i == u->row)
			attron(A_REVERSE);
		ui_text(y, 1, namew, f->path);
		x = 1 + namew + 1;
		ui_textf(y, x, FILES_SIZE, "%*s", FILES_SIZE,
		    units_size(f->size, a));
		x += FILES_SIZE + 1;
		ui_bar(u, y, x, bar, f->have, f->size);
		x += bar + 1;
		ui_textf(y, x, FILES_PCT, "%*.1f", FILES_PCT, f->size == 0 ?
		    100.0 : 100.0 * (double)f->have / (double)f->size);
		if (i == u->row)
			attroff(A_REVERSE);
	}
}

static int
files_key(struct ui *u, const struct snapshot *s, int ch)
{
	const struct snap_share	*sh = ui_selected_share(u, s);
	int			 n = sh != NULL ? (int)sh->nfiles : 0;

	switch (ch) {
	case KEY_UP:
	case 'k':
		return (ui_move(u, -1, n, LINES - 5));
	case KEY_DOWN:
	case 'j':
		return (ui_move(u, 1, n, LINES - 5));
	case KEY_NPAGE:
		return (ui_move(u, LINES - 5, n, LINES - 5));
	case KEY_PPAGE:
		return (ui_move(u, -(LINES - 5), n, LINES - 5));
	}
	return (UI_KEY_IGNORED);
}

const struct ui_view ui_view_files = {
	.name = N_("Files"),
	.draw = files_draw,
	.key = files_key,
};
