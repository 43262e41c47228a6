/*
 * What the screens of the terminal front end share: the state of the UI,
 * the view vtable (tmux's window modes, htop's panels) and the drawing
 * helpers. Only src/ui includes this.
 */
#ifndef SHOAL_UI_INT_H
#define SHOAL_UI_INT_H

#include <stdint.h>

#include <curses.h>

#include "ui.h"

/* What a key handler did (htop's HandlerResult). */
#define UI_KEY_IGNORED	0	/* Not this view's key: try the global ones. */
#define UI_KEY_HANDLED	1	/* Done; redraw. */

/* Colour pairs (or, without colour, attributes) by meaning. */
enum ui_color {
	UI_C_NORMAL,
	UI_C_HEADER,
	UI_C_GOOD,	/* Have, complete, flowing. */
	UI_C_BUSY,	/* In flight, checking. */
	UI_C_BAD,	/* Missing with nobody to give it, errors. */
	UI_C_DIM,
	UI_C_TITLE,
	UI_C_MAX
};

struct ui;

/*
 * A screen or a tab. draw() fills rows [top, top + rows) of the screen
 * from the snapshot (the header and footer are the UI's); key() gets a
 * key first and says whether it used it. Sizes are read from LINES and
 * COLS at every draw, so a resize needs nothing more than a redraw.
 */
struct ui_view {
	const char	*name;
	void		 (*draw)(struct ui *, const struct snapshot *, int,
			     int);
	int		 (*key)(struct ui *, const struct snapshot *, int);
};

extern const struct ui_view ui_view_shares;
extern const struct ui_view ui_view_peers;
extern const struct ui_view ui_view_pieces;
extern const struct ui_view ui_view_files;
extern const struct ui_view ui_view_swarm;
extern const struct ui_view ui_view_log;
extern const struct ui_view ui_view_help;

/* Detail tabs, in the order of the keys 1 to 5. */
#define UI_NTABS	5

/* Seconds of rate history behind a peer's sparkline. */
#define UI_HIST		60

struct ui_hist {
	uint32_t	 share;
	char		 key[128];	/* Node ID and address. */
	float		 v[UI_HIST];	/* Bytes/s down + up, one a second. */
	unsigned	 n;		/* Samples so far (at most UI_HIST). */
	unsigned	 head;		/* Where the next goes. */
	uint64_t	 sec;		/* Second of the newest. */
};

struct ui {
	struct engine		*e;
	const struct ui_opts	*opts;
	int			 utf8;
	int			 color;

	const struct ui_view	*view;		/* What is on screen. */
	const struct ui_view	*back;		/* Under the help screen. */
	uint32_t		 share;		/* Selected share's id. */
	int			 tab;
	int			 row;		/* Selected row in a tab. */
	int			 scroll;	/* First row shown. */
	char			 filter[64];

	/* A one-line question at the bottom, and what to do with it. */
	int			 prompting;
	char			 prompt[128];
	char			 input[1024];	/* A link or node IDs fit. */
	size_t			 ninput;
	void			 (*answer)(struct ui *, const char *);
	int			 confirm_quit;	/* y/n instead of text. */

	/* The "a" form: what was answered so far. */
	char			 form_path[1024];
	int			 form_send;

	char			 message[256];	/* Shown for a while. */
	uint64_t		 message_until;
	int			 quit;

	struct ui_hist		*hist;
	size_t			 nhist;
};

/* Drawing helpers (draw.c). */
int		 ui_attr(struct ui *, enum ui_color);
/* Text at (y, x) in at most width columns; returns the columns used. */
int		 ui_text(int, int, int, const char *);
int		 ui_textf(int, int, int, const char *, ...)
		     __attribute__((format(printf, 4, 5)));
/* Columns text takes (multibyte-aware). */
int		 ui_width(const char *);
/* A bar width columns wide, done of total filled. */
void		 ui_bar(struct ui *, int, int, int, uint64_t, uint64_t);
/* A sparkline of h's samples, width columns wide. */
void		 ui_spark(struct ui *, int, int, int, const struct ui_hist *);
/* Glyphs: UTF-8 or the ASCII fallback. */
const char	*ui_glyph(struct ui *, const char *, const char *);
const char	*ui_state_name(enum snap_state);
const char	*ui_slow_name(enum snap_slow);
/* The first group of a node ID's text form. */
void		 ui_short_id(const char *, char *, size_t);

/* The UI (ui.c). */
const struct snap_share *ui_selected_share(struct ui *,
		     const struct snapshot *);
const struct ui_hist *ui_hist_find(struct ui *, uint32_t,
		     const struct snap_peer *);
int		 ui_share_visible(struct ui *, const struct snap_share *);
void		 ui_message(struct ui *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
/* Move a selection: rows in [0, n), scrolled to stay in rows_shown. */
int		 ui_move(struct ui *, int, int, int);

#endif
