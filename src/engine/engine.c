/*
 * The engine: a libuv loop on its own thread that owns every torrent, peer
 * and handle. The front end talks to it through three things only, each
 * under e->lock: a stop flag and a queue of commands (each with
 * uv_async_send to wake the loop), and the newest snapshot, which the loop
 * rebuilds four times a second.
 *
 * Commands: engine_submit() appends under the lock and signals the async
 * handle; libuv coalesces signals, so the callback takes the whole queue
 * under the lock and works through it outside. A command sent before the
 * loop runs waits in the queue for engine_main()'s first look.
 *
 * Shutdown: the async callback stops every torrent (peers closed, storage
 * saved and closed), then closes the engine's own handles; uv_run returns
 * when nothing is left, and the thread publishes a last snapshot marked
 * stopped. uv_loop_close() must then return 0.
 */
#define SHOAL_ENGINE_INTERNAL
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/x509.h>

#include "engine-int.h"
#include "hex.h"
#include "log.h"
#include "magnet.h"
#include "nodeid.h"
#include "units.h"
#include "xmalloc.h"

/* How often the front end gets a new snapshot (DESIGN.md: ~4 a second). */
#define ENGINE_SNAPSHOT_MS	250
/* Timeouts, keep-alives, reconnects, resume saves. */
#define ENGINE_TICK_MS		1000
/* After a change in a swarm, PEX and new dials wait this long to batch. */
#define ENGINE_SOON_MS		20
/* Pending connections (before the handshake) we accept at once. */
#define ENGINE_MAX_PENDING	64

static void	engine_publish(struct engine *);
static void	engine_schedule(struct engine *);

uint64_t
engine_now(struct engine *e)
{
	return (uv_now(&e->loop));
}

struct torrent *
engine_find_torrent(struct engine *e, const uint8_t *hash20)
{
	struct torrent	*t;

	for (t = e->torrents; t != NULL; t = t->next) {
		/* A paused share admits nobody: as if we did not have it. */
		if (t->state != TORRENT_MAKING && t->state != TORRENT_FAILED &&
		    !t->paused && torrent_matches(t, hash20))
			return (t);
	}
	return (NULL);
}

struct torrent *
engine_find_sni(struct engine *e, const char *sni)
{
	uint8_t	h[20];

	if (sni == NULL || strlen(sni) < 40 || hex_decode(sni, 20, h) != 0)
		return (NULL);
	return (engine_find_torrent(e, h));
}

int
engine_notify_fd(struct engine *e)
{
	return (e->notify_fd);
}

void
engine_notify(struct engine *e)
{
	uint64_t	one = 1;

	engine_publish(e);
	if (write(e->notify_fd, &one, sizeof one) != sizeof one)
		log_debug("cannot wake the front end: %s", strerror(errno));
}

void
engine_mark_dirty(struct engine *e, struct peer *p)
{
	if (p->flush_pending || p->closing)
		return;
	if (e->ndirty == e->capdirty) {
		e->capdirty = e->capdirty == 0 ? 64 : e->capdirty * 2;
		e->dirty = xreallocarray(e->dirty, e->capdirty,
		    sizeof *e->dirty);
	}
	p->flush_pending = 1;
	peer_ref(p);
	e->dirty[e->ndirty++] = p;
}

/* After each loop iteration's I/O: one encrypted write per dirty peer. */
static void
engine_flush(uv_check_t *h)
{
	struct engine	*e = h->data;
	size_t		 i, n = e->ndirty;
	struct peer	**v;

	if (n == 0)
		return;
	v = xmemdup(e->dirty, n * sizeof *v);
	e->ndirty = 0;
	for (i = 0; i < n; i++) {
		if (v[i]->flush_pending)
			peer_flush(v[i]);
		peer_unref(v[i]);
	}
	free(v);
}

static void
engine_on_connection(uv_stream_t *server, int status)
{
	struct engine	*e = server->data;
	struct peer	*p;
	unsigned	 n = 0;
	uv_tcp_t	 drop;

	if (status != 0) {
		log_warn("accept failed: %s", uv_strerror(status));
		return;
	}
	for (p = e->pending; p != NULL; p = p->next)
		n++;
	if (n >= ENGINE_MAX_PENDING || e->stopping) {
		/* Accept and close at once: bounded pending connections. */
		uv_tcp_init(&e->loop, &drop);
		if (uv_accept(server, (uv_stream_t *)&drop) == 0)
			log_warn("too many connections in their handshake: "
			    "one dropped");
		uv_close((uv_handle_t *)&drop, NULL);
		uv_run(&e->loop, UV_RUN_NOWAIT);
		return;
	}
	peer_accept(e, server);
}

static void
engine_tick(uv_timer_t *h)
{
	struct engine	*e = h->data;
	struct torrent	*t;
	struct peer	*p, *next;
	uint64_t	 now = engine_now(e);

	if (e->stopping)
		return;		/* Nothing new once stopping (no redials). */
	for (p = e->pending; p != NULL; p = next) {
		next = p->next;
		peer_tick(p, now);
	}
	announcer_tick(e->announcers, now);
	engine_schedule(e);
	for (t = e->torrents; t != NULL; t = t->next) {
		if (!t->paused)
			torrent_tick(t, now);
	}
}

