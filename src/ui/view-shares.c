/*
 * The shares screen: one line per share with its mode, size, progress,
 * rates, peers (and how many are complete), ETA and state. Enter opens
 * the selected share's tabs.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "ui-int.h"
#include "units.h"

/* Columns, left to right after the name; the bar only on wide screens. */
#define SHARES_MODE	4
#define SHARES_SIZE	8	/* "1023 KiB" */
#define SHARES_BAR	12
#define SHARES_PCT	5	/* "100.0" */
#define SHARES_RATE	10	/* "1023 KiB/s" */
#define SHARES_PEERS	5	/* "12/40" */
#define SHARES_ETA	6	/* "3m 05s" */
#define SHARES_STATE	9	/* "receiving" */
/* A terminal at least this wide gets the progress bar. */
#define SHARES_WIDE	96

static int
shares_visible(struct ui *u, const struct snapshot *s, unsigned *idx)
{
	unsigned	i;
	int		n = 0;

	for (i = 0; i < s->nshares; i++) {
		if (ui_share_visible(u, &s->shares[i]))
			idx[n++] = i;
	}
	return (n);
}

static unsigned
shares_complete_peers(const struct snap_share *sh)
{
	unsigned	i, n = 0;

	for (i = 0; i < sh->npeers; i++) {
		if (sh->size > 0 && sh->peers[i].have >= sh->size)
			n++;
	}
	return (n);
}

static int64_t
shares_eta(const struct snap_share *sh)
{
	if (sh->state != SNAP_RECEIVING || sh->rate_down <= 0)
		return (-1);
	return ((int64_t)((double)(sh->size - sh->have) / sh->rate_down));
}

