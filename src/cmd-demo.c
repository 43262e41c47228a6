/*
 * shoal demo: a swarm on loopback to look at. It makes a sample folder
 * and five node identities in a temporary folder, starts a source and four
 * receivers on 127.0.0.1 (ports chosen free), holds the source's upload
 * to a rate at which the swarm takes about half a minute, and shows the
 * source's view in the TUI. Everything it made is removed on the way out.
 *
 * The receivers are engines in this process, not child processes: each
 * engine is a thread with its own loop already, one process is all there
 * is to stop (nothing can be orphaned, even by SIGKILL), and the footer
 * can read every receiver's own snapshot to say how far it is. Without a
 * terminal it runs headless and exits 0 once every receiver is complete.
 */
#include "config.h"

#include <sys/signalfd.h>

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "i18n.h"
#include "identity.h"
#include "log.h"
#include "run.h"
#include "ui.h"
#include "units.h"
#include "xmalloc.h"

static int	cmd_demo_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_demo_entry = {
	.name = "demo",
	.args = N_("[--size SIZE] [--upload-limit RATE] [--headless] [-v]"),
	.help = N_("a source and four receivers on loopback, in the TUI"),
	.exec = cmd_demo_exec,
};

/* Every node of the demo is in one site (one office). */
#define DEMO_SITE	"demo"
/* Receivers in the demo swarm. */
#define DEMO_RECEIVERS	4
/* The sample folder's size and the source's upload limit: 30 seconds. */
#define DEMO_SIZE	(12ULL * 1024 * 1024)
#define DEMO_RATE	(400ULL * 1024)
/* How long the source may take to hash the sample folder. */
#define DEMO_START_MS	60000
/* Headless: give up when the swarm has not finished in this long. */
#define DEMO_TIMEOUT_MS	600000

struct demo {
	char		 root[256];	/* The temporary folder. */
	struct engine	*source;
	struct engine	*recv[DEMO_RECEIVERS];
	uint8_t		 ids[DEMO_RECEIVERS][32];
	uint64_t	 size;
	uint64_t	 rate;		/* The source's upload limit. */
};

static uint64_t
demo_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* Make dir/node.key and dir/node.crt for a node called name. */
static int
demo_identity(const char *dir, const char *name, uint8_t *id, char **cause)
{
	struct identity	 ident;
	char		*key, *crt;
	int		 r = -1;

	if (mkdir(dir, 0700) != 0) {
		xasprintf(cause, _("cannot create %s: %s"), dir,
		    strerror(errno));
		return (-1);
	}
	xasprintf(&key, "%s/%s", dir, IDENTITY_KEY_FILE);
	xasprintf(&crt, "%s/%s", dir, IDENTITY_CERT_FILE);
	identity_init(&ident);
	if (identity_generate(&ident, name, cause) == 0 &&
	    identity_save(&ident, key, crt, cause) == 0) {
		if (id != NULL)
			memcpy(id, ident.id, 32);
		r = 0;
	}
	identity_destroy(&ident);
	free(key);
	free(crt);
	return (r);
}

/* One sample file of len bytes of noise seeded by its name. */
static int
demo_file(const char *root, const char *rel, uint64_t len, char **cause)
{
	char		*path, *slash;
	uint8_t		 buf[65536];
	uint64_t	 s = 0x9e3779b97f4a7c15ULL, done = 0;
	size_t		 i, n;
	FILE		*fp;
	const char	*c;

	for (c = rel; *c != '\0'; c++)
		s = s * 131 + (uint8_t)*c;
	xasprintf(&path, "%s/%s", root, rel);
	if ((slash = strrchr(path, '/')) != NULL) {
		*slash = '\0';
		if (cli_mkdirs(path, 0755, cause) != 0) {
			free(path);
			return (-1);
		}
		*slash = '/';
	}
	if ((fp = fopen(path, "wb")) == NULL) {
		xasprintf(cause, _("cannot create %s: %s"), path,
		    strerror(errno));
		free(path);
		return (-1);
	}
	while (done < len) {
		n = len - done < sizeof buf ? (size_t)(len - done) : sizeof buf;
		for (i = 0; i < n; i++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			buf[i] = (uint8_t)(s >> 32);
		}
		if (fwrite(buf, 1, n, fp) != n)
			break;
		done += n;
	}
	if (fclose(fp) != 0 || done < len) {
		xasprintf(cause, _("cannot write %s: %s"), path,
		    strerror(errno));
		free(path);
		return (-1);
	}
	free(path);
	return (0);
}

