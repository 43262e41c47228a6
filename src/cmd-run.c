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
#include "log.h"
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

/*
 * The engine's view of one configured share; a receive share's link goes
 * in *link (the caller frees it). -1, having said why, if it cannot run.
 */
static int
cmd_run_share(const char *path, const struct conf *c,
    const struct conf_share *sh, struct engine_share *es, char **link,
    int reloading)
{
	memset(es, 0, sizeof *es);
	*link = NULL;
	es->name = sh->name;
	es->path = sh->path;
	es->upload_limit = sh->upload_limit;
	es->download_limit = sh->download_limit;
	if (sh->mode == CONF_MODE_SEND) {
		es->sending = 1;
		es->open = sh->open;
		es->ca = sh->ca != NULL ? sh->ca : c->node.ca;
		es->allow = (const uint8_t (*)[32])sh->allow.v;
		es->nallow = sh->allow.n;
		return (0);
	}
	if (sh->info_hash == NULL) {
		if (reloading) {
			log_error("SIGHUP: %s:%u: [share \"%s\"]: versioned "
			    "shares (share_id) are not carried yet",
			    path, sh->line, sh->name);
			return (-1);
		}
		cli_error(_("%s:%u: [share \"%s\"]: versioned shares "
		    "(share_id) are not carried yet; give info_hash, source "
		    "and peer for one torrent"), path, sh->line, sh->name);
		return (-1);
	}
	es->link = *link = cmd_run_link(sh);
	es->stay = 1;
	return (0);
}

/* Do two shares run the same way? */
static int
cmd_run_same(const struct engine_share *a, const struct engine_share *b)
{
	return (a->sending == b->sending && a->open == b->open &&
	    a->stay == b->stay && a->upload_limit == b->upload_limit &&
	    a->download_limit == b->download_limit &&
	    strcmp(a->path, b->path) == 0 &&
	    ((a->ca == NULL && b->ca == NULL) || (a->ca != NULL &&
	    b->ca != NULL && strcmp(a->ca, b->ca) == 0)) &&
	    ((a->link == NULL && b->link == NULL) || (a->link != NULL &&
	    b->link != NULL && strcmp(a->link, b->link) == 0)) &&
	    a->nallow == b->nallow && (a->nallow == 0 ||
	    memcmp(a->allow, b->allow, a->nallow * 32) == 0));
}

/* What runs now, for SIGHUP. */
struct cmd_run_state {
	const char		 *path;
	struct conf		  c;
	struct engine_share	 *shares;	/* Into c; links owned. */
	char			**links;
	uint32_t		 *ids;		/* The engine's id of each. */
	uint32_t		  next_id;
};

static void
cmd_run_state_clear(struct cmd_run_state *st)
{
	size_t	i;

	for (i = 0; i < st->c.nshares; i++)
		free(st->links[i]);
	free(st->links);
	free(st->shares);
	free(st->ids);
	conf_free(&st->c);
}

/*
 * SIGHUP: read the file again. A bad file changes nothing; otherwise
 * shares gone or changed are removed, new or changed ones added, and the
 * node's limits set; other [node] changes wait for a restart.
 */