/*
 * Apply the schedule's window for the local time now, if it changed: the
 * node's limits become the window's (or, outside every window, the
 * node's own), from this moment on.
 */
static void
engine_schedule(struct engine *e)
{
	struct tm	 tm;
	time_t		 now = time(NULL);
	int		 w;
	uint64_t	 up = e->base_up, down = e->base_down;
	char		 a[UNITS_BUFLEN], b[UNITS_BUFLEN];

	if (e->nschedule == 0 || localtime_r(&now, &tm) == NULL)
		return;
	w = schedule_find(e->schedule, e->nschedule,
	    schedule_minute(tm.tm_wday, tm.tm_hour, tm.tm_min));
	if (w == e->window)
		return;
	e->window = w;
	if (w >= 0 && e->schedule[w].set_up)
		up = e->schedule[w].up;
	if (w >= 0 && e->schedule[w].set_down)
		down = e->schedule[w].down;
	ratelimit_set_rate(&e->up, up, uv_now(&e->loop));
	ratelimit_set_rate(&e->down, down, uv_now(&e->loop));
	log_info("limits now: upload %s, download %s (%s%s)",
	    up == 0 ? "unlimited" : units_rate((double)up, a),
	    down == 0 ? "unlimited" : units_rate((double)down, b),
	    w >= 0 ? "schedule: " : "outside every scheduled window",
	    w >= 0 ? e->schedule_text[w] : "");
	/* Waiting transfers may go now (once the loop runs). */
	if (e->soon_ready)
		engine_limit_wait(e, 1);
}

static void
engine_limit_fire(uv_timer_t *h)
{
	struct engine	*e = h->data;
	struct torrent	*t;

	e->limit_armed = 0;
	for (t = e->torrents; t != NULL; t = t->next) {
		torrent_serve_all(t);
		torrent_request_all(t);
	}
}

void
engine_limit_wait(struct engine *e, uint64_t ms)
{
	if (e->limit_armed || e->stopping)
		return;
	e->limit_armed = 1;
	uv_timer_start(&e->limit_timer, engine_limit_fire, ms == 0 ? 1 : ms,
	    0);
}

static void
engine_soon_fire(uv_timer_t *h)
{
	struct engine	*e = h->data;
	struct torrent	*t;

	e->soon_armed = 0;
	if (e->stopping)
		return;
	for (t = e->torrents; t != NULL; t = t->next)
		torrent_soon(t, engine_now(e));
}

void
engine_soon(struct engine *e)
{
	if (e->soon_armed || e->stopping || !e->soon_ready)
		return;
	e->soon_armed = 1;
	uv_timer_start(&e->soon_timer, engine_soon_fire, ENGINE_SOON_MS, 0);
}

static void
engine_snap_timer(uv_timer_t *h)
{
	engine_publish(h->data);
}

static void
engine_close_handles(struct engine *e)
{
	/* From now on engine_stop() must not touch the async handle. */
	pthread_mutex_lock(&e->lock);
	e->wakeup_ready = 0;
	pthread_mutex_unlock(&e->lock);
	uv_timer_stop(&e->tick);
	uv_timer_stop(&e->snap_timer);
	uv_timer_stop(&e->limit_timer);
	uv_close((uv_handle_t *)&e->limit_timer, NULL);
	uv_timer_stop(&e->soon_timer);
	uv_close((uv_handle_t *)&e->soon_timer, NULL);
	uv_check_stop(&e->flusher);
	uv_close((uv_handle_t *)&e->tick, NULL);
	uv_close((uv_handle_t *)&e->snap_timer, NULL);
	uv_close((uv_handle_t *)&e->flusher, NULL);
	uv_close((uv_handle_t *)&e->wakeup, NULL);
	if (e->listening)
		uv_close((uv_handle_t *)&e->listener, NULL);
}

static void
engine_torrent_stopped(void *arg)
{
	struct engine	*e = arg;

	if (--e->stopping_torrents == 0)
		engine_close_handles(e);
}

static void
engine_begin_stop(struct engine *e)
{
	struct torrent	*t;
	struct peer	*p;

	if (e->stopping)
		return;
	e->stopping = 1;
	log_debug("engine stopping");
	while ((p = e->pending) != NULL)
		peer_close(p, "shutting down");
	lsd_close(e->lsd);
	e->lsd = NULL;
	if (e->listening)
		uv_read_stop((uv_stream_t *)&e->listener);
	e->stopping_torrents = 2;
	announcer_stop(e->announcers, engine_torrent_stopped, e);
	for (t = e->torrents; t != NULL; t = t->next) {
		e->stopping_torrents++;
		torrent_stop(t, engine_torrent_stopped, e);
	}
	engine_torrent_stopped(e);
}

struct engine_share *
engine_share_dup(const struct engine_share *sh)
{
	struct engine_share	*d = xmalloc(sizeof *d);

	*d = *sh;
	d->name = sh->name != NULL ? xstrdup(sh->name) : NULL;
	d->path = sh->path != NULL ? xstrdup(sh->path) : NULL;
	d->link = sh->link != NULL ? xstrdup(sh->link) : NULL;
	d->ca = sh->ca != NULL ? xstrdup(sh->ca) : NULL;
	if (sh->nallow > 0)
		d->allow = xmemdup(sh->allow, sh->nallow * sizeof *sh->allow);
	else
		d->allow = NULL;
	return (d);
}

