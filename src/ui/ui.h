/*
 * The terminal front end (libui.a): ncurses screens over an engine's
 * snapshots, commands back through engine_submit(). It includes only the
 * engine's door and src/common, and calls no libuv function.
 */
#ifndef SHOAL_UI_H
#define SHOAL_UI_H

#include <stddef.h>

#include "engine.h"

struct ui_opts {
	/* The demo: a line for the footer, refreshed with every redraw. */
	void		(*status)(void *, char *, size_t);
	void		*status_arg;
	/* shoal run: the config file, and how to apply it again ("e"). */
	const char	*config;
	void		(*reload)(struct engine *, void *);
	void		*reload_arg;
};

/*
 * Run the screens on this thread until the person quits or a signal
 * (SIGINT, SIGTERM, SIGHUP, blocked in every thread beforehand) comes;
 * stops the engine and waits for it. The terminal is restored on every
 * way out, a fatal error included. Returns the exit status: 1 if the
 * engine failed or a share was in error when the person quit, else 0.
 */
int	ui_run(struct engine *, const struct ui_opts *);

#endif
