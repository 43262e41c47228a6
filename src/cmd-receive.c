/*
 * shoal receive LINK DIR: fetch a share into DIR over mutual TLS, verify
 * every piece, and exit 0 once every file is in place.
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
#include "run.h"
#include "units.h"
#include "xmalloc.h"

static int	cmd_receive_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_receive_entry = {
	.name = "receive",
	.args = N_("LINK DIR [--peer ADDR:PORT]... [--listen ADDR:PORT] "
	    "[--stay] [--upload-limit RATE] [--state-dir DIR] [--json] [-q] "
	    "[-v]"),
	.help = N_("fetch a share into a folder; exit 0 when it is complete"),
	.exec = cmd_receive_exec,
};

static int
cmd_receive_exec(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "peer", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "stay", no_argument, NULL, 'S' },
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
	const char			**peers = NULL;
	size_t				 npeers = 0;
	const char			*listen = NULL, *sdir = NULL;
	char				*state_dir, *cause = NULL;
	enum log_level			 level = LOG_WARN;
	uint64_t			 upload_limit = 0;
	int				 ch, stay = 0, r;

	memset(&ro, 0, sizeof ro);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			peers = xreallocarray(peers, npeers + 1,
			    sizeof *peers);
			peers[npeers++] = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 'S':
			stay = 1;
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
				free(peers);
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
			free(peers);
			printf(_("usage: shoal %s %s\n"), self->name,
			    _(self->args));
			return (EXIT_DONE);
		default:
			free(peers);
			return (cli_usage(self));
		}
	}
	if (argc - optind != 2) {
		free(peers);
		return (cli_usage(self));
	}
	if ((state_dir = cli_state_dir(sdir)) == NULL) {
		free(peers);
		return (EXIT_RUNTIME);
	}
	log_open(stderr, level);
	memset(&share, 0, sizeof share);
	share.link = argv[optind];
	share.path = argv[optind + 1];
	share.stay = stay;
	memset(&cfg, 0, sizeof cfg);
	cfg.state_dir = state_dir;
	cfg.listen = listen;
	cfg.peers = peers;
	cfg.npeers = npeers;
	cfg.upload_limit = upload_limit;
	cfg.shares = &share;
	cfg.nshares = 1;

	ro.exit_complete = !stay;
	ro.stay = stay;
	run_block_signals();
	if ((e = engine_new(&cfg, &cause)) == NULL ||
	    engine_start(e, &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		engine_free(e);
		free(state_dir);
		free(peers);
		return (EXIT_RUNTIME);
	}
	r = run_engine(e, &ro);
	engine_free(e);
	log_close();
	free(state_dir);
	free(peers);
	return (r);
}