void
engine_share_free(struct engine_share *sh)
{
	if (sh == NULL)
		return;
	free((char *)sh->name);
	free((char *)sh->path);
	free((char *)sh->link);
	free((char *)sh->ca);
	free((void *)sh->allow);
	free(sh);
}

/* A removed share's storage is closed; it stays on e->dead till the end. */
static void
engine_removed(void *arg)
{
	struct torrent	*t = arg;

	log_info("%s: share removed", t->name);
}

static struct torrent *
engine_find_id(struct engine *e, uint32_t id)
{
	struct torrent	*t;

	for (t = e->torrents; t != NULL; t = t->next) {
		if (t->id == id)
			return (t);
	}
	return (NULL);
}

static struct torrent	*engine_make_share(struct engine *,
			    const struct engine_share *, uint32_t, char **);

/* ENGINE_CMD_ADD: make the share's torrent, start it, announce it. */
static void
engine_run_add(struct engine *e, const struct engine_cmd *c)
{
	struct torrent	*t, **tp;
	char		*cause = NULL;

	if (c->add == NULL)
		return;
	if (c->share != 0 && engine_find_id(e, c->share) != NULL) {
		log_warn("share %u exists already: not added again", c->share);
		return;
	}
	if ((t = engine_make_share(e, c->add, c->share, &cause)) == NULL) {
		log_warn("cannot add share %s: %s", c->add->name != NULL ?
		    c->add->name : c->add->path, cause);
		free(cause);
		return;
	}
	for (tp = &e->torrents; *tp != NULL; tp = &(*tp)->next)
		;
	*tp = t;
	log_info("%s: share added", t->name);
	torrent_start(t);
	if (e->lsd != NULL)
		lsd_announce(e->lsd);
}

/* One command from the front end, on the loop thread. */
static void
engine_run_cmd(struct engine *e, const struct engine_cmd *c)
{
	struct torrent	*t = NULL, **tp;
	char		*cause = NULL;
	uint64_t	 now = engine_now(e);

	if (c->type == ENGINE_CMD_ADD) {
		engine_run_add(e, c);
		return;
	}
	if (c->type != ENGINE_CMD_LIMITS &&
	    (t = engine_find_id(e, c->share)) == NULL) {
		log_warn("a command named share %u, which does not exist",
		    c->share);
		return;
	}
	switch (c->type) {
	case ENGINE_CMD_PAUSE:
	case ENGINE_CMD_RESUME:
		if (t->state != TORRENT_FAILED)
			torrent_pause(t, c->type == ENGINE_CMD_PAUSE);
		break;
	case ENGINE_CMD_REMOVE:
		for (tp = &e->torrents; *tp != t; tp = &(*tp)->next)
			;
		*tp = t->next;
		t->next = e->dead;
		e->dead = t;
		torrent_stop(t, engine_removed, t);
		break;
	case ENGINE_CMD_ADD:
		break;
	case ENGINE_CMD_RECHECK:
		if (torrent_recheck(t, &cause) != 0) {
			log_warn("%s", cause);
			free(cause);
		}
		break;
	case ENGINE_CMD_LIMITS:
		/*
		 * In force now; a scheduled window that begins later sets its
		 * own, and outside every window these are the node's limits.
		 */
		ratelimit_set_rate(&e->up, c->upload_limit, now);
		ratelimit_set_rate(&e->down, c->download_limit, now);
		e->base_up = c->upload_limit;
		e->base_down = c->download_limit;
		log_info("limits now: upload %llu, download %llu bytes/s "
		    "(0: none)", (unsigned long long)c->upload_limit,
		    (unsigned long long)c->download_limit);
		/* Whatever waited for tokens may go now. */
		for (t = e->torrents; t != NULL; t = t->next) {
			torrent_serve_all(t);
			torrent_request_all(t);
		}
		break;
	}
}

static void
engine_wakeup(uv_async_t *h)
{
	struct engine		*e = h->data;
	struct engine_cmd	*cmds;
	size_t			 n, i;
	int			 stop;

	pthread_mutex_lock(&e->lock);
	stop = e->stop_requested;
	cmds = e->cmds;
	n = e->ncmds;
	e->cmds = NULL;
	e->ncmds = e->capcmds = 0;
	pthread_mutex_unlock(&e->lock);
	for (i = 0; i < n && !stop && !e->stopping; i++)
		engine_run_cmd(e, &cmds[i]);
	for (i = 0; i < n; i++)
		engine_share_free(cmds[i].add);
	free(cmds);
	if (stop)
		engine_begin_stop(e);
	else if (n > 0)
		engine_notify(e);	/* Show the effect at once. */
}

void
engine_submit(struct engine *e, const struct engine_cmd *c)
{
	pthread_mutex_lock(&e->lock);
	if (e->ncmds == e->capcmds) {
		e->capcmds = e->capcmds == 0 ? 16 : e->capcmds * 2;
		e->cmds = xreallocarray(e->cmds, e->capcmds, sizeof *e->cmds);
	}
	e->cmds[e->ncmds++] = *c;
	if (e->wakeup_ready)
		uv_async_send(&e->wakeup);
	pthread_mutex_unlock(&e->lock);
}

