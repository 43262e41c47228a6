/*
 * The terminal front end's loop. The main thread owns curses; it waits in
 * poll() on the keyboard, a signalfd (SIGINT, SIGTERM, SIGHUP, blocked in
 * every thread by the caller) and the engine's notify descriptor, with a
 * timeout as the tick. It reads the newest snapshot, never engine memory,
 * and sends commands with engine_submit().
 *
 * Redraws: at most one every UI_FRAME_MS for new snapshots (the engine
 * publishes four a second, so an idle screen costs four small redraws a
 * second); a key redraws at once. SIGWINCH is unblocked on this thread
 * only, so it interrupts poll() here and ncurses turns it into
 * KEY_RESIZE.
 *
 * The terminal is restored on every way out: quit and signals leave the
 * loop and call endwin(); fatalx() calls the hook set here first.
 */
#include "config.h"

#include <sys/signalfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "i18n.h"
#include "log.h"
#include "magnet.h"
#include "nodeid.h"
#include "ui-int.h"
#include "units.h"
#include "xmalloc.h"

/* The shortest time between two redraws: four a second at most. */
#define UI_FRAME_MS	250
/* How long a message stays in the footer. */
#define UI_MESSAGE_MS	5000

static const struct ui_view *const ui_tabs[UI_NTABS] = {
	&ui_view_peers, &ui_view_pieces, &ui_view_files, &ui_view_swarm,
	&ui_view_log
};

/* Set while curses owns the terminal, for the fatal hook. */
static volatile int	ui_curses_on;

static void
ui_fatal_hook(void)
{
	if (ui_curses_on) {
		ui_curses_on = 0;
		endwin();
	}
}

static uint64_t
ui_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

void
ui_message(struct ui *u, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(u->message, sizeof u->message, fmt, ap);
	va_end(ap);
	u->message_until = ui_now() + UI_MESSAGE_MS;
}

int
ui_share_visible(struct ui *u, const struct snap_share *sh)
{
	return (u->filter[0] == '\0' || strstr(sh->name, u->filter) != NULL);
}

const struct snap_share *
ui_selected_share(struct ui *u, const struct snapshot *s)
{
	unsigned	i;

	for (i = 0; i < s->nshares; i++) {
		if (s->shares[i].id == u->share &&
		    ui_share_visible(u, &s->shares[i]))
			return (&s->shares[i]);
	}
	for (i = 0; i < s->nshares; i++) {
		if (ui_share_visible(u, &s->shares[i])) {
			u->share = s->shares[i].id;
			return (&s->shares[i]);
		}
	}
	return (NULL);
}

int
ui_move(struct ui *u, int delta, int n, int shown)
{
	int	row = u->row + delta;

	if (row >= n)
		row = n - 1;
	if (row < 0)
		row = 0;
	u->row = row;
	if (shown > 0) {
		if (u->row < u->scroll)
			u->scroll = u->row;
		if (u->row >= u->scroll + shown)
			u->scroll = u->row - shown + 1;
	}
	return (UI_KEY_HANDLED);
}

static int
ui_in_detail(const struct ui *u)
{
	int	i;

	for (i = 0; i < UI_NTABS; i++) {
		if (u->view == ui_tabs[i])
			return (1);
	}
	return (0);
}

/* Rate history for the sparklines: one sample a second per peer. */

static void
ui_peer_key(const struct snap_peer *p, char *key, size_t len)
{
	snprintf(key, len, "%s %s", p->node, p->addr);
}

const struct ui_hist *
ui_hist_find(struct ui *u, uint32_t share, const struct snap_peer *p)
{
	char	key[128];
	size_t	i;

	ui_peer_key(p, key, sizeof key);
	for (i = 0; i < u->nhist; i++) {
		if (u->hist[i].share == share &&
		    strcmp(u->hist[i].key, key) == 0)
			return (&u->hist[i]);
	}
	return (NULL);
}