/* The sample folder: a few small files and the bulk in three (size >= 64K). */
static int
demo_sample(const char *dir, uint64_t size, char **cause)
{
	static const char readme[] = "This folder was made by \"shoal demo\" "
	    "and is removed when the demo ends.\n";
	uint64_t	 part = (size - 20000) / 3;
	char		*path;
	FILE		*fp;

	if (cli_mkdirs(dir, 0755, cause) != 0)
		return (-1);
	xasprintf(&path, "%s/README.txt", dir);
	if ((fp = fopen(path, "w")) == NULL ||
	    fputs(readme, fp) == EOF || fclose(fp) != 0) {
		xasprintf(cause, _("cannot write %s: %s"), path,
		    strerror(errno));
		free(path);
		return (-1);
	}
	free(path);
	if (demo_file(dir, "docs/notes.txt", 20000, cause) != 0 ||
	    demo_file(dir, "images/disk-1.img", part, cause) != 0 ||
	    demo_file(dir, "images/disk-2.img", part, cause) != 0 ||
	    demo_file(dir, "build/app.bin", size - 20000 - 2 * part,
	    cause) != 0)
		return (-1);
	return (0);
}

static int
demo_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return (remove(path));
}

/* Receivers complete; pct[] gets each one's percentage. */
static unsigned
demo_progress(struct demo *d, int *pct)
{
	struct snapshot	*s;
	unsigned	 i, done = 0;

	for (i = 0; i < DEMO_RECEIVERS; i++) {
		pct[i] = 0;
		if (d->recv[i] == NULL)
			continue;
		s = engine_snapshot(d->recv[i]);
		if (s->nshares == 1 && s->shares[0].size > 0)
			pct[i] = (int)(100 * s->shares[0].have /
			    s->shares[0].size);
		if (s->nshares == 1 && s->shares[0].state == SNAP_COMPLETE) {
			pct[i] = 100;
			done++;
		}
		snapshot_put(s);
	}
	return (done);
}

/* The TUI's footer line: how far each receiver is, from its own view. */
static void
demo_status(void *arg, char *buf, size_t len)
{
	struct demo	*d = arg;
	int		 pct[DEMO_RECEIVERS];
	unsigned	 done = demo_progress(d, pct);
	char		 a[UNITS_BUFLEN];

	if (done == DEMO_RECEIVERS) {
		snprintf(buf, len, _("Demo: %u of %u receivers complete. "
		    "q quits and removes everything."), done,
		    DEMO_RECEIVERS);
		return;
	}
	snprintf(buf, len, _("Demo: %u of %u receivers complete (%d%% %d%% "
	    "%d%% %d%%); source limited to %s."), done, DEMO_RECEIVERS,
	    pct[0], pct[1], pct[2], pct[3], units_rate((double)d->rate, a));
}

