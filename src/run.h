/*
 * Running the engine headless: the main thread waits for signals and, a
 * few times a second, reads the newest snapshot to print a progress line
 * on stderr or one JSON object a second on stdout.
 */
#ifndef SHOAL_RUN_H
#define SHOAL_RUN_H

#include <getopt.h>

#include "engine.h"
#include "log.h"

struct run_opts {
	int	json;		/* One JSON object per second on stdout. */
	int	quiet;		/* No progress line. */
	int	exit_complete;	/* Stop and exit 0 once every share is complete. */
	int	print_magnet;	/* Print each share's link on stdout once. */
	int	stay;		/* Print "complete" once, then keep serving. */
	/*
	 * shoal run: SIGHUP calls reload (on this thread) instead of
	 * stopping; it reads the config again and sends the engine what
	 * changed.
	 */
	void	(*reload)(struct engine *, void *);
	void	*reload_arg;
	const char *config;	/* Its file, for the TUI's "e". */
};

/*
 * The options every running command takes (DESIGN.md): --state-dir,
 * --json, -q, -v, --log-level, the limits, --lsd, --site, --local-subnet,
 * --schedule, --tracker, --headless. Their getopt codes are RUN_OPT_*;
 * run_longopts() adds them to a command's own table.
 */
#define RUN_OPT_STATE_DIR	's'
#define RUN_OPT_JSON		'j'
#define RUN_OPT_LOG_LEVEL	'L'
#define RUN_OPT_UPLOAD_LIMIT	'U'
#define RUN_OPT_DOWNLOAD_LIMIT	'D'
#define RUN_OPT_LSD		'M'
/* Long-only options: codes past any character. */
#define RUN_OPT_SITE		0x100
#define RUN_OPT_LOCAL_SUBNET	0x101
#define RUN_OPT_LAN_LIMITS	0x102
#define RUN_OPT_PEER_UPLOAD	0x103
#define RUN_OPT_PEER_DOWNLOAD	0x104
#define RUN_OPT_SCHEDULE	0x105
#define RUN_OPT_SITE_UPLOAD	0x106
#define RUN_OPT_SITE_DOWNLOAD	0x107
#define RUN_OPT_TRACKER		'T'

/* --tracker options a command takes. */
#define RUN_MAX_TRACKERS	16
#define RUN_OPT_HEADLESS	'H'

struct run_common {
	const char	*state_dir;
	struct run_opts	 ro;
	enum log_level	 level;
	uint64_t	 upload_limit;
	uint64_t	 download_limit;
	int		 lsd;
	const char	*site;
	const char	**subnets;	/* --local-subnet, in order. */
	size_t		 nsubnets;
	int		 lan_limits;
	uint64_t	 peer_upload_limit;
	uint64_t	 peer_download_limit;
	uint64_t	 site_upload_limit;
	uint64_t	 site_download_limit;
	const char	**schedule;	/* --schedule, in order. */
	size_t		 nschedule;
	const char	*trackers[RUN_MAX_TRACKERS];	/* From argv. */
	size_t		 ntrackers;
	int		 headless;	/* No TUI even on a terminal. */
};

/*
 * getopt_long's table for a running command: its own options (ending
 * with a NULL name) and then every common one. Made once per command;
 * the caller keeps it for the process's life.
 */
struct option	*run_longopts(const struct option *);
void	run_common_init(struct run_common *);
/* Free what the options made run_common hold. */
void	run_common_free(struct run_common *);
/* One getopt result: 1 if it was a common option, 0 if not, -1 if bad. */
int	run_common_option(struct run_common *, int, const char *);
/*
 * Start the engine for cfg (state dir and limits from rc), run it to the
 * end and return the exit status. The TUI runs it when stdout is a
 * terminal and neither --headless nor --json was given.
 */
int	run_main(struct run_common *, struct engine_config *);

/* Block the signals run_engine() waits for; call before engine_start(). */
void	run_block_signals(void);
/* Run until done or signalled; returns the exit status. Stops the engine. */
int	run_engine(struct engine *, const struct run_opts *);
/* Whether rc asks for the TUI (and stdout is a terminal). */
int	run_wants_tui(const struct run_common *);

#endif