static void
shares_draw(struct ui *u, const struct snapshot *s, int top, int rows)
{
	unsigned	 idx[s->nshares + 1];
	const struct snap_share *sel = ui_selected_share(u, s);
	char		 a[UNITS_BUFLEN], b[UNITS_BUFLEN], c[UNITS_BUFLEN];
	char		 d[UNITS_BUFLEN], e[UNITS_BUFLEN];
	int		 n, i, y, x, namew, wide = COLS >= SHARES_WIDE;
	int		 fixed, attr;

	n = shares_visible(u, s, idx);
	fixed = SHARES_MODE + SHARES_SIZE + SHARES_PCT + 2 * SHARES_RATE +
	    SHARES_PEERS + SHARES_ETA + SHARES_STATE + 8 +
	    (wide ? SHARES_BAR + 1 : 0);
	namew = COLS - 2 - fixed;
	if (namew < 8)
		namew = 8;
	attron(ui_attr(u, UI_C_TITLE));
	x = 1;
	ui_text(top, x, namew, _("Share"));
	x += namew + 1;
	ui_text(top, x, SHARES_MODE, _("Mode"));
	x += SHARES_MODE + 1;
	ui_textf(top, x, SHARES_SIZE, "%*s", SHARES_SIZE, _("Size"));
	x += SHARES_SIZE + 1;
	if (wide) {
		ui_text(top, x, SHARES_BAR, _("Progress"));
		x += SHARES_BAR + 1;
	}
	ui_textf(top, x, SHARES_PCT, "%*s", SHARES_PCT, "%");
	x += SHARES_PCT + 1;
	ui_textf(top, x, SHARES_RATE, "%*s", SHARES_RATE, _("Down"));
	x += SHARES_RATE + 1;
	ui_textf(top, x, SHARES_RATE, "%*s", SHARES_RATE, _("Up"));
	x += SHARES_RATE + 1;
	ui_textf(top, x, SHARES_PEERS, "%*s", SHARES_PEERS, _("Peers"));
	x += SHARES_PEERS + 1;
	ui_textf(top, x, SHARES_ETA, "%*s", SHARES_ETA, _("ETA"));
	x += SHARES_ETA + 1;
	ui_text(top, x, SHARES_STATE, _("State"));
	attroff(ui_attr(u, UI_C_TITLE));
	if (n == 0) {
		ui_text(top + 2, 1, COLS - 2, u->filter[0] != '\0' ?
		    _("No share matches the filter (/ to change it).") :
		    _("No shares."));
		return;
	}
	y = top + 1;
	for (i = 0; i < n && y < top + rows; i++) {
		const struct snap_share *sh = &s->shares[idx[i]];
		double pct = sh->size == 0 ? 0 :
		    100.0 * (double)sh->have / (double)sh->size;

		if (sh == sel) {
			u->row = i;
			attron(A_REVERSE);
			move(y, 0);
			hline(' ', COLS);
		}
		x = 1;
		ui_text(y, x, namew, sh->name);
		x += namew + 1;
		ui_text(y, x, SHARES_MODE, sh->sending ? _("send") :
		    _("recv"));
		x += SHARES_MODE + 1;
		ui_textf(y, x, SHARES_SIZE, "%*s", SHARES_SIZE,
		    sh->size > 0 ? units_size(sh->size, a) : "-");
		x += SHARES_SIZE + 1;
		if (wide) {
			ui_bar(u, y, x, SHARES_BAR, sh->have, sh->size);
			x += SHARES_BAR + 1;
		}
		ui_textf(y, x, SHARES_PCT, "%*.1f", SHARES_PCT, pct);
		x += SHARES_PCT + 1;
		ui_textf(y, x, SHARES_RATE, "%*s", SHARES_RATE,
		    units_rate(sh->rate_down, b));
		x += SHARES_RATE + 1;
		ui_textf(y, x, SHARES_RATE, "%*s", SHARES_RATE,
		    units_rate(sh->rate_up, c));
		x += SHARES_RATE + 1;
		snprintf(d, sizeof d, "%u/%u", shares_complete_peers(sh),
		    sh->npeers);
		ui_textf(y, x, SHARES_PEERS, "%*s", SHARES_PEERS, d);
		x += SHARES_PEERS + 1;
		ui_textf(y, x, SHARES_ETA, "%*s", SHARES_ETA,
		    units_duration(shares_eta(sh), e));
		x += SHARES_ETA + 1;
		attr = sh->state == SNAP_ERROR ? UI_C_BAD :
		    sh->state == SNAP_COMPLETE ? UI_C_GOOD :
		    sh->state == SNAP_CHECKING ? UI_C_BUSY : UI_C_NORMAL;
		attron(ui_attr(u, attr));
		ui_text(y, x, COLS - x, ui_state_name(sh->state));
		attroff(ui_attr(u, attr));
		if (sh == sel)
			attroff(A_REVERSE);
		y++;
		if (sh->state == SNAP_ERROR && sh->error != NULL &&
		    y < top + rows) {
			attron(ui_attr(u, UI_C_BAD));
			ui_textf(y++, 3, COLS - 4, "%s", sh->error);
			attroff(ui_attr(u, UI_C_BAD));
		}
	}
	/* The selected sender's link for receivers, wrapped whole. */
	if (sel != NULL && sel->sending && sel->magnet != NULL &&
	    y + 2 < top + rows) {
		const char	*m = sel->magnet;
		size_t		 len = strlen(m), w = (size_t)COLS - 2;

		ui_text(++y, 1, COLS - 2, _("Link of the selected share:"));
		for (y++; len > 0 && y < top + rows; y++) {
			ui_text(y, 1, (int)w, m);
			if (len <= w)
				break;
			m += w;
			len -= w;
		}
	}
}

static int
shares_key(struct ui *u, const struct snapshot *s, int ch)
{
	unsigned	idx[s->nshares + 1];
	int		n = shares_visible(u, s, idx);

	switch (ch) {
	case KEY_UP:
	case 'k':
	case KEY_DOWN:
	case 'j':
		if (n == 0)
			return (UI_KEY_HANDLED);
		ui_move(u, ch == KEY_UP || ch == 'k' ? -1 : 1, n, 0);
		u->share = s->shares[idx[u->row]].id;
		return (UI_KEY_HANDLED);
	case '\n':
	case '\r':
	case KEY_ENTER:
	case KEY_RIGHT:
		if (n == 0)
			return (UI_KEY_HANDLED);
		u->view = &ui_view_peers;
		u->tab = 0;
		u->row = u->scroll = 0;
		return (UI_KEY_HANDLED);
	}
	return (UI_KEY_IGNORED);
}

const struct ui_view ui_view_shares = {
	.name = N_("Shares"),
	.draw = shares_draw,
	.key = shares_key,
};