static void
cmd_run_reload(struct engine *e, void *arg)
{
	struct cmd_run_state	*st = arg, nst;
	struct engine_cmd	 cmd;
	char			*cause = NULL;
	size_t			 i, j, added = 0, removed = 0;

	memset(&nst, 0, sizeof nst);
	if (conf_load(&nst.c, st->path, &cause) != 0) {
		log_error("SIGHUP: %s; the running shares are unchanged",
		    cause);
		free(cause);
		return;
	}
	nst.path = st->path;
	nst.shares = xcalloc(nst.c.nshares + 1, sizeof *nst.shares);
	nst.links = xcalloc(nst.c.nshares + 1, sizeof *nst.links);
	nst.ids = xcalloc(nst.c.nshares + 1, sizeof *nst.ids);
	for (i = 0; i < nst.c.nshares; i++) {
		if (cmd_run_share(st->path, &nst.c, &nst.c.shares[i],
		    &nst.shares[i], &nst.links[i], 1) != 0) {
			log_error("SIGHUP: the running shares are unchanged");
			cmd_run_state_clear(&nst);
			return;
		}
	}
	/* Shares gone or changed. */
	for (i = 0; i < st->c.nshares; i++) {
		for (j = 0; j < nst.c.nshares; j++) {
			if (strcmp(st->c.shares[i].name,
			    nst.c.shares[j].name) == 0)
				break;
		}
		if (j < nst.c.nshares && cmd_run_same(&st->shares[i],
		    &nst.shares[j])) {
			nst.ids[j] = st->ids[i];
			continue;
		}
		memset(&cmd, 0, sizeof cmd);
		cmd.type = ENGINE_CMD_REMOVE;
		cmd.share = st->ids[i];
		engine_submit(e, &cmd);
		removed++;
	}
	/* Shares new or changed. */
	nst.next_id = st->next_id;
	for (j = 0; j < nst.c.nshares; j++) {
		if (nst.ids[j] != 0)
			continue;
		nst.ids[j] = nst.next_id++;
		memset(&cmd, 0, sizeof cmd);
		cmd.type = ENGINE_CMD_ADD;
		cmd.share = nst.ids[j];
		cmd.add = engine_share_dup(&nst.shares[j]);
		engine_submit(e, &cmd);
		added++;
	}
	if (nst.c.node.upload_limit != st->c.node.upload_limit ||
	    nst.c.node.download_limit != st->c.node.download_limit) {
		memset(&cmd, 0, sizeof cmd);
		cmd.type = ENGINE_CMD_LIMITS;
		cmd.upload_limit = nst.c.node.upload_limit;
		cmd.download_limit = nst.c.node.download_limit;
		engine_submit(e, &cmd);
	}
	log_info("SIGHUP: %s read again: %zu shares added, %zu removed "
	    "(changed ones count as both); other [node] settings than the "
	    "limits apply at a restart", st->path, added, removed);
	cmd_run_state_clear(st);
	*st = nst;
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
	/* This command's own options; run_longopts() adds the common ones. */
	static const struct option	 own[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct option		*longopts;
	struct run_common		 rc, given;
	struct cmd_run_state		 st;
	struct engine_config		 cfg;
	struct engine_share		*shares = NULL;
	struct conf			 c;
	struct stat			 sb;
	const char			*opt = NULL, **peers = NULL;
	char				*path = NULL, *cause = NULL, **links;
	size_t				 i, j, npeers = 0;
	int				 ch, r;

	run_common_init(&given);
	if (longopts == NULL)
		longopts = run_longopts(own);
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
		if (cmd_run_share(path, &c, &c.shares[i], &shares[i],
		    &links[i], 0) != 0)
			goto out_links;
		for (j = 0; shares[i].sending && j < c.shares[i].peer.n; j++) {
			peers = xreallocarray(peers, npeers + 1,
			    sizeof *peers);
			peers[npeers++] = c.shares[i].peer.v[j];
		}
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.listen = c.node.listen.n > 0 ? c.node.listen.v[0] : NULL;
	cfg.peers = peers;
	cfg.npeers = npeers;
	cfg.shares = shares;
	cfg.nshares = c.nshares;
	/* A service: it keeps serving; "complete" once, as with --stay. */
	rc.ro.stay = 1;
	/* SIGHUP reloads: st takes the config, the shares and their links. */
	st.path = path;
	st.c = c;
	st.shares = shares;
	st.links = links;
	st.ids = xcalloc(c.nshares + 1, sizeof *st.ids);
	for (i = 0; i < c.nshares; i++)
		st.ids[i] = (uint32_t)i + 1;	/* engine_new's order. */
	st.next_id = (uint32_t)c.nshares + 1;
	rc.ro.reload = cmd_run_reload;
	rc.ro.reload_arg = &st;
	rc.ro.config = path;
	r = run_main(&rc, &cfg);
	free(peers);
	cmd_run_state_clear(&st);
	free(path);
	run_common_free(&rc);
	run_common_free(&given);
	return (r);
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