static void
ui_hist_update(struct ui *u, const struct snapshot *s, uint64_t now)
{
	struct ui_hist	*h, *keep;
	size_t		 i, nkeep = 0, n = 0;
	unsigned	 j, k;
	uint64_t	 sec = now / 1000;

	for (j = 0; j < s->nshares; j++)
		n += s->shares[j].npeers;
	/* Peers that left lose their history; the rest carry on. */
	keep = xcalloc(n + 1, sizeof *keep);
	for (j = 0; j < s->nshares; j++) {
		const struct snap_share *sh = &s->shares[j];

		for (k = 0; k < sh->npeers; k++) {
			const struct snap_peer *p = &sh->peers[k];
			const struct ui_hist *old = ui_hist_find(u, sh->id, p);

			h = &keep[nkeep++];
			if (old != NULL)
				*h = *old;
			else {
				h->share = sh->id;
				ui_peer_key(p, h->key, sizeof h->key);
				h->sec = sec - 1;
			}
			/* Seconds missed (a stalled loop) count as idle. */
			for (i = 0; h->sec + 1 < sec && i < UI_HIST; i++) {
				h->v[h->head] = 0;
				h->head = (h->head + 1) % UI_HIST;
				if (h->n < UI_HIST)
					h->n++;
				h->sec++;
			}
			if (h->sec >= sec)
				continue;
			h->v[h->head] = (float)(p->rate_down + p->rate_up);
			h->head = (h->head + 1) % UI_HIST;
			if (h->n < UI_HIST)
				h->n++;
			h->sec = sec;
		}
	}
	free(u->hist);
	u->hist = keep;
	u->nhist = nkeep;
}

/* Header and footer. */

/*
 * Add a segment if it fits whole: nothing is ever cut mid-word. Once one
 * does not fit, none after it is shown, so what is left off is the end.
 */
static int
ui_segment(int y, int x, const char *text)
{
	int	w = ui_width(text);

	if (x + w > COLS)
		return (COLS + 1);
	ui_text(y, x, w, text);
	return (x + w + 2);
}

static void
ui_header(struct ui *u, const struct snapshot *s)
{
	char	a[UNITS_BUFLEN], b[UNITS_BUFLEN], seg[160], id[16];
	int	x = 1;

	attron(ui_attr(u, UI_C_HEADER));
	move(0, 0);
	hline(' ', COLS);
	x = ui_segment(0, x, "shoal");
	if (s->node_name[0] != '\0')
		x = ui_segment(0, x, s->node_name);
	ui_short_id(s->node_id, id, sizeof id);
	snprintf(seg, sizeof seg, _("ID %s"), id);
	x = ui_segment(0, x, seg);
	if (s->listen[0] != '\0') {
		snprintf(seg, sizeof seg, _("on %s"), s->listen);
		x = ui_segment(0, x, seg);
	}
	snprintf(seg, sizeof seg, _("down %s"), units_rate(s->rate_down, a));
	x = ui_segment(0, x, seg);
	snprintf(seg, sizeof seg, _("up %s"), units_rate(s->rate_up, a));
	x = ui_segment(0, x, seg);
	if (s->download_limit != 0) {
		snprintf(seg, sizeof seg, _("down limit %s"),
		    units_rate((double)s->download_limit, a));
		x = ui_segment(0, x, seg);
	}
	if (s->upload_limit != 0) {
		snprintf(seg, sizeof seg, _("up limit %s"),
		    units_rate((double)s->upload_limit, b));
		ui_segment(0, x, seg);
	}
	attroff(ui_attr(u, UI_C_HEADER));
}

static void
ui_tabbar(struct ui *u, const struct snapshot *s)
{
	const struct snap_share	*sh = ui_selected_share(u, s);
	char			 seg[320];
	int			 i, x = 1;

	for (i = 0; i < UI_NTABS; i++) {
		snprintf(seg, sizeof seg, "%d %s", i + 1, _(ui_tabs[i]->name));
		if (u->view == ui_tabs[i])
			attron(ui_attr(u, UI_C_HEADER));
		if (ui_width(seg) + x <= COLS)
			ui_text(1, x, ui_width(seg), seg);
		if (u->view == ui_tabs[i])
			attroff(ui_attr(u, UI_C_HEADER));
		x += ui_width(seg) + 2;
	}
	if (sh != NULL) {
		snprintf(seg, sizeof seg, "%s: %s", sh->name,
		    ui_state_name(sh->state));
		attron(ui_attr(u, UI_C_TITLE));
		ui_text(1, x + 1, COLS - x - 1, seg);
		attroff(ui_attr(u, UI_C_TITLE));
	}
}

