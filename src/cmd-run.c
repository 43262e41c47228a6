/*
 * shoal run [-c FILE]: every share of the config file (shoal.conf(5)) on
 * one engine, in the terminal UI or, with --headless (or without a
 * terminal), with progress lines or --json. The [node] section gives the
 * node's settings; the options every running command takes override
 * them. Receive shares name one fixed torrent (info_hash, source, peer):
 * versioned shares (share_id alone) are refused until the engine carries
 * version records.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "i18n.h"
#include "magnet.h"
#include "nodeid.h"
#include "run.h"
#include "xmalloc.h"

static int	cmd_run_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.args = N_("[-c FILE] [--headless] [--json] [-q] [-v] "
	    "[running options]"),
	.help = N_("run every share of the config file"),
	.exec = cmd_run_exec,
};

/* Split "ADDR:PORT" or "[ADDR]:PORT" for a magnet x.pe. */
static int
cmd_run_split(const char *text, char *host, size_t len, uint16_t *port)
{
	const char	*colon = strrchr(text, ':');
	size_t		 n;
	unsigned long	 p;
	char		*end;

	if (colon == NULL)
		return (-1);
	n = (size_t)(colon - text);
	if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
		text++;
		n -= 2;
	}
	if (n == 0 || n >= len)
		return (-1);
	memcpy(host, text, n);
	host[n] = '\0';
	p = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || p == 0 || p > 65535)
		return (-1);
	*port = (uint16_t)p;
	return (0);
}

/* The link a receive share's keys stand for. */
static char *
cmd_run_link(const struct conf_share *sh)
{
	struct magnet	 mg;
	char		 node[NODEID_TEXT_SIZE], host[256], *link;
	uint16_t	 port;
	size_t		 i;

	magnet_init(&mg);
	mg.has_v2 = 1;
	for (i = 0; i < 32; i++) {
		unsigned int	b;

		sscanf(sh->info_hash + 2 * i, "%2x", &b);
		mg.v2[i] = (uint8_t)b;
	}
	mg.name = xstrdup(sh->name);
	if (sh->source.set) {
		nodeid_to_text(sh->source.id, node);
		mg.node = xstrdup(node);
	}
	for (i = 0; i < sh->peer.n; i++) {
		if (cmd_run_split(sh->peer.v[i], host, sizeof host,
		    &port) == 0)
			magnet_add_peer(&mg, host, port);
	}
	link = magnet_format(&mg);
	magnet_destroy(&mg);
	return (link);
}

/* Copy the [node] settings into rc where no option set them. */
static void
cmd_run_node(const struct conf_node *n, struct run_common *rc,
    const struct run_common *given)
{
	size_t	i;

	if (given->state_dir == NULL)
		rc->state_dir = n->state_dir;
	if (given->upload_limit == 0)
		rc->upload_limit = n->upload_limit;
	if (given->download_limit == 0)
		rc->download_limit = n->download_limit;
	if (given->site_upload_limit == 0)
		rc->site_upload_limit = n->site_upload_limit;
	if (given->site_download_limit == 0)
		rc->site_download_limit = n->site_download_limit;
	if (!given->lsd)
		rc->lsd = n->lsd;
	if (!given->lan_limits)
		rc->lan_limits = n->lan_limits;
	if (given->site == NULL)
		rc->site = n->site;
	if (given->nsubnets == 0 && n->local_subnet.n > 0) {
		rc->subnets = xreallocarray(NULL, n->local_subnet.n,
		    sizeof *rc->subnets);
		for (i = 0; i < n->local_subnet.n; i++)
			rc->subnets[i] = n->local_subnet.v[i];
		rc->nsubnets = n->local_subnet.n;
	}
	if (given->nschedule == 0 && n->schedule.n > 0) {
		rc->schedule = xreallocarray(NULL, n->schedule.n,
		    sizeof *rc->schedule);
		for (i = 0; i < n->schedule.n; i++)
			rc->schedule[i] = n->schedule.v[i];
		rc->nschedule = n->schedule.n;
	}
	if (given->ntrackers == 0) {
		for (i = 0; i < n->tracker.n && i < RUN_MAX_TRACKERS; i++)
			rc->trackers[i] = n->tracker.v[i];
		rc->ntrackers = i;
	}
}

