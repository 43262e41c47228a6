/*
 * Helpers shared by the command-line verbs: the command table, error
 * messages in one style, and the progress line shown on a terminal.
 */
#ifndef SHOAL_CLI_H
#define SHOAL_CLI_H

#include <sys/types.h>

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

extern const struct cmd_entry cmd_ca_entry;
extern const struct cmd_entry cmd_config_entry;
extern const struct cmd_entry cmd_create_entry;
extern const struct cmd_entry cmd_demo_entry;
extern const struct cmd_entry cmd_get_entry;
extern const struct cmd_entry cmd_id_entry;
extern const struct cmd_entry cmd_info_entry;
extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_receive_entry;
extern const struct cmd_entry cmd_run_entry;
extern const struct cmd_entry cmd_seed_entry;
extern const struct cmd_entry cmd_send_entry;
extern const struct cmd_entry cmd_share_entry;
extern const struct cmd_entry cmd_verify_entry;

/* "shoal: <message>" on stderr. */
void	cli_error(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Print the usage of a command to stdout (--help) and return EXIT_DONE. */
int	cli_help(const struct cmd_entry *);
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

struct identity;

/*
 * The state folder: opt if it is not NULL, else $XDG_STATE_HOME/shoal,
 * else $HOME/.local/state/shoal. The caller frees it. NULL, after saying
 * why on stderr, when there is no home folder to put it in.
 */
char	*cli_state_dir(const char *);
/*
 * The config file: opt if it is not NULL, else
 * $XDG_CONFIG_HOME/shoal/shoal.conf, else $HOME/.config/shoal/shoal.conf.
 * The caller frees it. NULL, after saying why, as for cli_state_dir().
 */
char	*cli_config_file(const char *);
/* Make a folder and any missing parents, each with the given mode. */
int	cli_mkdirs(const char *, mode_t, char **);
/*
 * Write a new file with the given mode; fails, writing nothing, if the
 * path exists.
 */
int	cli_write_new_file(const char *, const void *, size_t, mode_t,
	    char **);
/*
 * Load this node's identity (node.key and node.crt) from a state folder,
 * into an empty identity. Without node.key the cause says to run
 * "shoal init".
 */
int	cli_identity_load(const char *, struct identity *, char **);

#endif
