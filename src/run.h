/*
 * Running the engine headless: the main thread waits for signals and, a
 * few times a second, reads the newest snapshot to print a progress line
 * on stderr or one JSON object a second on stdout.
 */
#ifndef SHOAL_RUN_H
#define SHOAL_RUN_H

#include "engine.h"

struct run_opts {
	int	json;		/* One JSON object per second on stdout. */
	int	quiet;		/* No progress line. */
	int	exit_complete;	/* Stop and exit 0 once every share is complete. */
	int	print_magnet;	/* Print each share's link on stdout once. */
	int	stay;		/* Print "complete" once, then keep serving. */
};

/* Block the signals run_engine() waits for; call before engine_start(). */
void	run_block_signals(void);
/* Run until done or signalled; returns the exit status. Stops the engine. */
int	run_engine(struct engine *, const struct run_opts *);

#endif
