/*
 * Helpers shared by the command-line verbs: the command table, error
 * messages in one style, and the progress line shown on a terminal.
 */
#ifndef SHOAL_CLI_H
#define SHOAL_CLI_H

#include <stdint.h>

#include <uv.h>

struct cmd_entry {
	const char	*name;
	const char	*args;		/* Usage after the name. */
	const char	*help;		/* One line for "shoal help". */
	int		(*exec)(const struct cmd_entry *, int, char **);
};

/* Exit statuses (DESIGN.md). */
#define EXIT_DONE	0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

extern const struct cmd_entry cmd_create_entry;
extern const struct cmd_entry cmd_info_entry;
extern const struct cmd_entry cmd_verify_entry;

/* "shoal: <message>" on stderr. */
void	cli_error(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Print the usage of a command to stderr and return EXIT_USAGE. */
int	cli_usage(const struct cmd_entry *);
/* Parse a piece size like "256K": power of two, 16 KiB to 128 MiB. */
int	cli_parse_piece_length(const char *, uint32_t *);
/* Write data to path atomically (temporary file + rename). */
int	cli_write_file(const char *, const void *, size_t, char **);

typedef void (*cli_progress_get)(void *, uint64_t *, uint64_t *);
struct cli_progress;

/*
 * Show "label  done of total  pct  rate  ETA" on stderr, redrawn five times
 * a second, when stderr is a terminal. Stop erases it.
 */
struct cli_progress *cli_progress_start(uv_loop_t *, const char *,
	    cli_progress_get, void *);
void	cli_progress_stop(struct cli_progress *);

#endif