static void
ui_footer(struct ui *u, const struct snapshot *s, uint64_t now)
{
	static const char *const shares_keys[] = {
		N_("Enter open"), N_("p pause"), N_("r recheck"),
		N_("l limits"), N_("/ filter"), N_("? help"), N_("q quit"),
		NULL
	};
	static const char *const detail_keys[] = {
		N_("Tab/1-5 tabs"), N_("Esc back"), N_("p pause"),
		N_("r recheck"), N_("l limits"), N_("? help"), N_("q quit"),
		NULL
	};
	static const char *const help_keys[] = {
		N_("any key: back"), NULL
	};
	const char *const	*k;
	char			 line[256];
	int			 y = LINES - 1, x = 1;

	if (u->opts->status != NULL && LINES > 4) {
		u->opts->status(u->opts->status_arg, line, sizeof line);
		attron(ui_attr(u, UI_C_TITLE));
		ui_text(LINES - 2, 1, COLS - 2, line);
		attroff(ui_attr(u, UI_C_TITLE));
	}
	attron(ui_attr(u, UI_C_HEADER));
	move(y, 0);
	hline(' ', COLS);
	if (u->prompting) {
		int	 w = ui_text(y, 1, COLS - 2, u->prompt);
		int	 room = COLS - 3 - w;
		const char *in = u->input;

		/* A long answer (a link) shows its end, where one types. */
		if (room > 0 && u->ninput > (size_t)room)
			in = u->input + u->ninput - (size_t)room;
		if (room > 0)
			ui_text(y, 1 + w, room, in);
		attroff(ui_attr(u, UI_C_HEADER));
		return;
	}
	if (u->message[0] != '\0' && now < u->message_until) {
		ui_text(y, 1, COLS - 2, u->message);
		attroff(ui_attr(u, UI_C_HEADER));
		return;
	}
	if (u->view == &ui_view_help)
		k = help_keys;
	else if (ui_in_detail(u))
		k = detail_keys;
	else
		k = shares_keys;
	for (; *k != NULL; k++)
		x = ui_segment(y, x, _(*k));
	attroff(ui_attr(u, UI_C_HEADER));
}

static void
ui_draw(struct ui *u, const struct snapshot *s, uint64_t now)
{
	int	top = 1, bottom = LINES - 1;

	erase();
	if (LINES < 5 || COLS < 20) {
		ui_text(0, 0, COLS, _("The terminal is too small."));
		refresh();
		return;
	}
	ui_header(u, s);
	if (u->opts->status != NULL)
		bottom--;
	if (ui_in_detail(u)) {
		ui_tabbar(u, s);
		top = 2;
	}
	u->view->draw(u, s, top, bottom - top);
	ui_footer(u, s, now);
	refresh();
}

/* Keys. */

/* Is anything moving: a receiver not done, a sender's peer not done? */
static int
ui_busy(const struct snapshot *s)
{
	unsigned	i, j;

	for (i = 0; i < s->nshares; i++) {
		const struct snap_share *sh = &s->shares[i];

		if (sh->state == SNAP_RECEIVING || sh->state == SNAP_CHECKING ||
		    (sh->state == SNAP_STARTING && !sh->sending))
			return (1);
		if (sh->state != SNAP_SENDING)
			continue;
		for (j = 0; j < sh->npeers; j++) {
			if (sh->peers[j].have < sh->size)
				return (1);
		}
	}
	return (0);
}

static void
ui_ask(struct ui *u, const char *prompt, const char *start,
    void (*answer)(struct ui *, const char *))
{
	u->prompting = 1;
	snprintf(u->prompt, sizeof u->prompt, "%s", prompt);
	snprintf(u->input, sizeof u->input, "%s", start);
	u->ninput = strlen(u->input);
	u->answer = answer;
}