/* Wait for the source's link; NULL and *cause if it never comes. */
static char *
demo_link(struct demo *d, char **cause)
{
	struct pollfd	 pfd;
	struct snapshot	*s;
	uint64_t	 end = demo_now() + DEMO_START_MS, counter;
	char		*link = NULL;

	pfd.fd = engine_notify_fd(d->source);
	pfd.events = POLLIN;
	for (;;) {
		s = engine_snapshot(d->source);
		if (s->stopped || (s->nshares == 1 &&
		    s->shares[0].state == SNAP_ERROR)) {
			xasprintf(cause, _("the demo's source failed: %s"),
			    s->fatal != NULL ? s->fatal :
			    s->nshares == 1 && s->shares[0].error != NULL ?
			    s->shares[0].error : _("no reason given"));
			snapshot_put(s);
			return (NULL);
		}
		if (s->nshares == 1 && s->shares[0].magnet != NULL)
			link = xstrdup(s->shares[0].magnet);
		snapshot_put(s);
		if (link != NULL)
			return (link);
		if (demo_now() > end) {
			xasprintf(cause, _("the demo's source did not get "
			    "ready in %d seconds"), DEMO_START_MS / 1000);
			return (NULL);
		}
		if (poll(&pfd, 1, 250) > 0)
			(void)!read(pfd.fd, &counter, sizeof counter);
	}
}

/* Headless: a line a second until every receiver is complete. */
static int
demo_headless(struct demo *d)
{
	struct pollfd		 pfd;
	struct signalfd_siginfo	 si;
	struct snapshot		*s;
	sigset_t		 sigs;
	int			 pct[DEMO_RECEIVERS], r = EXIT_RUNTIME;
	unsigned		 done;
	uint64_t		 end = demo_now() + DEMO_TIMEOUT_MS;
	char			 a[UNITS_BUFLEN];

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pfd.fd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 1000) > 0 &&
		    read(pfd.fd, &si, sizeof si) == sizeof si) {
			cli_error(_("the demo was stopped before its swarm "
			    "finished"));
			break;
		}
		done = demo_progress(d, pct);
		s = engine_snapshot(d->source);
		fprintf(stderr, _("demo: %u of %u receivers complete (%d%% "
		    "%d%% %d%% %d%%), the source sends %s\n"), done,
		    DEMO_RECEIVERS, pct[0], pct[1], pct[2], pct[3],
		    units_rate(s->rate_up, a));
		snapshot_put(s);
		if (done == DEMO_RECEIVERS) {
			printf(_("demo: every receiver is complete\n"));
			fflush(stdout);
			r = EXIT_DONE;
			break;
		}
		if (demo_now() > end) {
			cli_error(_("the demo's swarm did not finish in %d "
			    "seconds"), DEMO_TIMEOUT_MS / 1000);
			break;
		}
	}
	close(pfd.fd);
	return (r);
}

static void
demo_stop_all(struct demo *d)
{
	unsigned	i;

	if (d->source != NULL)
		engine_stop(d->source);
	for (i = 0; i < DEMO_RECEIVERS; i++) {
		if (d->recv[i] != NULL)
			engine_stop(d->recv[i]);
	}
	engine_free(d->source);
	d->source = NULL;
	for (i = 0; i < DEMO_RECEIVERS; i++) {
		engine_free(d->recv[i]);
		d->recv[i] = NULL;
	}
}