static int
engine_parse_addr(const char *text, struct sockaddr_storage *ss, char **cause)
{
	struct addrinfo	 hints, *res = NULL;
	char		 host[256], *port;
	size_t		 len = strlen(text);

	if (len >= sizeof host || (port = strrchr(text, ':')) == NULL) {
		xasprintf(cause, "bad address \"%s\": expected ADDR:PORT", text);
		return (-1);
	}
	memcpy(host, text, (size_t)(port - text));
	host[port - text] = '\0';
	port++;
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(host[0] == '\0' ? NULL : host, port, &hints, &res) !=
	    0 || res == NULL) {
		xasprintf(cause, "bad address \"%s\": cannot resolve it", text);
		return (-1);
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return (0);
}

static int
engine_listen(struct engine *e, const char *text, char **cause)
{
	struct sockaddr_storage	ss;
	int			r, len = sizeof ss;
	char			host[INET6_ADDRSTRLEN];

	if (engine_parse_addr(text, &ss, cause) != 0)
		return (-1);
	uv_tcp_init(&e->loop, &e->listener);
	e->listener.data = e;
	e->listening = 1;
	if ((r = uv_tcp_bind(&e->listener, (struct sockaddr *)&ss, 0)) != 0 ||
	    (r = uv_listen((uv_stream_t *)&e->listener, 128,
	    engine_on_connection)) != 0) {
		xasprintf(cause, "cannot listen on %s: %s", text,
		    uv_strerror(r));
		return (-1);
	}
	uv_tcp_getsockname(&e->listener, (struct sockaddr *)&ss, &len);
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		snprintf(e->listen_text, sizeof e->listen_text, "[%s]:%u",
		    host, ntohs(s6->sin6_port));
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		snprintf(e->listen_text, sizeof e->listen_text, "%s:%u", host,
		    ntohs(s4->sin_port));
	}
	e->listen_port = ss.ss_family == AF_INET6 ?
	    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
	    ntohs(((struct sockaddr_in *)&ss)->sin_port);
	log_info("listening on %s", e->listen_text);
	return (0);
}

/*
 * The trackers a torrent announces to: every --tracker, and a receiver's
 * link's own (tr=). A link's tracker we cannot use is logged and left out.
 */
static int
engine_add_trackers(struct engine *e, struct torrent *t,
    const struct engine_share *sh, char **cause)
{
	struct magnet	 mg;
	char		*why = NULL;
	size_t		 i;

	for (i = 0; i < e->ntrackers; i++) {
		if (announcer_add(e->announcers, t, e->trackers[i], cause) !=
		    0)
			return (-1);
	}
	if (sh->sending || sh->link == NULL)
		return (0);
	magnet_init(&mg);
	if (magnet_parse(&mg, sh->link, NULL) == 0) {
		for (i = 0; i < mg.ntrackers; i++) {
			if (announcer_add(e->announcers, t, mg.trackers[i],
			    &why) == 0)
				continue;
			log_warn("%s: the link's tracker is left out: %s",
			    t->name, why);
			free(why);
			why = NULL;
		}
	}
	magnet_destroy(&mg);
	return (0);
}

/*
 * A torrent for one share, not yet in the engine's list: id 0 takes the
 * next free one. NULL and *cause if the share cannot be made.
 */
static struct torrent *
engine_make_share(struct engine *e, const struct engine_share *sh,
    uint32_t id, char **cause)
{
	struct torrent	*t;

	if (sh->public) {
		if ((t = torrent_new_public(e, sh->torrent, sh->link, sh->path,
		    sh->sending, sh->stay, cause)) == NULL)
			return (NULL);
	} else if (sh->sending) {
		t = torrent_new_send(e, sh->path, sh->open, sh->allow,
		    sh->nallow);
		if (sh->ca != NULL &&
		    (t->ca = identity_read_cert(sh->ca, cause)) == NULL) {
			torrent_free(t);
			return (NULL);
		}
	} else if ((t = torrent_new_receive(e, sh->link, sh->path, sh->stay,
	    cause)) == NULL)
		return (NULL);
	ratelimit_init(&t->up_limit, sh->upload_limit, uv_now(&e->loop));
	ratelimit_init(&t->down_limit, sh->download_limit, uv_now(&e->loop));
	if (id == 0)
		id = e->next_share_id + 1;
	t->id = id;
	if (id > e->next_share_id)
		e->next_share_id = id;
	if (sh->name != NULL) {
		free(t->name);
		t->name = xstrdup(sh->name);
		t->named = 1;
	}
	if (engine_add_trackers(e, t, sh, cause) != 0) {
		torrent_free(t);
		return (NULL);
	}
	return (t);
}