static int
cmd_run_exec(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, RUN_OPT_STATE_DIR },
		{ "json", no_argument, NULL, RUN_OPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log-level", required_argument, NULL, RUN_OPT_LOG_LEVEL },
		{ "upload-limit", required_argument, NULL,
		    RUN_OPT_UPLOAD_LIMIT },
		{ "download-limit", required_argument, NULL,
		    RUN_OPT_DOWNLOAD_LIMIT },
		{ "lsd", no_argument, NULL, RUN_OPT_LSD },
		{ "site", required_argument, NULL, RUN_OPT_SITE },
		{ "local-subnet", required_argument, NULL,
		    RUN_OPT_LOCAL_SUBNET },
		{ "lan-limits", no_argument, NULL, RUN_OPT_LAN_LIMITS },
		{ "peer-upload-limit", required_argument, NULL,
		    RUN_OPT_PEER_UPLOAD },
		{ "peer-download-limit", required_argument, NULL,
		    RUN_OPT_PEER_DOWNLOAD },
		{ "schedule", required_argument, NULL, RUN_OPT_SCHEDULE },
		{ "site-upload-limit", required_argument, NULL,
		    RUN_OPT_SITE_UPLOAD },
		{ "site-download-limit", required_argument, NULL,
		    RUN_OPT_SITE_DOWNLOAD },
		{ "tracker", required_argument, NULL, RUN_OPT_TRACKER },
		{ "headless", no_argument, NULL, RUN_OPT_HEADLESS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct run_common		 rc, given;
	struct engine_config		 cfg;
	struct engine_share		*shares = NULL;
	struct conf			 c;
	struct stat			 sb;
	const char			*opt = NULL, **peers = NULL;
	char				*path = NULL, *cause = NULL, **links;
	size_t				 i, j, npeers = 0;
	int				 ch, r;

	run_common_init(&given);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:qvh", longopts, NULL)) !=
	    -1) {
		if ((r = run_common_option(&given, ch, optarg)) != 0) {
			if (r < 0) {
				run_common_free(&given);
				return (EXIT_USAGE);
			}
			continue;
		}
		switch (ch) {
		case 'c':
			opt = optarg;
			break;
		case 'h':
			run_common_free(&given);
			return (cli_help(self));
		default:
			run_common_free(&given);
			return (cli_usage(self));
		}
	}
	if (argc != optind) {
		run_common_free(&given);
		return (cli_usage(self));
	}
	if ((path = cli_config_file(opt)) == NULL) {
		run_common_free(&given);
		return (EXIT_RUNTIME);
	}
	if ((r = conf_load(&c, path, &cause)) != 0) {
		if (r == CONF_ERR_IO && stat(path, &sb) != 0 &&
		    errno == ENOENT)
			cli_error(_("%s (\"shoal init\" writes a starter "
			    "file)"), cause);
		else
			cli_error("%s", cause);
		free(cause);
		free(path);
		run_common_free(&given);
		return (r == CONF_ERR_IO ? EXIT_RUNTIME : EXIT_USAGE);
	}
	rc = given;
	rc.subnets = NULL;
	rc.schedule = NULL;
	if (given.nsubnets > 0) {
		rc.subnets = xreallocarray(NULL, given.nsubnets,
		    sizeof *rc.subnets);
		memcpy(rc.subnets, given.subnets,
		    given.nsubnets * sizeof *rc.subnets);
	}
	if (given.nschedule > 0) {
		rc.schedule = xreallocarray(NULL, given.nschedule,
		    sizeof *rc.schedule);
		memcpy(rc.schedule, given.schedule,
		    given.nschedule * sizeof *rc.schedule);
	}
	cmd_run_node(&c.node, &rc, &given);
	if (given.level == LOG_WARN)
		rc.level = (enum log_level)c.node.log_level;

	r = EXIT_USAGE;
	if (c.node.key_file != NULL || c.node.cert_file != NULL) {
		cli_error(_("%s: key_file and cert_file are not used yet: "
		    "keep the node's identity in state_dir (\"shoal init\" "
		    "makes it)"), path);
		goto out;
	}
	if (c.nshares == 0) {
		cli_error(_("%s: no [share \"NAME\"] sections: nothing to "
		    "run"), path);
		goto out;
	}
	shares = xcalloc(c.nshares, sizeof *shares);
	links = xcalloc(c.nshares, sizeof *links);
	for (i = 0; i < c.nshares; i++) {
		const struct conf_share	*sh = &c.shares[i];
		struct engine_share	*es = &shares[i];

		es->name = sh->name;
		es->path = sh->path;
		es->upload_limit = sh->upload_limit;
		es->download_limit = sh->download_limit;
		if (sh->mode == CONF_MODE_SEND) {
			es->sending = 1;
			es->open = sh->open;
			es->ca = sh->ca != NULL ? sh->ca : c.node.ca;
			es->allow = (const uint8_t (*)[32])sh->allow.v;
			es->nallow = sh->allow.n;
			for (j = 0; j < sh->peer.n; j++) {
				peers = xreallocarray(peers, npeers + 1,
				    sizeof *peers);
				peers[npeers++] = sh->peer.v[j];
			}
			continue;
		}
		if (sh->info_hash == NULL) {
			cli_error(_("%s:%u: [share \"%s\"]: versioned shares "
			    "(share_id) are not carried yet; give info_hash, "
			    "source and peer for one torrent"), path,
			    sh->line, sh->name);
			goto out_links;
		}
		es->link = links[i] = cmd_run_link(sh);
		es->stay = 1;
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.listen = c.node.listen.n > 0 ? c.node.listen.v[0] : NULL;
	cfg.peers = peers;
	cfg.npeers = npeers;
	cfg.shares = shares;
	cfg.nshares = c.nshares;
	/* A service: it keeps serving; "complete" once, as with --stay. */
	rc.ro.stay = 1;
	rc.ro.config = path;
	r = run_main(&rc, &cfg);
out_links:
	for (i = 0; i < c.nshares; i++)
		free(links[i]);
	free(links);
out:
	free(shares);
	free(peers);
	conf_free(&c);
	free(path);
	run_common_free(&rc);
	run_common_free(&given);
	return (r);
}
