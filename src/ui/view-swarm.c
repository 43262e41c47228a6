/*
 * The Swarm tab: every node this one sees, its completion side by side
 * with ours, and the transfers flowing between us now.
 */
#include "config.h"

#include <stdio.h>

#include "i18n.h"
#include "ui-int.h"
#include "units.h"

#define SWARM_NODE	10
#define SWARM_PCT	6

static void
swarm_draw(struct ui *u, const struct snapshot *s, int top, int rows)
{
	const struct snap_share	*sh = ui_selected_share(u, s);
	char			 a[UNITS_BUFLEN], id[16], flow[96];
	int			 bar, flowx, i, y;
	unsigned		 done = 0;

	if (sh == NULL)
		return;
	for (i = 0; i < (int)sh->npeers; i++) {
		if (sh->size > 0 && sh->peers[i].have >= sh->size)
			done++;
	}
	ui_textf(top, 1, COLS - 2, _("%u nodes: this one and %u peers, %u "
	    "of them complete"), sh->npeers + 1, sh->npeers, done);
	bar = (COLS - 2 - SWARM_NODE - SWARM_PCT - 3) / 2;
	if (bar > 40)
		bar = 40;
	flowx = 1 + SWARM_NODE + 1 + bar + 1 + SWARM_PCT + 1;
	attron(ui_attr(u, UI_C_TITLE));
	ui_text(top + 1, 1, SWARM_NODE, _("Node"));
	ui_text(top + 1, 1 + SWARM_NODE + 1, bar, _("Completion"));
	ui_text(top + 1, flowx, COLS - flowx - 1, _("Flowing now"));
	attroff(ui_attr(u, UI_C_TITLE));
	y = top + 2;
	attron(A_BOLD);
	ui_text(y, 1, SWARM_NODE, _("this node"));
	attroff(A_BOLD);
	ui_bar(u, y, 1 + SWARM_NODE + 1, bar, sh->have, sh->size);
	ui_textf(y, 1 + SWARM_NODE + 1 + bar + 1, SWARM_PCT, "%5.1f%%",
	    sh->size == 0 ? 0 : 100.0 * (double)sh->have / (double)sh->size);
	ui_text(y, flowx, COLS - flowx - 1, ui_state_name(sh->state));
	ui_move(u, 0, (int)sh->npeers, rows - 3);
	for (i = u->scroll, y++; i < (int)sh->npeers && y < top + rows;
	    i++, y++) {
		const struct snap_peer *p = &sh->peers[i];
		uint64_t have = p->have > sh->size ? sh->size : p->have;
		int n = 0;

		ui_short_id(p->node, id, sizeof id);
		ui_text(y, 1, SWARM_NODE, id);
		ui_bar(u, y, 1 + SWARM_NODE + 1, bar, have, sh->size);
		ui_textf(y, 1 + SWARM_NODE + 1 + bar + 1, SWARM_PCT,
		    "%5.1f%%", sh->size == 0 ? 0 :
		    100.0 * (double)have / (double)sh->size);
		flow[0] = '\0';
		if (p->rate_up > 0)
			n = snprintf(flow, sizeof flow, "%s %s",
			    ui_glyph(u, "\xe2\x86\x90", "<-"),
			    units_rate(p->rate_up, a));
		if (p->rate_down > 0 && n >= 0 && (size_t)n < sizeof flow)
			snprintf(flow + n, sizeof flow - (size_t)n,
			    "%s%s %s", n > 0 ? "  " : "",
			    ui_glyph(u, "\xe2\x86\x92", "->"),
			    units_rate(p->rate_down, a));
		if (flow[0] == '\0')
			snprintf(flow, sizeof flow, "%s",
			    have >= sh->size && sh->size > 0 ?
			    _("complete") : _("idle"));
		ui_text(y, flowx, COLS - flowx - 1, flow);
	}
	attron(ui_attr(u, UI_C_DIM));
	if (top + rows - 1 > y)
		ui_text(top + rows - 1, 1, COLS - 2, u->utf8 ?
		    _("\xe2\x86\x90 we send to it, \xe2\x86\x92 it sends "
		    "to us") : _("<- we send to it, -> it sends to us"));
	attroff(ui_attr(u, UI_C_DIM));
}

static int
swarm_key(struct ui *u, const struct snapshot *s, int ch)
{
	const struct snap_share	*sh = ui_selected_share(u, s);
	int			 n = sh != NULL ? (int)sh->npeers : 0;

	switch (ch) {
	case KEY_UP:
	case 'k':
		return (ui_move(u, -1, n, LINES - 6));
	case KEY_DOWN:
	case 'j':
		return (ui_move(u, 1, n, LINES - 6));
	}
	return (UI_KEY_IGNORED);
}

const struct ui_view ui_view_swarm = {
	.name = N_("Swarm"),
	.draw = swarm_draw,
	.key = swarm_key,
};