static void
ui_answer_quit(struct ui *u, const char *text)
{
	if (text[0] == 'y' || text[0] == 'Y')
		u->quit = 1;
}

static void
ui_answer_filter(struct ui *u, const char *text)
{
	snprintf(u->filter, sizeof u->filter, "%s", text);
	u->row = u->scroll = 0;
}

static void
ui_answer_limits(struct ui *u, const char *text)
{
	struct engine_cmd	 c;
	char			 up[32], down[32];
	char			 a[UNITS_BUFLEN], b[UNITS_BUFLEN];

	memset(&c, 0, sizeof c);
	c.type = ENGINE_CMD_LIMITS;
	if (sscanf(text, "%31s %31s", up, down) != 2 ||
	    units_parse_size(up, &c.upload_limit) != 0 ||
	    units_parse_size(down, &c.download_limit) != 0) {
		ui_message(u, _("Limits not changed: give two rates, upload "
		    "then download, like \"500K 2M\" (0 for none)."));
		return;
	}
	engine_submit(u->e, &c);
	ui_message(u, _("Limits set: upload %s, download %s."),
	    c.upload_limit ? units_rate((double)c.upload_limit, a) :
	    _("none"), c.download_limit ?
	    units_rate((double)c.download_limit, b) : _("none"));
}

/* The limit as the prompt shows it: a number people type back. */
static void
ui_limit_text(uint64_t v, char *buf, size_t len)
{
	if (v == 0)
		snprintf(buf, len, "0");
	else if (v % (1024 * 1024) == 0)
		snprintf(buf, len, "%lluM", (unsigned long long)(v >> 20));
	else if (v % 1024 == 0)
		snprintf(buf, len, "%lluK", (unsigned long long)(v >> 10));
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

static int
ui_prompt_key(struct ui *u, int ch)
{
	char	text[sizeof u->input];

	if (u->confirm_quit) {
		u->prompting = u->confirm_quit = 0;
		text[0] = (char)ch;
		text[1] = '\0';
		ui_answer_quit(u, text);
		return (UI_KEY_HANDLED);
	}
	switch (ch) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		u->prompting = 0;
		snprintf(text, sizeof text, "%s", u->input);
		u->answer(u, text);
		break;
	case 27:	/* Escape. */
		u->prompting = 0;
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (u->ninput > 0)
			u->input[--u->ninput] = '\0';
		break;
	default:
		if (ch >= 32 && ch < 127 && u->ninput + 1 < sizeof u->input) {
			u->input[u->ninput++] = (char)ch;
			u->input[u->ninput] = '\0';
		}
		break;
	}
	return (UI_KEY_HANDLED);
}

static void
ui_open_tab(struct ui *u, int tab)
{
	if (u->view != ui_tabs[tab])
		u->row = u->scroll = 0;
	u->tab = tab;
	u->view = ui_tabs[tab];
}

/*
 * "e": the config file in $VISUAL or $EDITOR (vi without either), with
 * the terminal handed over, then read again as SIGHUP would. The editor
 * gets back the signals this thread keeps blocked for its signalfd.
 */
