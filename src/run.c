/*
 * The headless front end. It never touches engine structures: it reads
 * snapshots (DESIGN.md) like the TUI will. SIGINT and SIGTERM are blocked
 * in every thread and read here from a signalfd; poll() waits on it and on
 * the engine's notify descriptor, with a timeout as the tick, so a signal
 * or a completed share is handled at once.
 */
#include "config.h"

#include <sys/signalfd.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "i18n.h"
#include "json.h"
#include "run.h"
#include "schedule.h"
#include "subnet.h"
#include "tracker.h"
#include "ui.h"
#include "units.h"
#include "wire.h"
#include "xmalloc.h"

/* How often the main thread looks at the engine. */
#define RUN_TICK_MS	250

static sigset_t	run_signals;

void
run_block_signals(void)
{
	sigset_t	winch;

	sigemptyset(&run_signals);
	sigaddset(&run_signals, SIGINT);
	sigaddset(&run_signals, SIGTERM);
	sigaddset(&run_signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &run_signals, NULL);
	/* Blocked in every thread; the TUI unblocks it on its own. */
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &winch, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static const char *
run_state_name(enum snap_state st)
{
	switch (st) {
	case SNAP_STARTING:
		return ("starting");
	case SNAP_CHECKING:
		return ("checking");
	case SNAP_SENDING:
		return ("sending");
	case SNAP_RECEIVING:
		return ("receiving");
	case SNAP_COMPLETE:
		return ("complete");
	case SNAP_PAUSED:
		return ("paused");
	default:
		return ("error");
	}
}

static int64_t
run_eta(const struct snap_share *sh)
{
	if (sh->state == SNAP_COMPLETE || sh->sending)
		return (0);
	if (sh->rate_down <= 0 || sh->size == 0)
		return (-1);
	return ((int64_t)((double)(sh->size - sh->have) / sh->rate_down));
}

static unsigned
run_local_peers(const struct snap_share *sh)
{
	unsigned	i, n = 0;

	for (i = 0; i < sh->npeers; i++)
		n += sh->peers[i].local != 0;
	return (n);
}

static void
run_json(const struct snapshot *s)
{
	struct buf	b;
	unsigned	i;

	buf_init(&b);
	for (i = 0; i < s->nshares; i++) {
		const struct snap_share *sh = &s->shares[i];

		buf_addf(&b, "{\"time\":%lld,\"name\":", (long long)time(NULL));
		json_add_cstr(&b, sh->name);
		buf_addf(&b, ",\"state\":\"%s\",\"size\":%llu,\"have\":%llu,"
		    "\"downloaded\":%llu,\"uploaded\":%llu,\"rate_down\":%.0f,"
		    "\"rate_up\":%.0f,\"peers\":%u,\"eta\":%lld,"
		    "\"down_local\":%llu,\"down_remote\":%llu,"
		    "\"up_local\":%llu,\"local_peers\":%u,\"wasted\":%llu",
		    run_state_name(sh->state), (unsigned long long)sh->size,
		    (unsigned long long)sh->have,
		    (unsigned long long)sh->downloaded,
		    (unsigned long long)sh->uploaded, sh->rate_down,
		    sh->rate_up, sh->npeers, (long long)run_eta(sh),
		    (unsigned long long)sh->down_local,
		    (unsigned long long)sh->down_remote,
		    (unsigned long long)sh->up_local, run_local_peers(sh),
		    (unsigned long long)sh->wasted);
		if (sh->error != NULL) {
			buf_add_str(&b, ",\"error\":");
			json_add_cstr(&b, sh->error);
		}
		buf_add_str(&b, "}\n");
	}
	fwrite(b.data, 1, b.len, stdout);
	fflush(stdout);
	buf_destroy(&b);
}

static void
run_progress(const struct snapshot *s, int tty)
{
	char		 a[UNITS_BUFLEN], b[UNITS_BUFLEN], r[UNITS_BUFLEN];
	char		 u[UNITS_BUFLEN], e[UNITS_BUFLEN];
	unsigned	 i;

	for (i = 0; i < s->nshares; i++) {
		const struct snap_share *sh = &s->shares[i];
		double pct = sh->size == 0 ? 0 : 100.0 * (double)sh->have /
		    (double)sh->size;

		fprintf(stderr, _("%s%s %s  %5.1f%%  %s of %s  down %s  up %s  "
		    "ETA %s  %u peers%s"), tty ? "\r\033[K" : "",
		    run_state_name(sh->state), sh->name, pct,
		    units_size(sh->have, a), units_size(sh->size, b),
		    units_rate(sh->rate_down, r), units_rate(sh->rate_up, u),
		    units_duration(run_eta(sh), e), sh->npeers,
		    tty ? "" : "\n");
	}
	fflush(stderr);
}

int
run_engine(struct engine *e, const struct run_opts *o)
{
	struct snapshot		*s;
	struct pollfd		 pfd[2];
	struct signalfd_siginfo	 si;
	uint64_t		 ticks = 0, now, last_tick = 0, counter;
	struct timespec		 mono;
	unsigned	 i, ndone, nfail;
	int		 tty = isatty(STDERR_FILENO), sig, printed = 0;
	int		 status = EXIT_DONE, stopping = 0, shown = 0;
	int		 said_complete = 0;

	pfd[0].fd = signalfd(-1, &run_signals, SFD_CLOEXEC | SFD_NONBLOCK);
	pfd[0].events = POLLIN;
	pfd[1].fd = engine_notify_fd(e);
	pfd[1].events = POLLIN;
	for (;;) {
		sig = 0;
		if (poll(pfd, 2, RUN_TICK_MS) > 0) {
			if ((pfd[0].revents & POLLIN) &&
			    read(pfd[0].fd, &si, sizeof si) == sizeof si)
				sig = (int)si.ssi_signo;
			if (pfd[1].revents & POLLIN)
				(void)!read(pfd[1].fd, &counter,
				    sizeof counter);
		}
		/* Progress output keeps its pace whatever woke us. */
		clock_gettime(CLOCK_MONOTONIC, &mono);
		now = (uint64_t)mono.tv_sec * 1000 + (uint64_t)mono.tv_nsec /
		    1000000;
		if (now - last_tick >= RUN_TICK_MS) {
			ticks++;
			last_tick = now;
		}
		s = engine_snapshot(e);
		if (sig == SIGHUP && o->reload != NULL && !stopping) {
			o->reload(e, o->reload_arg);
			sig = 0;
		}
		if (sig > 0 && !stopping) {
			stopping = 1;
			engine_stop(e);
		}
		if (s->stopped) {
			if (s->fatal != NULL) {
				cli_error("%s", s->fatal);
				status = EXIT_RUNTIME;
			}
			snapshot_put(s);
			break;
		}
		ndone = nfail = 0;
		for (i = 0; i < s->nshares; i++) {
			const struct snap_share *sh = &s->shares[i];

			if (o->print_magnet && !printed && sh->magnet != NULL) {
				printf("%s\n", sh->magnet);
				fflush(stdout);
				printed = 1;
			}
			if (sh->state == SNAP_COMPLETE)
				ndone++;
			if (sh->state == SNAP_ERROR) {
				nfail++;
				if (!stopping) {
					if (shown && tty)
						fputs("\r\033[K", stderr);
					cli_error("%s: %s", sh->name,
					    sh->error != NULL ? sh->error :
					    _("failed"));
				}
			}
		}
		if (!stopping && (ticks % 4) == 0 && last_tick == now) {
			if (o->json)
				run_json(s);
			else if (!o->quiet && (tty || (ticks % 8) == 0)) {
				run_progress(s, tty);
				shown = 1;
			}
		}
		if (!stopping && nfail > 0) {
			status = EXIT_RUNTIME;
			stopping = 1;
			engine_stop(e);
		} else if (!stopping && o->stay && !said_complete &&
		    s->nshares > 0 && ndone == s->nshares) {
			/* --stay: say so once, and keep serving. */
			printf("complete\n");
			fflush(stdout);
			said_complete = 1;
		} else if (!stopping && o->exit_complete && s->nshares > 0 &&
		    ndone == s->nshares) {
			if (o->json)
				run_json(s);
			if (shown && tty)
				fputs("\r\033[K", stderr);
			if (!o->quiet && !o->json)
				run_progress(s, 0);
			printf("complete\n");
			fflush(stdout);
			stopping = 1;
			engine_stop(e);
		}
		snapshot_put(s);
	}
	if (shown && tty)
		fputs("\n", stderr);
	close(pfd[0].fd);
	engine_wait(e);
	return (status);
}

void
run_common_init(struct run_common *rc)
{
	memset(rc, 0, sizeof *rc);
	rc->level = LOG_WARN;
}

/* The options every running command takes (run_common_option()). */
static const struct option run_common_longopts[] = {
	{ "state-dir", required_argument, NULL, RUN_OPT_STATE_DIR },
	{ "headless", no_argument, NULL, RUN_OPT_HEADLESS },
	{ "json", no_argument, NULL, RUN_OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "log-level", required_argument, NULL, RUN_OPT_LOG_LEVEL },
	{ "upload-limit", required_argument, NULL, RUN_OPT_UPLOAD_LIMIT },
	{ "download-limit", required_argument, NULL, RUN_OPT_DOWNLOAD_LIMIT },
	{ "lsd", no_argument, NULL, RUN_OPT_LSD },
	{ "site", required_argument, NULL, RUN_OPT_SITE },
	{ "local-subnet", required_argument, NULL, RUN_OPT_LOCAL_SUBNET },
	{ "lan-limits", no_argument, NULL, RUN_OPT_LAN_LIMITS },
	{ "peer-upload-limit", required_argument, NULL, RUN_OPT_PEER_UPLOAD },
	{ "peer-download-limit", required_argument, NULL,
	    RUN_OPT_PEER_DOWNLOAD },
	{ "schedule", required_argument, NULL, RUN_OPT_SCHEDULE },
	{ "site-upload-limit", required_argument, NULL, RUN_OPT_SITE_UPLOAD },
	{ "site-download-limit", required_argument, NULL,
	    RUN_OPT_SITE_DOWNLOAD },
	{ "tracker", required_argument, NULL, RUN_OPT_TRACKER },
	{ NULL, 0, NULL, 0 }
};

struct option *
run_longopts(const struct option *own)
{
	struct option	*v;
	size_t		 n = 0, m = 0;

	while (own[n].name != NULL)
		n++;
	while (run_common_longopts[m].name != NULL)
		m++;
	v = xreallocarray(NULL, n + m + 1, sizeof *v);
	memcpy(v, own, n * sizeof *v);
	memcpy(v + n, run_common_longopts, (m + 1) * sizeof *v);
	return (v);
}

void
run_common_free(struct run_common *rc)
{
	free(rc->subnets);
	rc->subnets = NULL;
	rc->nsubnets = 0;
	free(rc->schedule);
	rc->schedule = NULL;
	rc->nschedule = 0;
}

int
run_common_option(struct run_common *rc, int ch, const char *arg)
{
	struct subnet		 sn;
	struct schedule_window	 window;
	struct tracker_url	 url;
	char			*cause = NULL;

	switch (ch) {
	case RUN_OPT_STATE_DIR:
		rc->state_dir = arg;
		return (1);
	case RUN_OPT_JSON:
		rc->ro.json = 1;
		return (1);
	case RUN_OPT_LSD:
		rc->lsd = 1;
		return (1);
	case RUN_OPT_TRACKER:
		if (tracker_url_parse(arg, &url, &cause) != 0) {
			cli_error(_("bad tracker: %s"), cause);
			free(cause);
			return (-1);
		}
		if (rc->ntrackers == RUN_MAX_TRACKERS) {
			cli_error(_("too many trackers: at most %d"),
			    RUN_MAX_TRACKERS);
			return (-1);
		}
		rc->trackers[rc->ntrackers++] = arg;
		return (1);
	case RUN_OPT_HEADLESS:
		rc->headless = 1;
		return (1);
	case 'q':
		rc->ro.quiet = 1;
		return (1);
	case 'v':
		rc->level = LOG_INFO;
		return (1);
	case RUN_OPT_LOG_LEVEL:
		if (log_parse_level(arg, &rc->level) != 0) {
			cli_error(_("bad log level \"%s\": use debug, info, "
			    "warn or error"), arg);
			return (-1);
		}
		return (1);
	case RUN_OPT_SITE:
		if (*arg == '\0' || strlen(arg) > WIRE_LTEP_SITE_MAX) {
			cli_error(_("bad site name \"%s\": give 1 to %d "
			    "bytes"), arg, WIRE_LTEP_SITE_MAX);
			return (-1);
		}
		rc->site = arg;
		return (1);
	case RUN_OPT_LOCAL_SUBNET:
		if (subnet_parse(arg, &sn) != 0) {
			cli_error(_("bad subnet \"%s\": give one like "
			    "10.1.0.0/16 or fd00::/8"), arg);
			return (-1);
		}
		rc->subnets = xreallocarray(rc->subnets, rc->nsubnets + 1,
		    sizeof *rc->subnets);
		rc->subnets[rc->nsubnets++] = arg;
		return (1);
	case RUN_OPT_SCHEDULE:
		if (schedule_parse(arg, &window, &cause) != 0) {
			cli_error(_("bad schedule \"%s\": %s"), arg, cause);
			free(cause);
			return (-1);
		}
		rc->schedule = xreallocarray(rc->schedule, rc->nschedule + 1,
		    sizeof *rc->schedule);
		rc->schedule[rc->nschedule++] = arg;
		return (1);
	case RUN_OPT_LAN_LIMITS:
		rc->lan_limits = 1;
		return (1);
	case RUN_OPT_UPLOAD_LIMIT:
	case RUN_OPT_DOWNLOAD_LIMIT:
	case RUN_OPT_PEER_UPLOAD:
	case RUN_OPT_PEER_DOWNLOAD:
	case RUN_OPT_SITE_UPLOAD:
	case RUN_OPT_SITE_DOWNLOAD:
		if (units_parse_size(arg, ch == RUN_OPT_UPLOAD_LIMIT ?
		    &rc->upload_limit : ch == RUN_OPT_DOWNLOAD_LIMIT ?
		    &rc->download_limit : ch == RUN_OPT_PEER_UPLOAD ?
		    &rc->peer_upload_limit : ch == RUN_OPT_PEER_DOWNLOAD ?
		    &rc->peer_download_limit : ch == RUN_OPT_SITE_UPLOAD ?
		    &rc->site_upload_limit : &rc->site_download_limit) != 0) {
			cli_error(_("bad rate \"%s\": give bytes per second "
			    "like 500K or 20M"), arg);
			return (-1);
		}
		return (1);
	default:
		return (0);
	}
}

int
run_wants_tui(const struct run_common *rc)
{
	return (!rc->headless && !rc->ro.json && isatty(STDOUT_FILENO) &&
	    isatty(STDIN_FILENO));
}

int
run_main(struct run_common *rc, struct engine_config *cfg)
{
	struct ui_opts	 uo;
	struct engine	*e;
	char		*state_dir, *cause = NULL;
	int		 r;

	if ((state_dir = cli_state_dir(rc->state_dir)) == NULL)
		return (EXIT_RUNTIME);
	log_open(stderr, rc->level);
	cfg->state_dir = state_dir;
	cfg->upload_limit = rc->upload_limit;
	cfg->download_limit = rc->download_limit;
	cfg->lsd = rc->lsd;
	cfg->site = rc->site;
	cfg->local_subnets = rc->subnets;
	cfg->nlocal_subnets = rc->nsubnets;
	cfg->lan_limits = rc->lan_limits;
	cfg->peer_upload_limit = rc->peer_upload_limit;
	cfg->peer_download_limit = rc->peer_download_limit;
	cfg->site_upload_limit = rc->site_upload_limit;
	cfg->site_download_limit = rc->site_download_limit;
	cfg->schedule = rc->schedule;
	cfg->nschedule = rc->nschedule;
	cfg->trackers = rc->trackers;
	cfg->ntrackers = rc->ntrackers;
	run_block_signals();
	if ((e = engine_new(cfg, &cause)) == NULL ||
	    engine_start(e, &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		engine_free(e);
		log_close();
		free(state_dir);
		return (EXIT_RUNTIME);
	}
	if (run_wants_tui(rc)) {
		memset(&uo, 0, sizeof uo);
		uo.config = rc->ro.config;
		uo.reload = rc->ro.reload;
		uo.reload_arg = rc->ro.reload_arg;
		r = ui_run(e, &uo);
	} else
		r = run_engine(e, &rc->ro);
	engine_free(e);
	log_close();
	free(state_dir);
	return (r);
}
