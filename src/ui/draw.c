/*
 * Drawing helpers for the screens: text clipped to a width in columns
 * (names can be any UTF-8), bars, sparklines, and the colour or
 * monochrome attribute for each meaning. Every glyph has an ASCII twin
 * for terminals without UTF-8.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "i18n.h"
#include "ui-int.h"
#include "xmalloc.h"

int
ui_attr(struct ui *u, enum ui_color c)
{
	static const int mono[UI_C_MAX] = {
		A_NORMAL, A_REVERSE, A_BOLD, A_NORMAL, A_BOLD | A_UNDERLINE,
		A_DIM, A_BOLD
	};

	if (!u->color)
		return (mono[c]);
	switch (c) {
	case UI_C_HEADER:
		return (COLOR_PAIR(UI_C_HEADER) | A_BOLD);
	case UI_C_TITLE:
		return (A_BOLD);
	case UI_C_NORMAL:
		return (A_NORMAL);
	default:
		return (COLOR_PAIR(c));
	}
}

/* The next character of s: its length in bytes and its wide form. */
static size_t
ui_next(const char *s, wchar_t *wc, mbstate_t *st)
{
	size_t	n = mbrtowc(wc, s, MB_CUR_MAX, st);

	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		memset(st, 0, sizeof *st);
		*wc = L'?';
		return (1);
	}
	if (wcwidth(*wc) < 0)
		*wc = L'?';
	return (n);
}

int
ui_width(const char *s)
{
	mbstate_t	st;
	wchar_t		wc;
	int		w = 0;

	memset(&st, 0, sizeof st);
	while (*s != '\0') {
		s += ui_next(s, &wc, &st);
		w += wcwidth(wc) > 0 ? wcwidth(wc) : 0;
	}
	return (w);
}

int
ui_text(int y, int x, int width, const char *s)
{
	mbstate_t	st;
	wchar_t		wc;
	int		w = 0, cw;

	if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
		return (0);
	if (x + width > COLS)
		width = COLS - x;
	memset(&st, 0, sizeof st);
	move(y, x);
	while (*s != '\0') {
		s += ui_next(s, &wc, &st);
		cw = wcwidth(wc);
		if (cw < 0)
			cw = 0;
		if (w + cw > width)
			break;
		addnwstr(&wc, 1);
		w += cw;
	}
	return (w);
}

int
ui_textf(int y, int x, int width, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 w;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	w = ui_text(y, x, width, s);
	free(s);
	return (w);
}

const char *
ui_glyph(struct ui *u, const char *utf8, const char *ascii)
{
	return (u->utf8 ? utf8 : ascii);
}

void
ui_bar(struct ui *u, int y, int x, int width, uint64_t done, uint64_t total)
{
	int	fill, i;

	if (width <= 2)
		return;
	width -= 2;
	fill = total == 0 ? 0 : (int)((double)done * width / (double)total);
	if (fill > width)
		fill = width;
	if (done < total && fill == width)
		fill = width - 1;
	ui_text(y, x, 1, "[");
	attron(ui_attr(u, UI_C_GOOD));
	for (i = 0; i < fill; i++)
		ui_text(y, x + 1 + i, 1, ui_glyph(u, "\xe2\x96\x88", "#"));
	attroff(ui_attr(u, UI_C_GOOD));
	attron(ui_attr(u, UI_C_DIM));
	for (; i < width; i++)
		ui_text(y, x + 1 + i, 1, ui_glyph(u, "\xc2\xb7", "."));
	attroff(ui_attr(u, UI_C_DIM));
	ui_text(y, x + 1 + width, 1, "]");
}

void
ui_spark(struct ui *u, int y, int x, int width, const struct ui_hist *h)
{
	static const char *const bars[] = {
		" ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
		"\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87",
		"\xe2\x96\x88"
	};
	static const char ascii[] = " .:-=+*#@";
	float		max = 0, v;
	unsigned	i, n, first;
	int		k, lvl;
	char		a[2];

	if (h == NULL || width <= 0)
		return;
	n = h->n < (unsigned)width ? h->n : (unsigned)width;
	first = (h->head + UI_HIST - n) % UI_HIST;
	for (i = 0; i < h->n; i++) {
		if (h->v[i] > max)
			max = h->v[i];
	}
	for (i = 0; i < n; i++) {
		v = h->v[(first + i) % UI_HIST];
		lvl = max <= 0 ? 0 : (int)(v * 8 / max + 0.5f);
		if (v > 0 && lvl == 0)
			lvl = 1;
		k = x + width - (int)n + (int)i;
		if (u->utf8)
			ui_text(y, k, 1, bars[lvl]);
		else {
			a[0] = ascii[lvl];
			a[1] = '\0';
			ui_text(y, k, 1, a);
		}
	}
}

const char *
ui_state_name(enum snap_state st)
{
	switch (st) {
	case SNAP_STARTING:
		return (_("starting"));
	case SNAP_CHECKING:
		return (_("checking"));
	case SNAP_SENDING:
		return (_("sending"));
	case SNAP_RECEIVING:
		return (_("receiving"));
	case SNAP_COMPLETE:
		return (_("complete"));
	case SNAP_PAUSED:
		return (_("paused"));
	default:
		return (_("error"));
	}
}

const char *
ui_slow_name(enum snap_slow s)
{
	switch (s) {
	case SNAP_SLOW_CHOKED:
		return (_("choked"));
	case SNAP_SLOW_LIMITED:
		return (_("rate-limited"));
	case SNAP_SLOW_DISK:
		return (_("disk-bound"));
	case SNAP_SLOW_HASHING:
		return (_("hashing"));
	case SNAP_SLOW_WAN:
		return (_("across the WAN"));
	default:
		return ("");
	}
}

void
ui_short_id(const char *text, char *out, size_t len)
{
	size_t	n = strcspn(text, "-");

	if (n >= len)
		n = len - 1;
	memcpy(out, text, n);
	out[n] = '\0';
}