static void
ui_edit_config(struct ui *u)
{
	const struct ui_opts	*o = u->opts;
	sigset_t		 all;
	pid_t			 pid;
	int			 st = 0;

	if (o == NULL || o->config == NULL || o->reload == NULL) {
		ui_message(u, _("Only \"shoal run\" has a config file to "
		    "edit."));
		return;
	}
	def_prog_mode();
	endwin();
	fflush(stdout);
	if ((pid = fork()) == 0) {
		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		execl("/bin/sh", "sh", "-c",
		    "exec ${VISUAL:-${EDITOR:-vi}} \"$1\"", "sh", o->config,
		    (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
	}
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	if (pid == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		ui_message(u, _("The editor failed; the config was not read "
		    "again."));
		return;
	}
	o->reload(u->e, o->reload_arg);
	ui_message(u, _("Read %s again; the Log tab says what changed."),
	    o->config);
}

/*
 * The "a" form: a folder, send or receive, then who may receive it (send)
 * or the link to receive (receive). The section is appended to a copy of
 * the config file, which must load before it replaces the file; then the
 * file is read again as SIGHUP does. Comments and layout are kept.
 */
static void
ui_form_done(struct ui *u, const char *text)
{
	const struct ui_opts	*o = u->opts;
	struct magnet		 mg;
	struct conf		 c;
	struct buf		 b;
	FILE			*f;
	const char		*base;
	char			*tmp = NULL, *cause = NULL, name[CONF_NAME_MAX + 1];
	char			 node[NODEID_TEXT_SIZE], hex[65], word[128];
	const char		*p;
	size_t			 i;
	int			 n, k, fd = -1;

	buf_init(&b);
	magnet_init(&mg);
	memset(&c, 0, sizeof c);
	/* The original file, then the new section. */
	if ((f = fopen(o->config, "r")) == NULL) {
		ui_message(u, _("Cannot read %s: %s"), o->config,
		    strerror(errno));
		goto out;
	}
	while ((n = (int)fread(word, 1, sizeof word, f)) > 0)
		buf_add(&b, word, (size_t)n);
	fclose(f);
	if (b.len > 0 && b.data[b.len - 1] != '\n')
		buf_add_str(&b, "\n");
	base = strrchr(u->form_path, '/');
	base = base != NULL && base[1] != '\0' ? base + 1 : u->form_path;
	snprintf(name, sizeof name, "%.*s", CONF_NAME_MAX, base);
	/* A name the file has not used yet: NAME, NAME-2, NAME-3 ... */
	for (k = 2; k < 100; k++) {
		char	hdr[CONF_NAME_MAX + 16];

		snprintf(hdr, sizeof hdr, "[share \"%s\"]", name);
		if (b.data == NULL || strstr((char *)b.data, hdr) == NULL)
			break;
		snprintf(name, sizeof name, "%.*s-%d", CONF_NAME_MAX - 4, base,
		    k);
	}
	buf_addf(&b, "\n[share \"%s\"]\npath = %s\nmode = %s\n", name,
	    u->form_path, u->form_send ? "send" : "receive");
	if (u->form_send) {
		if (strcmp(text, "open") == 0)
			buf_add_str(&b, "open = yes\n");
		for (p = text; strcmp(text, "open") != 0 &&
		    sscanf(p, "%127s%n", word, &n) == 1; p += n)
			buf_addf(&b, "allow = %s\n", word);
	} else {
		if (magnet_parse(&mg, text, &cause) != 0 || !mg.has_v2) {
			ui_message(u, _("Not added: that is not a link with a "
			    "v2 hash (%s)."), cause != NULL ? cause :
			    _("no btmh"));
			goto out;
		}
		for (i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", mg.v2[i]);
		buf_addf(&b, "info_hash = %s\n", hex);
		if (mg.node != NULL) {
			snprintf(node, sizeof node, "%s", mg.node);
			buf_addf(&b, "source = %s\n", node);
		}
		for (i = 0; i < mg.npeers; i++)
			buf_addf(&b, strchr(mg.peers[i].host, ':') != NULL ?
			    "peer = [%s]:%u\n" : "peer = %s:%u\n",
			    mg.peers[i].host, mg.peers[i].port);
	}
	xasprintf(&tmp, "%s.new-XXXXXX", o->config);
	if ((fd = mkstemp(tmp)) == -1 ||
	    write(fd, b.data, b.len) != (ssize_t)b.len || close(fd) != 0) {
		ui_message(u, _("Cannot write next to %s: %s"), o->config,
		    strerror(errno));
		if (fd != -1)
			unlink(tmp);
		goto out;
	}
	if (conf_load(&c, tmp, &cause) != 0) {
		unlink(tmp);
		ui_message(u, _("Not added: %s"), cause);
		goto out;
	}
	conf_free(&c);
	if (rename(tmp, o->config) != 0) {
		unlink(tmp);
		ui_message(u, _("Cannot replace %s: %s"), o->config,
		    strerror(errno));
		goto out;
	}
	o->reload(u->e, o->reload_arg);
	ui_message(u, _("Added share %s to %s."), name, o->config);
out:
	free(cause);
	free(tmp);
	magnet_destroy(&mg);
	buf_destroy(&b);
}

static void
ui_form_mode(struct ui *u, const char *text)
{
	if (strcmp(text, "send") == 0)
		u->form_send = 1;
	else if (strcmp(text, "receive") == 0)
		u->form_send = 0;
	else {
		ui_message(u, _("Not added: the mode is send or receive."));
		return;
	}
	if (u->form_send)
		ui_ask(u, _("Who may receive it: node IDs, or open: "), "",
		    ui_form_done);
	else
		ui_ask(u, _("The link to receive (magnet:...): "), "",
		    ui_form_done);
}

static void
ui_form_path(struct ui *u, const char *text)
{
	if (text[0] != '/') {
		ui_message(u, _("Not added: give the folder's full path."));
		return;
	}
	snprintf(u->form_path, sizeof u->form_path, "%s", text);
	ui_ask(u, _("send or receive: "), "", ui_form_mode);
}

static void
ui_key(struct ui *u, const struct snapshot *s, int ch)
{
	const struct snap_share	*sh;
	struct engine_cmd	 c;
	char			 up[24], down[24], start[64];

	if (u->prompting) {
		ui_prompt_key(u, ch);
		return;
	}
	if (u->view == &ui_view_help) {
		u->view = u->back;
		return;
	}
	if (u->view->key != NULL && u->view->key(u, s, ch) == UI_KEY_HANDLED)
		return;
	sh = ui_selected_share(u, s);
	switch (ch) {
	case 'q':
		if (ui_busy(s)) {
			ui_ask(u, _("Transfers are running. Quit? (y/n) "), "",
			    ui_answer_quit);
			u->confirm_quit = 1;
		} else
			u->quit = 1;
		break;
	case '?':
		u->back = u->view;
		u->view = &ui_view_help;
		break;
	case 27:
	case KEY_LEFT:
	case KEY_BACKSPACE:
	case 127:
	case 'h':
		if (ui_in_detail(u)) {
			u->view = &ui_view_shares;
			u->row = u->scroll = 0;
		}
		break;
	case '\t':
		if (sh != NULL)
			ui_open_tab(u, ui_in_detail(u) ? (u->tab + 1) %
			    UI_NTABS : u->tab);
		break;
	case KEY_BTAB:
		if (sh != NULL)
			ui_open_tab(u, (u->tab + UI_NTABS - 1) % UI_NTABS);
		break;
	case '1': case '2': case '3': case '4': case '5':
		if (sh != NULL)
			ui_open_tab(u, ch - '1');
		break;
	case 'p':
	case 'r':
		if (sh == NULL)
			break;
		memset(&c, 0, sizeof c);
		c.share = sh->id;
		if (ch == 'r') {
			c.type = ENGINE_CMD_RECHECK;
			if (sh->sending)
				ui_message(u, _("%s is sent from here: there "
				    "is nothing to re-check."), sh->name);
			else
				ui_message(u, _("Re-checking %s."), sh->name);
		} else if (sh->paused) {
			c.type = ENGINE_CMD_RESUME;
			ui_message(u, _("Resuming %s."), sh->name);
		} else {
			c.type = ENGINE_CMD_PAUSE;
			ui_message(u, _("Pausing %s."), sh->name);
		}
		if (ch != 'r' || !sh->sending)
			engine_submit(u->e, &c);
		break;
	case 'l':
		ui_limit_text(s->upload_limit, up, sizeof up);
		ui_limit_text(s->download_limit, down, sizeof down);
		snprintf(start, sizeof start, "%s %s", up, down);
		ui_ask(u, _("Limits, upload then download (0: none): "),
		    start, ui_answer_limits);
		break;
	case '/':
		ui_ask(u, _("Filter shares by name: "), u->filter,
		    ui_answer_filter);
		break;
	case 'e':
		ui_edit_config(u);
		break;
	case 'a':
		if (u->opts == NULL || u->opts->config == NULL ||
		    u->opts->reload == NULL) {
			ui_message(u, _("Only \"shoal run\" has a config file "
			    "to add a share to."));
			break;
		}
		ui_ask(u, _("Folder (full path): "), "", ui_form_path);
		break;
	case 12:	/* Ctrl-L. */
		clearok(curscr, TRUE);
		break;
	}
}

/* Setting up and tearing down the terminal. */

static void
ui_start_curses(struct ui *u)
{
	const char	*nc = getenv("NO_COLOR");

	u->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	initscr();
	ui_curses_on = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* NO_COLOR (no-color.org): present and not empty means no colour. */
	u->color = has_colors() && (nc == NULL || nc[0] == '\0');
	if (u->color) {
		start_color();
		use_default_colors();
		init_pair(UI_C_HEADER, COLOR_BLACK, COLOR_CYAN);
		init_pair(UI_C_GOOD, COLOR_GREEN, -1);
		init_pair(UI_C_BUSY, COLOR_YELLOW, -1);
		init_pair(UI_C_BAD, COLOR_RED, -1);
		init_pair(UI_C_DIM, COLOR_BLUE, -1);
	}
}

static void
ui_stop_curses(void)
{
	if (ui_curses_on) {
		ui_curses_on = 0;
		endwin();
	}
}

int
ui_run(struct engine *e, const struct ui_opts *opts)
{
	struct ui		 u;
	struct snapshot		*s;
	struct pollfd		 pfd[3];
	struct signalfd_siginfo	 si;
	sigset_t		 sigs, winch;
	uint64_t		 now, last_draw = 0, gen = 0, counter;
	int			 ch, wait, force = 1, status = 0;
	unsigned		 i;
	char			*fatal = NULL;

	memset(&u, 0, sizeof u);
	u.e = e;
	u.opts = opts;
	u.view = &ui_view_shares;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	pthread_sigmask(SIG_UNBLOCK, &winch, NULL);
	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	pfd[1].fd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	pfd[1].events = POLLIN;
	pfd[2].fd = engine_notify_fd(e);
	pfd[2].events = POLLIN;

	/* Nothing may print on the terminal while curses owns it. */
	log_open(NULL, LOG_INFO);
	xmalloc_set_fatal_hook(ui_fatal_hook);
	ui_start_curses(&u);
	for (;;) {
		now = ui_now();
		wait = UI_FRAME_MS;
		if (now - last_draw < UI_FRAME_MS)
			wait = (int)(UI_FRAME_MS - (now - last_draw));
		if (poll(pfd, 3, wait) > 0) {
			if ((pfd[1].revents & POLLIN) &&
			    read(pfd[1].fd, &si, sizeof si) == sizeof si)
				break;
			if (pfd[2].revents & POLLIN)
				(void)!read(pfd[2].fd, &counter,
				    sizeof counter);
			/* A closed keyboard must not spin the loop. */
			if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
				pfd[0].fd = -1;
		}
		s = engine_snapshot(e);
		if (s->stopped) {
			if (s->fatal != NULL)
				fatal = xstrdup(s->fatal);
			snapshot_put(s);
			break;
		}
		while ((ch = getch()) != ERR) {
			if (ch != KEY_RESIZE)
				ui_key(&u, s, ch);
			force = 1;
		}
		if (u.quit) {
			/* As headless: a share that failed fails the run. */
			for (i = 0; i < s->nshares; i++) {
				if (s->shares[i].state == SNAP_ERROR)
					status = 1;
			}
			snapshot_put(s);
			break;
		}
		now = ui_now();
		if (force || (s->generation != gen &&
		    now - last_draw >= UI_FRAME_MS)) {
			ui_hist_update(&u, s, now);
			ui_draw(&u, s, now);
			gen = s->generation;
			last_draw = now;
			force = 0;
		}
		snapshot_put(s);
	}
	ui_stop_curses();
	xmalloc_set_fatal_hook(NULL);
	pthread_sigmask(SIG_BLOCK, &winch, NULL);
	close(pfd[1].fd);
	engine_stop(e);
	engine_wait(e);
	if (fatal != NULL) {
		fprintf(stderr, "shoal: %s\n", fatal);
		free(fatal);
		status = 1;
	}
	free(u.hist);
	return (status);
}
