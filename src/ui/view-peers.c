/*
 * The Peers tab: who the selected share is connected to, what each holds,
 * its rates now and over the last minute, the choke and interest flags,
 * and why it is slow when the engine can tell. The selected peer's full
 * node ID and TLS session are shown below the list.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "ui-int.h"
#include "units.h"

#define PEERS_NODE	8
#define PEERS_ADDR_WIDE	21	/* "[::ffff:10.1.2.3]:7420" mostly fits. */
#define PEERS_ADDR	15	/* "127.0.0.1:65535" */
#define PEERS_SITE	6
#define PEERS_HAVE	6
#define PEERS_RATE	10
#define PEERS_FLAGS	4
#define PEERS_WHY	14
/* Rows kept under the list for the selected peer. */
#define PEERS_INFO	4

static void
peers_draw(struct ui *u, const struct snapshot *s, int top, int rows)
{
	const struct snap_share	*sh = ui_selected_share(u, s);
	char			 a[UNITS_BUFLEN], b[UNITS_BUFLEN];
	char			 id[16], flags[8];
	int			 addrw, used, rest, why, spark, list, i, y, x;

	if (sh == NULL)
		return;
	addrw = COLS >= 100 ? PEERS_ADDR_WIDE : PEERS_ADDR;
	used = PEERS_NODE + addrw + PEERS_SITE + PEERS_HAVE + 2 * PEERS_RATE +
	    PEERS_FLAGS + 7;
	rest = COLS - 2 - used - 1;
	why = rest < PEERS_WHY ? rest : PEERS_WHY;
	spark = rest - why - 1;
	if (spark > UI_HIST)
		spark = UI_HIST;
	attron(ui_attr(u, UI_C_TITLE));
	x = 1;
	ui_text(top, x, PEERS_NODE, _("Node"));
	x += PEERS_NODE + 1;
	ui_text(top, x, addrw, _("Address"));
	x += addrw + 1;
	ui_text(top, x, PEERS_SITE, _("Site"));
	x += PEERS_SITE + 1;
	ui_textf(top, x, PEERS_HAVE, "%*s", PEERS_HAVE, _("Has"));
	x += PEERS_HAVE + 1;
	ui_textf(top, x, PEERS_RATE, "%*s", PEERS_RATE, _("Down"));
	x += PEERS_RATE + 1;
	ui_textf(top, x, PEERS_RATE, "%*s", PEERS_RATE, _("Up"));
	x += PEERS_RATE + 1;
	if (spark >= 4) {
		if (ui_width(_("Last minute")) <= spark)
			ui_text(top, x, spark, _("Last minute"));
		x += spark + 1;
	}
	ui_text(top, x, PEERS_FLAGS, _("Flag"));
	x += PEERS_FLAGS + 1;
	ui_text(top, x, why, _("Slow"));
	attroff(ui_attr(u, UI_C_TITLE));
	if (sh->npeers == 0) {
		ui_text(top + 2, 1, COLS - 2, sh->paused ?
		    _("Paused: no peers until resumed (p).") :
		    _("No peers connected."));
		return;
	}
	if (u->row >= (int)sh->npeers)
		u->row = (int)sh->npeers - 1;
	list = rows - 1 - PEERS_INFO;
	if (list < 1)
		list = 1;
	ui_move(u, 0, (int)sh->npeers, list);
	for (i = u->scroll, y = top + 1; i < (int)sh->npeers &&
	    y < top + 1 + list; i++, y++) {
		const struct snap_peer *p = &sh->peers[i];
		double pct = sh->size == 0 ? 0 :
		    100.0 * (double)p->have / (double)sh->size;

		if (pct > 100)
			pct = 100;
		if (i == u->row)
			attron(A_REVERSE);
		x = 1;
		ui_short_id(p->node, id, sizeof id);
		ui_text(y, x, PEERS_NODE, id);
		x += PEERS_NODE + 1;
		ui_text(y, x, addrw, p->addr);
		x += addrw + 1;
		ui_text(y, x, PEERS_SITE, p->local ? _("local") :
		    _("remote"));
		x += PEERS_SITE + 1;
		ui_textf(y, x, PEERS_HAVE, "%*.0f%%", PEERS_HAVE - 1, pct);
		x += PEERS_HAVE + 1;
		ui_textf(y, x, PEERS_RATE, "%*s", PEERS_RATE,
		    units_rate(p->rate_down, a));
		x += PEERS_RATE + 1;
		ui_textf(y, x, PEERS_RATE, "%*s", PEERS_RATE,
		    units_rate(p->rate_up, b));
		x += PEERS_RATE + 1;
		if (spark >= 4) {
			attron(ui_attr(u, UI_C_GOOD));
			ui_spark(u, y, x, spark, ui_hist_find(u, sh->id, p));
			attroff(ui_attr(u, UI_C_GOOD));
			x += spark + 1;
		}
		snprintf(flags, sizeof flags, "%c%c%c%c",
		    p->choked ? 'c' : '-', p->choking ? 'C' : '-',
		    p->interested ? 'i' : '-', p->interesting ? 'I' : '-');
		ui_text(y, x, PEERS_FLAGS, flags);
		x += PEERS_FLAGS + 1;
		attron(ui_attr(u, UI_C_BUSY));
		ui_text(y, x, why, ui_slow_name(p->slow));
		attroff(ui_attr(u, UI_C_BUSY));
		if (i == u->row)
			attroff(A_REVERSE);
	}
	y = top + rows - PEERS_INFO;
	if (y <= top + 1)
		return;
	{
		const struct snap_peer *p = &sh->peers[u->row];

		ui_textf(y, 1, COLS - 2, _("Node %s"), p->node);
		ui_textf(y + 1, 1, COLS - 2, _("%s, %s, %s%s%s"),
		    p->tls[0] != '\0' ? p->tls : _("no TLS yet"),
		    p->outgoing ? _("we dialled it") : _("it dialled us"),
		    p->local ? _("this site") : _("another site"),
		    p->site[0] != '\0' ? ": " : "", p->site);
		attron(ui_attr(u, UI_C_DIM));
		ui_text(y + 2, 1, COLS - 2, _("Flags: c it chokes us, C we "
		    "choke it, i it wants ours, I we want its"));
		attroff(ui_attr(u, UI_C_DIM));
	}
}

static int
peers_key(struct ui *u, const struct snapshot *s, int ch)
{
	const struct snap_share	*sh = ui_selected_share(u, s);
	int			 n = sh != NULL ? (int)sh->npeers : 0;

	switch (ch) {
	case KEY_UP:
	case 'k':
		return (ui_move(u, -1, n, 0));
	case KEY_DOWN:
	case 'j':
		return (ui_move(u, 1, n, 0));
	}
	return (UI_KEY_IGNORED);
}

const struct ui_view ui_view_peers = {
	.name = N_("Peers"),
	.draw = peers_draw,
	.key = peers_key,
};