struct engine *
engine_new(const struct engine_config *cfg, char **cause)
{
	struct engine	*e = xcalloc(1, sizeof *e);
	struct torrent	*t, **tail = &e->torrents;
	char		*key, *crt, *why = NULL;
	size_t		 i;
	int		 public = cfg->nshares > 0;

	/* Public torrents alone need no identity: they run without TLS. */
	for (i = 0; i < cfg->nshares; i++)
		public = public && cfg->shares[i].public;

	pthread_mutex_init(&e->lock, NULL);
	if ((e->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		fatalx("eventfd: %s", strerror(errno));
	identity_init(&e->id);
	xasprintf(&key, "%s/%s", cfg->state_dir, IDENTITY_KEY_FILE);
	xasprintf(&crt, "%s/%s", cfg->state_dir, IDENTITY_CERT_FILE);
	if (identity_load(&e->id, key, crt, &why) != 0 && public) {
		log_debug("no identity (%s): plain BitTorrent only", why);
		free(why);
		why = NULL;
		identity_destroy(&e->id);
		identity_init(&e->id);
	} else if (why != NULL) {
		xasprintf(cause, "%s (run \"shoal init --state-dir %s\" to "
		    "create this node's identity)", why, cfg->state_dir);
		free(why);
		free(key);
		free(crt);
		identity_destroy(&e->id);
		close(e->notify_fd);
		free(e);
		return (NULL);
	}
	free(key);
	free(crt);
	if (e->id.cert != NULL) {
		nodeid_to_text(e->id.id, e->node_text);
		if (X509_NAME_get_text_by_NID(X509_get_subject_name(
		    e->id.cert), NID_commonName, e->node_name,
		    sizeof e->node_name) < 0)
			e->node_name[0] = '\0';
	}
	if (e->id.cert != NULL && (e->tls = tls_ctx_new(e->id.key, e->id.cert,
	    TLS1_3_VERSION, cause)) == NULL) {
		identity_destroy(&e->id);
		close(e->notify_fd);
		free(e);
		return (NULL);
	}
	/* Azureus-style peer ID: client "SH", version, then random bytes. */
	memcpy(e->peer_id, "-SH0001-", 8);
	if (RAND_bytes(e->peer_id + 8, 12) != 1)
		fatalx("no random bytes for the peer ID");
	if (uv_loop_init(&e->loop) != 0)
		fatalx("uv_loop_init failed");
	ratelimit_init(&e->up, cfg->upload_limit, uv_now(&e->loop));
	e->want_lsd = cfg->lsd;
	ratelimit_init(&e->down, cfg->download_limit, uv_now(&e->loop));
	e->lan_limits = cfg->lan_limits;
	e->site_up = cfg->site_upload_limit;
	e->site_down = cfg->site_download_limit;
	if (e->site_up != 0 || e->site_down != 0)
		e->sites = xcalloc(ENGINE_MAX_SITES, sizeof *e->sites);
	e->peer_up = cfg->peer_upload_limit;
	e->peer_down = cfg->peer_download_limit;
	e->base_up = cfg->upload_limit;
	e->base_down = cfg->download_limit;
	e->window = -1;
	e->schedule = xreallocarray(NULL, cfg->nschedule + 1,
	    sizeof *e->schedule);
	e->schedule_text = xreallocarray(NULL, cfg->nschedule + 1,
	    sizeof *e->schedule_text);
	for (i = 0; i < cfg->nschedule; i++) {
		why = NULL;
		if (schedule_parse(cfg->schedule[i],
		    &e->schedule[e->nschedule], &why) != 0) {
			xasprintf(cause, "schedule \"%s\": %s",
			    cfg->schedule[i], why);
			free(why);
			engine_free(e);
			return (NULL);
		}
		e->schedule_text[e->nschedule++] = xstrdup(cfg->schedule[i]);
	}
	engine_schedule(e);
	if (cfg->site != NULL) {
		if (strlen(cfg->site) > WIRE_LTEP_SITE_MAX) {
			xasprintf(cause, "site name \"%s\" is longer than %d "
			    "bytes", cfg->site, WIRE_LTEP_SITE_MAX);
			engine_free(e);
			return (NULL);
		}
		snprintf(e->site, sizeof e->site, "%s", cfg->site);
	}
	e->subnets = xreallocarray(NULL, cfg->nlocal_subnets + 1,
	    sizeof *e->subnets);
	for (i = 0; i < cfg->nlocal_subnets; i++) {
		if (subnet_parse(cfg->local_subnets[i], &e->subnets[i]) != 0) {
			xasprintf(cause, "\"%s\" is not a subnet like "
			    "10.1.0.0/16 or fd00::/8", cfg->local_subnets[i]);
			engine_free(e);
			return (NULL);
		}
		e->nsubnets++;
	}
	e->announcers = announcer_set_new(e);
	e->trackers = xreallocarray(NULL, cfg->ntrackers + 1,
	    sizeof *e->trackers);
	for (i = 0; i < cfg->ntrackers; i++)
		e->trackers[e->ntrackers++] = xstrdup(cfg->trackers[i]);

	for (i = 0; i < cfg->nshares; i++) {
		if ((t = engine_make_share(e, &cfg->shares[i], 0,
		    cause)) == NULL) {
			engine_free(e);
			return (NULL);
		}
		*tail = t;
		tail = &t->next;
	}
	for (t = e->torrents; t != NULL; t = t->next) {
		for (i = 0; i < cfg->npeers; i++)
			torrent_add_peer_addr(t, cfg->peers[i]);
	}
	if (cfg->listen != NULL && engine_listen(e, cfg->listen, cause) != 0) {
		engine_free(e);
		return (NULL);
	}
	engine_publish(e);
	return (e);
}

static void
engine_main(void *arg)
{
	struct engine	*e = arg;
	struct torrent	*t;
	int		 r;

	uv_async_init(&e->loop, &e->wakeup, engine_wakeup);
	e->wakeup.data = e;
	pthread_mutex_lock(&e->lock);
	e->wakeup_ready = 1;
	pthread_mutex_unlock(&e->lock);
	uv_timer_init(&e->loop, &e->tick);
	e->tick.data = e;
	uv_timer_init(&e->loop, &e->snap_timer);
	e->snap_timer.data = e;
	uv_timer_init(&e->loop, &e->limit_timer);
	e->limit_timer.data = e;
	uv_timer_init(&e->loop, &e->soon_timer);
	e->soon_timer.data = e;
	e->soon_ready = 1;
	uv_check_init(&e->loop, &e->flusher);
	e->flusher.data = e;
	uv_check_start(&e->flusher, engine_flush);
	uv_timer_start(&e->tick, engine_tick, 0, ENGINE_TICK_MS);
	uv_timer_start(&e->snap_timer, engine_snap_timer, ENGINE_SNAPSHOT_MS,
	    ENGINE_SNAPSHOT_MS);
	for (t = e->torrents; t != NULL; t = t->next)
		torrent_start(t);
	if (e->want_lsd && e->listening) {
		char	*cause = NULL;

		if ((e->lsd = lsd_new(e, &cause)) == NULL) {
			log_warn("%s", cause);
			free(cause);
		} else
			lsd_announce(e->lsd);
	}
	engine_wakeup(&e->wakeup);	/* A stop may have come early. */

	uv_run(&e->loop, UV_RUN_DEFAULT);
	/* Anything closed in the last callbacks. */
	uv_run(&e->loop, UV_RUN_DEFAULT);
	r = uv_loop_close(&e->loop);
	if (r != 0)
		log_error("the engine's loop did not close cleanly: %s",
		    uv_strerror(r));
	pthread_mutex_lock(&e->lock);
	e->stopped = 1;
	pthread_mutex_unlock(&e->lock);
	engine_notify(e);
}

int
engine_start(struct engine *e, char **cause)
{
	if (uv_thread_create(&e->thread, engine_main, e) != 0) {
		xasprintf(cause, "cannot start the engine thread");
		return (-1);
	}
	e->thread_started = 1;
	return (0);
}

void
engine_stop(struct engine *e)
{
	/*
	 * The handle is signalled only between its init and its close on
	 * the engine thread; before, engine_main() sees stop_requested
	 * itself, and after, the loop is stopping anyway.
	 */
	pthread_mutex_lock(&e->lock);
	e->stop_requested = 1;
	if (e->wakeup_ready)
		uv_async_send(&e->wakeup);
	pthread_mutex_unlock(&e->lock);
}

void
engine_wait(struct engine *e)
{
	if (e->thread_started) {
		uv_thread_join(&e->thread);
		e->thread_started = 0;
	}
}

void
engine_free(struct engine *e)
{
	struct torrent	*t;
	size_t		 i;

	if (e == NULL)
		return;
	engine_wait(e);
	while ((t = e->torrents) != NULL) {
		e->torrents = t->next;
		torrent_free(t);
	}
	while ((t = e->dead) != NULL) {
		e->dead = t->next;
		torrent_free(t);
	}
	for (i = 0; i < e->ncmds; i++)
		engine_share_free(e->cmds[i].add);
	if (!e->stopped) {
		/* Never started: close what engine_new opened. */
		if (e->listening)
			uv_close((uv_handle_t *)&e->listener, NULL);
		uv_run(&e->loop, UV_RUN_DEFAULT);
		uv_loop_close(&e->loop);
	}
	announcer_set_free(e->announcers);
	for (i = 0; i < e->ntrackers; i++)
		free(e->trackers[i]);
	free(e->trackers);
	snapshot_put(e->snap);
	free(e->subnets);
	free(e->sites);
	for (i = 0; i < (size_t)e->nschedule; i++)
		free(e->schedule_text[i]);
	free(e->schedule_text);
	free(e->schedule);
	free(e->cmds);
	free(e->dirty);
	free(e->fatal);
	tls_ctx_free(e->tls);
	identity_destroy(&e->id);
	pthread_mutex_destroy(&e->lock);
	close(e->notify_fd);
	free(e);
}

/* Snapshots. */

void
snapshot_put(struct snapshot *s)
{
	unsigned	i, j;

	if (s == NULL || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	for (i = 0; i < s->nshares; i++) {
		free(s->shares[i].magnet);
		free(s->shares[i].error);
		free(s->shares[i].peers);
		free(s->shares[i].piece_map);
		free(s->shares[i].piece_avail);
		for (j = 0; j < s->shares[i].nfiles; j++)
			free(s->shares[i].files[j].path);
		free(s->shares[i].files);
	}
	free(s->shares);
	free(s->fatal);
	free(s);
}

struct snapshot *
engine_snapshot(struct engine *e)
{
	struct snapshot	*s;

	pthread_mutex_lock(&e->lock);
	s = e->snap;
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&e->lock);
	return (s);
}

static char *
engine_magnet(struct engine *e, struct torrent *t)
{
	struct magnet	 mg;
	char		*link, host[sizeof e->listen_text], *colon;
	unsigned	 port;
	size_t		 i;

	magnet_init(&mg);
	mg.has_v2 = (t->m.versions & MI_V2) != 0;
	memcpy(mg.v2, t->m.ih2, 32);
	if (t->m.versions & MI_V1) {
		mg.has_v1 = 1;
		memcpy(mg.v1, t->m.ih1, 20);
	}
	mg.name = xstrdup(t->m.name);
	if (!t->public)
		mg.node = xstrdup(e->node_text);
	for (i = 0; i < e->ntrackers; i++)
		magnet_add_tracker(&mg, e->trackers[i]);
	if (e->listen_text[0] != '\0') {
		snprintf(host, sizeof host, "%s", e->listen_text);
		colon = strrchr(host, ':');
		*colon = '\0';
		port = (unsigned)strtoul(colon + 1, NULL, 10);
		if (host[0] == '[') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		/* A wildcard listener: name this host by loopback. */
		if (strcmp(host, "0.0.0.0") == 0)
			snprintf(host, sizeof host, "127.0.0.1");
		else if (strcmp(host, "::") == 0)
			snprintf(host, sizeof host, "::1");
		magnet_add_peer(&mg, host, (uint16_t)port);
	}
	link = magnet_format(&mg);
	magnet_destroy(&mg);
	return (link);
}

static enum snap_state
engine_snap_state(const struct torrent *t)
{
	if (t->paused && t->state != TORRENT_FAILED)
		return (SNAP_PAUSED);
	switch (t->state) {
	case TORRENT_MAKING:
	case TORRENT_METADATA:
	case TORRENT_LAYERS:
		return (SNAP_STARTING);
	case TORRENT_CHECKING:
		return (SNAP_CHECKING);
	case TORRENT_RUNNING:
		return (t->sending ? SNAP_SENDING : SNAP_RECEIVING);
	case TORRENT_COMPLETE:
		return (SNAP_COMPLETE);
	default:
		return (SNAP_ERROR);
	}
}

/*
 * Is one of the buckets a peer's blocks pass through empty (the node's,
 * unless the peer is local and --lan-limits is off; its site's; the
 * share's; its own), as torrent.c chains them?
 */
static int
engine_peer_limited(struct engine *e, const struct torrent *t,
    const struct peer *p, int up, uint64_t now)
{
	struct engine_site	*site;

	if ((!p->local || e->lan_limits) &&
	    ratelimit_available(up ? &e->up : &e->down, now) == 0)
		return (1);
	if (p->site_slot != 0) {
		site = &e->sites[p->site_slot - 1];
		if (ratelimit_available(up ? &site->up : &site->down,
		    now) == 0)
			return (1);
	}
	if (ratelimit_available(up ? &t->up_limit : &t->down_limit, now) == 0)
		return (1);
	return (ratelimit_available(up ? &p->up_limit : &p->down_limit,
	    now) == 0);
}

/*
 * Why a peer's transfer is slow, from what the loop knows already: the
 * first reason that holds, most specific first. Cheap enough to run for
 * every peer four times a second.
 */
static enum snap_slow
engine_peer_slow(struct engine *e, const struct torrent *t,
    const struct peer *p, int local, uint64_t now)
{
	int	want_up = p->nwants > 0, want_down = p->am_interested;

	if (t->state == TORRENT_CHECKING)
		return (SNAP_SLOW_HASHING);
	if (want_down && p->peer_choking)
		return (SNAP_SLOW_CHOKED);
	if ((want_up && engine_peer_limited(e, t, p, 1, now)) ||
	    (want_down && engine_peer_limited(e, t, p, 0, now)))
		return (SNAP_SLOW_LIMITED);
	/* Requests wait while the network has nothing to send: the disk. */
	if (want_up && p->reading > 0 && p->write_queued == 0 &&
	    p->out.len == 0 && p->net.len == 0)
		return (SNAP_SLOW_DISK);
	if (!local && (want_up || want_down))
		return (SNAP_SLOW_WAN);
	return (SNAP_SLOW_NONE);
}

/* Each piece's state and availability, and each file's progress. */
static void
engine_snap_pieces(struct torrent *t, struct snap_share *ss)
{
	const struct bitfield	*have = NULL;
	struct dl_piece		*dp;
	uint32_t		 i, n = t->m.npieces, k, got;
	size_t			 f, nf = 0;

	if (t->storage != NULL)
		have = storage_have(t->storage);
	ss->piece_map = xcalloc(n + 1, 1);
	ss->piece_avail = xcalloc(n + 1, 1);
	for (i = 0; i < n; i++) {
		if (have != NULL && bitfield_get(have, i))
			ss->piece_map[i] = SNAP_PIECE_HAVE;
		if (t->avail != NULL)
			ss->piece_avail[i] = t->avail[i] > 255 ? 255 :
			    (uint8_t)t->avail[i];
	}
	for (dp = t->downloading; dp != NULL; dp = dp->next) {
		if (dp->index < n && ss->piece_map[dp->index] !=
		    SNAP_PIECE_HAVE)
			ss->piece_map[dp->index] = SNAP_PIECE_INFLIGHT;
	}
	ss->files = xcalloc(t->m.nfiles + 1, sizeof *ss->files);
	for (f = 0; f < t->m.nfiles; f++) {
		const struct mi_file	*mf = &t->m.files[f];
		struct snap_file	*sf = &ss->files[nf];

		if (!metainfo_is_content(mf))
			continue;
		sf->path = xstrdup(mf->path);
		sf->size = mf->length;
		for (k = 0, got = 0; k < mf->npieces; k++) {
			if (mf->first_piece + k < n &&
			    ss->piece_map[mf->first_piece + k] ==
			    SNAP_PIECE_HAVE)
				got++;
		}
		if (got == mf->npieces)
			sf->have = mf->length;
		else {
			sf->have = (uint64_t)got * t->m.piece_length;
			if (sf->have > mf->length)
				sf->have = mf->length;
		}
		nf++;
	}
	ss->nfiles = (unsigned)nf;
}

static void
engine_snap_share(struct engine *e, struct torrent *t, struct snap_share *ss)
{
	struct peer	*p;
	uint64_t	 now = engine_now(e);
	unsigned	 i = 0;

	ss->id = t->id;
	ss->paused = t->paused;
	snprintf(ss->name, sizeof ss->name, "%s", t->name);
	ss->state = engine_snap_state(t);
	ss->sending = t->sending;
	if (t->error != NULL)
		ss->error = xstrdup(t->error);
	if (t->have_meta) {
		if (t->magnet == NULL && t->sending)
			t->magnet = engine_magnet(e, t);
		ss->size = t->m.total_size;
		ss->pieces = t->m.npieces;
		engine_snap_pieces(t, ss);
	}
	if (t->magnet != NULL)
		ss->magnet = xstrdup(t->magnet);
	if (t->storage != NULL) {
		ss->have = storage_bytes_have(t->storage);
		ss->pieces_have = storage_have(t->storage)->count;
	}
	ss->downloaded = t->downloaded;
	ss->uploaded = t->uploaded;
	ss->down_local = t->down_local;
	ss->down_remote = t->down_remote;
	ss->up_local = t->up_local;
	ss->wasted = t->wasted;
	ss->rate_down = peer_rate_get(&t->down_rate, now);
	ss->rate_up = peer_rate_get(&t->up_rate, now);
	ss->npeers = t->npeers;
	ss->peers = xcalloc(t->npeers + 1, sizeof *ss->peers);
	for (p = t->peers; p != NULL && i < t->npeers; p = p->next, i++) {
		struct snap_peer *sp = &ss->peers[i];

		snprintf(sp->addr, sizeof sp->addr, "%s", p->addr);
		snprintf(sp->node, sizeof sp->node, "%s", p->node_text);
		if (p->tls != NULL)
			snprintf(sp->tls, sizeof sp->tls, "%s %s",
			    tls_version(p->tls), tls_cipher(p->tls));
		else if (p->plain)
			snprintf(sp->tls, sizeof sp->tls, "plain");
		if (t->have_meta)
			sp->have = (uint64_t)p->have.count * t->m.piece_length;
		sp->rate_down = peer_rate_get(&p->down_rate, now);
		sp->rate_up = peer_rate_get(&p->up_rate, now);
		sp->local = p->local;
		if (p->got_ext)
			snprintf(sp->site, sizeof sp->site, "%s", p->ext.site);
		sp->choked = p->peer_choking;
		sp->choking = p->am_choking;
		sp->interested = p->peer_interested;
		sp->interesting = p->am_interested;
		sp->outgoing = p->outgoing;
		sp->slow = engine_peer_slow(e, t, p, sp->local, now);
	}
	ss->npeers = i;
}

static void
engine_publish(struct engine *e)
{
	struct snapshot	*s = xcalloc(1, sizeof *s), *old;
	struct torrent	*t;
	unsigned	 n = 0, i = 0;

	s->refs = 1;
	snprintf(s->node_id, sizeof s->node_id, "%s", e->node_text);
	snprintf(s->listen, sizeof s->listen, "%s", e->listen_text);
	for (t = e->torrents; t != NULL; t = t->next)
		n++;
	s->shares = xcalloc(n + 1, sizeof *s->shares);
	for (t = e->torrents; t != NULL; t = t->next) {
		engine_snap_share(e, t, &s->shares[i]);
		s->rate_down += s->shares[i].rate_down;
		s->rate_up += s->shares[i].rate_up;
		i++;
	}
	s->nshares = n;
	snprintf(s->node_name, sizeof s->node_name, "%s", e->node_name);
	s->upload_limit = e->up.rate;
	s->download_limit = e->down.rate;
	pthread_mutex_lock(&e->lock);
	s->generation = ++e->generation;
	s->stopped = e->stopped;
	if (e->fatal != NULL)
		s->fatal = xstrdup(e->fatal);
	old = e->snap;
	e->snap = s;
	pthread_mutex_unlock(&e->lock);
	snapshot_put(old);
}