static int
cmd_demo_exec(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "size", required_argument, NULL, 'S' },
		{ "upload-limit", required_argument, NULL,
		    RUN_OPT_UPLOAD_LIMIT },
		{ "headless", no_argument, NULL, RUN_OPT_HEADLESS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct demo			 d;
	struct engine_config		 cfg;
	struct engine_share		 share;
	struct ui_opts			 uo;
	const char			*tmpdir;
	char				 dir[300], name[32], sample[300];
	char				*cause = NULL, *link = NULL;
	uint64_t			 rate = DEMO_RATE;
	int				 ch, headless = 0, verbose = 0, r;
	unsigned			 i;

	memset(&d, 0, sizeof d);
	d.size = DEMO_SIZE;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'S':
			if (units_parse_size(optarg, &d.size) != 0 ||
			    d.size < 65536) {
				cli_error(_("bad size \"%s\": give at least "
				    "64K, like 12M"), optarg);
				return (EXIT_USAGE);
			}
			break;
		case RUN_OPT_UPLOAD_LIMIT:
			if (units_parse_size(optarg, &rate) != 0) {
				cli_error(_("bad rate \"%s\": give bytes per "
				    "second like 500K or 20M"), optarg);
				return (EXIT_USAGE);
			}
			break;
		case RUN_OPT_HEADLESS:
			headless = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			return (cli_help(self));
		default:
			return (cli_usage(self));
		}
	}
	if (argc != optind)
		return (cli_usage(self));
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		headless = 1;

	if ((tmpdir = getenv("TMPDIR")) == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	snprintf(d.root, sizeof d.root, "%s/shoal-demo.XXXXXX", tmpdir);
	if (mkdtemp(d.root) == NULL) {
		cli_error(_("cannot create a temporary folder in %s: %s"),
		    tmpdir, strerror(errno));
		return (EXIT_RUNTIME);
	}
	log_open(headless ? stderr : NULL, verbose ? LOG_INFO : LOG_WARN);
	r = EXIT_RUNTIME;
	snprintf(dir, sizeof dir, "%s/source", d.root);
	snprintf(sample, sizeof sample, "%s/source/sample", d.root);
	if (demo_identity(dir, "source", NULL, &cause) != 0 ||
	    demo_sample(sample, d.size, &cause) != 0)
		goto out;
	for (i = 0; i < DEMO_RECEIVERS; i++) {
		snprintf(dir, sizeof dir, "%s/receiver-%u", d.root, i + 1);
		snprintf(name, sizeof name, "receiver-%u", i + 1);
		if (demo_identity(dir, name, d.ids[i], &cause) != 0)
			goto out;
	}

	/* Signals are read on this thread; block them before any engine. */
	run_block_signals();
	memset(&share, 0, sizeof share);
	share.path = sample;
	share.sending = 1;
	share.allow = (const uint8_t (*)[32])d.ids;
	share.nallow = DEMO_RECEIVERS;
	memset(&cfg, 0, sizeof cfg);
	snprintf(dir, sizeof dir, "%s/source", d.root);
	cfg.state_dir = dir;
	cfg.listen = "127.0.0.1:0";
	cfg.shares = &share;
	cfg.nshares = 1;
	cfg.upload_limit = rate;
	/* One office; its limit holds for peers of its own site too. */
	cfg.site = DEMO_SITE;
	cfg.lan_limits = 1;
	d.rate = rate;
	if ((d.source = engine_new(&cfg, &cause)) == NULL ||
	    engine_start(d.source, &cause) != 0 ||
	    (link = demo_link(&d, &cause)) == NULL)
		goto out;
	for (i = 0; i < DEMO_RECEIVERS; i++) {
		memset(&share, 0, sizeof share);
		snprintf(sample, sizeof sample, "%s/receiver-%u/sample",
		    d.root, i + 1);
		share.path = sample;
		share.link = link;
		share.stay = 1;		/* Receivers serve each other. */
		memset(&cfg, 0, sizeof cfg);
		snprintf(dir, sizeof dir, "%s/receiver-%u", d.root, i + 1);
		cfg.state_dir = dir;
		cfg.listen = "127.0.0.1:0";
		cfg.shares = &share;
		cfg.nshares = 1;
		cfg.site = DEMO_SITE;
		if ((d.recv[i] = engine_new(&cfg, &cause)) == NULL ||
		    engine_start(d.recv[i], &cause) != 0)
			goto out;
	}
	if (headless)
		r = demo_headless(&d);
	else {
		memset(&uo, 0, sizeof uo);
		uo.status = demo_status;
		uo.status_arg = &d;
		r = ui_run(d.source, &uo);
	}

out:
	if (cause != NULL) {
		cli_error("%s", cause);
		free(cause);
	}
	demo_stop_all(&d);
	free(link);
	log_close();
	if (nftw(d.root, demo_rm, 16, FTW_DEPTH | FTW_PHYS) != 0)
		cli_error(_("cannot remove all of %s: %s"), d.root,
		    strerror(errno));
	return (r);
}
