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
#include "run.h"
#include "xmalloc.h"

static int	cmd_receive_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_receive_entry = {
	.name = "receive",
	.args = N_("LINK DIR [--peer ADDR:PORT]... [--listen ADDR:PORT] "
	    "[--stay] [--upload-limit RATE] [--download-limit RATE] [--lsd] "
	    "[--site NAME] [--local-subnet CIDR]... [--lan-limits] "
	    "[--site-upload-limit RATE] [--site-download-limit RATE] "
	    "[--peer-upload-limit RATE] [--peer-download-limit RATE] "
	    "[--schedule WINDOW]... "
	    "[--tracker URL]... [--state-dir DIR] [--headless] [--json] [-q] "
	    "[-v]"),
	.help = N_("fetch a share into a folder; exit 0 when it is complete"),
	.exec = cmd_receive_exec,
};

static int
cmd_receive_exec(const struct cmd_entry *self, int argc, char **argv)
{
	/* This command's own options; run_longopts() adds the common ones. */
	static const struct option	 own[] = {
		{ "peer", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "stay", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct option		*longopts;
	struct engine_config		 cfg;
	struct engine_share		 share;
	struct run_common		 rc;
	const char			**peers = NULL;
	size_t				 npeers = 0;
	const char			*listen = NULL;
	int				 ch, stay = 0, r;

	run_common_init(&rc);
	if (longopts == NULL)
		longopts = run_longopts(own);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		if ((r = run_common_option(&rc, ch, optarg)) != 0) {
			if (r < 0) {
				free(peers);
				run_common_free(&rc);
				return (EXIT_USAGE);
			}
			continue;
		}
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
		case 'h':
			free(peers);
			run_common_free(&rc);
			return (cli_help(self));
		default:
			free(peers);
			run_common_free(&rc);
			return (cli_usage(self));
		}
	}
	if (argc - optind != 2) {
		free(peers);
		run_common_free(&rc);
		return (cli_usage(self));
	}
	memset(&share, 0, sizeof share);
	share.link = argv[optind];
	share.path = argv[optind + 1];
	share.stay = stay;
	memset(&cfg, 0, sizeof cfg);
	cfg.listen = listen;
	cfg.peers = peers;
	cfg.npeers = npeers;
	cfg.shares = &share;
	cfg.nshares = 1;
	rc.ro.exit_complete = !stay;
	rc.ro.stay = stay;
	r = run_main(&rc, &cfg);
	free(peers);
	run_common_free(&rc);
	return (r);
}
