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
#include "nodeid.h"
#include "run.h"
#include "xmalloc.h"

static int	cmd_send_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_send_entry = {
	.name = "send",
	.args = N_("DIR [--listen ADDR:PORT] (--allow NODEID... | "
	    "--ca CA.crt | --open) [--upload-limit RATE] [--lsd] "
	    "[--site NAME] [--local-subnet CIDR]... [--lan-limits] "
	    "[--site-upload-limit RATE] [--peer-upload-limit RATE] "
	    "[--schedule WINDOW]... "
	    "[--tracker URL]... "
	    "[--state-dir DIR] [--headless] [--json] [-q] [-v]"),
	.help = N_("share a folder now: print its link and serve it"),
	.exec = cmd_send_exec,
};

/* Where "send" listens unless told: every address, a fixed port. */
#define CMD_SEND_LISTEN	"0.0.0.0:7420"

static int
cmd_send_exec(const struct cmd_entry *self, int argc, char **argv)
{
	/* This command's own options; run_longopts() adds the common ones. */
	static const struct option	 own[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "allow", required_argument, NULL, 'a' },
		{ "open", no_argument, NULL, 'o' },
		{ "ca", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct option		*longopts;
	struct engine_config		 cfg;
	struct engine_share		 share;
	struct run_common		 rc;
	uint8_t				(*allow)[32] = NULL;
	size_t				 nallow = 0;
	const char			*listen = CMD_SEND_LISTEN, *ca = NULL;
	char				*cause = NULL;
	int				 ch, open = 0, r = EXIT_USAGE;

	run_common_init(&rc);
	if (longopts == NULL)
		longopts = run_longopts(own);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		if ((r = run_common_option(&rc, ch, optarg)) != 0) {
			if (r < 0)
				goto usage;
			continue;
		}
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
				goto usage;
			}
			nallow++;
			break;
		case 'o':
			open = 1;
			break;
		case 'c':
			ca = optarg;
			break;
		case 'h':
			free(allow);
			run_common_free(&rc);
			return (cli_help(self));
		default:
			free(allow);
			run_common_free(&rc);
			return (cli_usage(self));
		}
	}
	if (argc - optind != 1) {
		free(allow);
		run_common_free(&rc);
		return (cli_usage(self));
	}
	if (nallow == 0 && !open && ca == NULL) {
		cli_error(_("refusing to send to anyone who asks: name the "
		    "receivers with --allow NODEID (each runs \"shoal id\") "
		    "or --ca CA.crt, or pass --open to serve any node that has "
		    "the link"));
		goto usage;
	}
	memset(&share, 0, sizeof share);
	share.path = argv[optind];
	share.sending = 1;
	share.open = open;
	share.ca = ca;
	share.allow = (const uint8_t (*)[32])allow;
	share.nallow = nallow;
	memset(&cfg, 0, sizeof cfg);
	cfg.listen = listen;
	cfg.shares = &share;
	cfg.nshares = 1;
	rc.ro.print_magnet = 1;
	r = run_main(&rc, &cfg);
	free(allow);
	run_common_free(&rc);
	return (r);

usage:
	free(allow);
	run_common_free(&rc);
	return (EXIT_USAGE);
}
