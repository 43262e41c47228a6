/*
 * shoal send DIR: hash a folder, print a link for it, and serve it over
 * mutual TLS to the nodes allowed (or, with --open, to any node that knows
 * the link) until stopped.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "i18n.h"
#include "log.h"
#include "nodeid.h"
#include "run.h"
#include "units.h"
#include "xmalloc.h"

static int	cmd_send_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_send_entry = {
	.name = "send",
	.args = N_("DIR [--listen ADDR:PORT] (--allow NODEID... | "
	    "--ca CA.crt | --open) [--upload-limit RATE] [--state-dir DIR] "
	    "[--json] [-q] [-v]"),
	.help = N_("share a folder now: print its link and serve it"),
	.exec = cmd_send_exec,
};

/* Where "send" listens unless told: every address, a fixed port. */
#define CMD_SEND_LISTEN	"0.0.0.0:7420"

static int
cmd_send_exec(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "allow", required_argument, NULL, 'a' },
		{ "open", no_argument, NULL, 'o' },
		{ "ca", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "upload-limit", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct engine_config		 cfg;
	struct engine_share		 share;
	struct run_opts			 ro;
	struct engine			*e;
	uint8_t				(*allow)[32] = NULL;
	size_t				 nallow = 0;
	const char			*listen = CMD_SEND_LISTEN, *sdir = NULL;
	const char			*ca = NULL;
	char				*state_dir, *cause = NULL;
	enum log_level			 level = LOG_WARN;
	uint64_t			 upload_limit = 0;
	int				 ch, open = 0, r;

	memset(&ro, 0, sizeof ro);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			listen = optarg;
			break;
		case 'a':
			allow = xreallocarray(allow, nallow + 1, 32);
			if (nodeid_parse(optarg, allow[nallow], &cause) != 0) {
				cli_error(_("bad node ID \"%s\": %s"), optarg,
				    cause);
				free(cause);
				free(allow);
				return (EXIT_USAGE);
			}
			nallow++;
			break;
		case 'o':
			open = 1;
			break;
		case 'c':
			ca = optarg;
			break;
		case 's':
			sdir = optarg;
			break;
		case 'j':
			ro.json = 1;
			break;
		case 'q':
			ro.quiet = 1;
			break;
		case 'v':
			level = LOG_INFO;
			break;
		case 'L':
			if (log_parse_level(optarg, &level) != 0) {
				cli_error(_("bad log level \"%s\": use debug, "
				    "info, warn or error"), optarg);
				free(allow);
				return (EXIT_USAGE);
			}
			break;
		case 'U':
			if (units_parse_size(optarg, &upload_limit) != 0) {
				cli_error(_("bad rate \"%s\": give bytes per "
				    "second like 500K or 20M"), optarg);
				return (EXIT_USAGE);
			}
			break;
		case 'h':
			free(allow);
			printf(_("usage: shoal %s %s\n"), self->name,
			    _(self->args));
			return (EXIT_DONE);
		default:
			free(allow);
			return (cli_usage(self));
		}
	}
	if (argc - optind != 1) {
		free(allow);
		return (cli_usage(self));
	}
	if (nallow == 0 && !open && ca == NULL) {
		cli_error(_("refusing to send to anyone who asks: name the "
		    "receivers with --allow NODEID (each runs \"shoal id\") "
		    "or --ca CA.crt, or pass --open to serve any node that has "
		    "the link"));
		return (EXIT_USAGE);
	}
	if ((state_dir = cli_state_dir(sdir)) == NULL) {
		free(allow);
		return (EXIT_RUNTIME);
	}
	log_open(stderr, level);
	memset(&share, 0, sizeof share);
	share.path = argv[optind];
	share.sending = 1;
	share.open = open;
	share.ca = ca;
	share.allow = (const uint8_t (*)[32])allow;
	share.nallow = nallow;
	memset(&cfg, 0, sizeof cfg);
	cfg.state_dir = state_dir;
	cfg.listen = listen;
	cfg.upload_limit = upload_limit;
	cfg.shares = &share;
	cfg.nshares = 1;

	ro.print_magnet = 1;
	run_block_signals();
	if ((e = engine_new(&cfg, &cause)) == NULL ||
	    engine_start(e, &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		engine_free(e);
		free(state_dir);
		free(allow);
		return (EXIT_RUNTIME);
	}
	r = run_engine(e, &ro);
	engine_free(e);
	log_close();
	free(state_dir);
	free(allow);
	return (r);
}
