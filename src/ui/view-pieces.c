/*
 * The Pieces tab: a map of every piece, one cell each (or, when there are
 * more pieces than cells, one cell for a run of them), by state (have, in
 * flight, missing) and, for missing pieces, by how many peers hold them.
 * Each state has its own glyph, so the map reads without colour too.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "ui-int.h"

static void
pieces_draw(struct ui *u, const struct snapshot *s, int top, int rows)
{
	const struct snap_share	*sh = ui_selected_share(u, s);
	uint32_t		 n, per, cells, c, i, first, last, minav;
	uint32_t		 have = 0, flight = 0, none = 0;
	int			 width = COLS - 2, y, x, st, attr;
	const char		*g;

	if (sh == NULL)
		return;
	if (sh->piece_map == NULL || sh->pieces == 0) {
		ui_text(top + 1, 1, COLS - 2, _("The pieces are not known "
		    "yet: waiting for the share's metadata."));
		return;
	}
	n = sh->pieces;
	for (i = 0; i < n; i++) {
		if (sh->piece_map[i] == SNAP_PIECE_HAVE)
			have++;
		else if (sh->piece_map[i] == SNAP_PIECE_INFLIGHT)
			flight++;
		else if (sh->piece_avail[i] == 0)
			none++;
	}
	ui_textf(top, 1, COLS - 2, _("%u pieces: %u here, %u in flight, "
	    "%u missing (%u that no peer has)"), n, have, flight,
	    n - have - flight, none);
	attron(ui_attr(u, UI_C_GOOD));
	x = 1 + ui_text(top + 1, 1, 2, ui_glyph(u, "\xe2\x96\x88", "#"));
	attroff(ui_attr(u, UI_C_GOOD));
	x += ui_text(top + 1, x, 6, _(" here "));
	attron(ui_attr(u, UI_C_BUSY));
	x += ui_text(top + 1, x, 2, ui_glyph(u, "\xe2\x96\x92", "+"));
	attroff(ui_attr(u, UI_C_BUSY));
	x += ui_text(top + 1, x, 12, _(" in flight "));
	x += ui_text(top + 1, x, 2, ui_glyph(u, "\xe2\x96\x91", "1"));
	x += ui_text(top + 1, x, 30, _(" missing, held by 1-9 peers "));
	attron(ui_attr(u, UI_C_BAD));
	x += ui_text(top + 1, x, 2, ui_glyph(u, "\xc2\xb7", "."));
	attroff(ui_attr(u, UI_C_BAD));
	ui_text(top + 1, x, COLS - x - 1, _(" held by nobody"));
	rows -= 3;
	if (rows < 1 || width < 1)
		return;
	cells = (uint32_t)rows * (uint32_t)width;
	per = (n + cells - 1) / cells;
	if (per == 0)
		per = 1;
	for (c = 0; c * per < n; c++) {
		first = c * per;
		last = first + per > n ? n : first + per;
		/* A run is here if all are, in flight if any is. */
		st = SNAP_PIECE_HAVE;
		minav = 255;
		for (i = first; i < last; i++) {
			if (sh->piece_map[i] == SNAP_PIECE_INFLIGHT)
				st = SNAP_PIECE_INFLIGHT;
			else if (sh->piece_map[i] == SNAP_PIECE_MISSING &&
			    st == SNAP_PIECE_HAVE)
				st = SNAP_PIECE_MISSING;
			if (sh->piece_avail[i] < minav)
				minav = sh->piece_avail[i];
		}
		y = top + 3 + (int)(c / (uint32_t)width);
		x = 1 + (int)(c % (uint32_t)width);
		if (st == SNAP_PIECE_HAVE) {
			attr = UI_C_GOOD;
			g = ui_glyph(u, "\xe2\x96\x88", "#");
		} else if (st == SNAP_PIECE_INFLIGHT) {
			attr = UI_C_BUSY;
			g = ui_glyph(u, "\xe2\x96\x92", "+");
		} else if (minav == 0) {
			attr = UI_C_BAD;
			g = ui_glyph(u, "\xc2\xb7", ".");
		} else {
			static const char *const digits[] = {
				"0", "1", "2", "3", "4", "5", "6", "7", "8",
				"9"
			};

			attr = UI_C_NORMAL;
			g = u->utf8 ? "\xe2\x96\x91" :
			    digits[minav > 9 ? 9 : minav];
		}
		attron(ui_attr(u, attr));
		ui_text(y, x, 1, g);
		attroff(ui_attr(u, attr));
	}
	if (per > 1)
		ui_textf(top + 2, 1, COLS - 2, _("(one cell for every %u "
		    "pieces)"), per);
}

const struct ui_view ui_view_pieces = {
	.name = N_("Pieces"),
	.draw = pieces_draw,
	.key = NULL,
};
