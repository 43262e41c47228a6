/*
 * Tracker announces. One announcer per torrent and tracker URL keeps what
 * to say next and when; one request at a time carries it: resolve the
 * host (uv_getaddrinfo), then either an HTTP/1.0 GET over uv_tcp read to
 * the end, or BEP 15 over a connected uv_udp socket (connect, then
 * announce, each retransmitted after 15 * 2^n s). A request owns its
 * handles and frees itself when the last of them has closed, so a
 * request cancelled at any point (a new event, shutdown) never leaves a
 * callback pointing at freed memory.
 *
 * Timing comes from the trackers' answers: the next announce follows
 * their interval (never sooner than their min interval or a floor of
 * ours); failures back off from 15 s to 30 min. At shutdown, "stopped"
 * announces get ANNOUNCER_STOP_MS in all, so stopping never hangs on a
 * tracker that does not answer.
 */
#define SHOAL_ENGINE_INTERNAL
#include "config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "announcer.h"
#include "buf.h"
#include "engine-int.h"
#include "log.h"
#include "tracker.h"
#include "xmalloc.h"

/* Peers asked for in each announce, and handed on from one answer. */
#define ANNOUNCER_NUMWANT	50
/* Never announce again sooner than this many seconds, whatever is said. */
#define ANNOUNCER_FLOOR_S	60
/* The interval when a tracker names none (seconds). */
#define ANNOUNCER_DEFAULT_S	1800
/* After a failure try again in 15 s, doubling up to 30 min. */
#define ANNOUNCER_RETRY_S	15
#define ANNOUNCER_RETRY_MAX_S	1800
/* An HTTP announce (look-up, connect, answer) gets this long. */
#define ANNOUNCER_HTTP_MS	15000
/*
 * BEP 15: retransmit after 15 * 2^n s. We stop after the fourth packet
 * of a request (225 s in all) and back off like any other failure.
 */
#define ANNOUNCER_UDP_MS	15000
#define ANNOUNCER_UDP_TRIES	4
/* BEP 15: a connection ID may be used for one minute. */
#define ANNOUNCER_CONN_ID_MS	60000
/* At shutdown, "stopped" announces get this long in all. */
#define ANNOUNCER_STOP_MS	2000
/* "left" for a receiver that does not know the size yet (libtorrent's). */
#define ANNOUNCER_UNKNOWN_LEFT	16384
/* The largest UDP answer we read: 20 bytes and 200 IPv6 peers, rounded. */
#define ANNOUNCER_UDP_MAX	4096

struct announcer_req;

struct announcer {
	struct announcer_set	*set;
	struct announcer	*next;
	struct torrent		*t;
	char			*text;		/* The URL as given. */
	struct tracker_url	 url;
	uint32_t		 key;		/* BEP 7 key, for this URL. */
	struct announcer_req	*req;		/* In flight, or NULL. */
	enum tracker_event	 next_event;
	int			 started;	/* "started" was answered. */
	int			 complete_said;	/* No "completed" is due. */
	uint64_t		 next_ms;
	unsigned		 failures;
	int			 have_addr;	/* The host's last address. */
	struct sockaddr_storage	 addr;
	int			 have_conn_id;	/* UDP. */
	uint64_t		 conn_id;
	uint64_t		 conn_id_ms;
};

struct announcer_req {
	struct announcer_set	*set;
	struct announcer	*a;		/* NULL once it is over. */
	enum tracker_event	 event;
	struct tracker_announce	 ann;
	int			 done;
	int			 refs;		/* Open handles, look-up. */
	int			 resolving;
	uv_getaddrinfo_t	 gai;
	uv_timer_t		 timer;
	int			 tcp_open;
	uv_tcp_t		 tcp;
	uv_connect_t		 connect;
	uv_write_t		 write;
	char			*request;
	struct buf		 in;
	int			 udp_open;
	uv_udp_t		 udp;
	uint32_t		 txid;
	unsigned		 tries;
	int			 announcing;	/* UDP: past connect. */
	struct sockaddr_storage	 to;
	struct sockaddr_storage	 local;		/* Our end, once connected. */
};

enum announcer_timer_state {
	ANNOUNCER_TIMER_NONE,
	ANNOUNCER_TIMER_OPEN,
	ANNOUNCER_TIMER_CLOSING,
	ANNOUNCER_TIMER_CLOSED
};

struct announcer_set {
	struct engine		*e;
	struct announcer	*list;
	unsigned		 nreqs;		/* Requests not yet freed. */
	int			 stopping;
	uv_timer_t		 stop_timer;
	enum announcer_timer_state stop_timer_state;
	void			(*cb)(void *);
	void			*arg;
	int			 cb_called;
};

static void	announcer_send(struct announcer *, enum tracker_event);
static void	announcer_udp_send(struct announcer_req *);
static void	announcer_maybe_stopped(struct announcer_set *);

struct announcer_set *
announcer_set_new(struct engine *e)
{
	struct announcer_set	*set = xcalloc(1, sizeof *set);

	set->e = e;
	return (set);
}

void
announcer_set_free(struct announcer_set *set)
{
	struct announcer	*a;

	if (set == NULL)
		return;
	while ((a = set->list) != NULL) {
		set->list = a->next;
		free(a->text);
		free(a);
	}
	free(set);
}

int
announcer_add(struct announcer_set *set, struct torrent *t, const char *url,
    char **cause)
{
	struct announcer	*a, **tail;

	for (tail = &set->list; *tail != NULL; tail = &(*tail)->next) {
		if ((*tail)->t == t && strcmp((*tail)->text, url) == 0)
			return (0);
	}
	a = xcalloc(1, sizeof *a);
	if (tracker_url_parse(url, &a->url, cause) != 0) {
		free(a);
		return (-1);
	}
	a->set = set;
	a->t = t;
	a->text = xstrdup(url);
	a->next_event = TRACKER_EVENT_STARTED;
	if (RAND_bytes((uint8_t *)&a->key, sizeof a->key) != 1)
		fatalx("no random bytes for a tracker key");
	*tail = a;
	return (0);
}

/* Requests: their handles and their end. */

static void
announcer_req_unref(struct announcer_req *req)
{
	struct announcer_set	*set = req->set;

	if (--req->refs > 0)
		return;
	buf_destroy(&req->in);
	free(req->request);
	free(req);
	set->nreqs--;
	announcer_maybe_stopped(set);
}

static void
announcer_req_closed(uv_handle_t *h)
{
	announcer_req_unref(h->data);
}

/* The request is over: detach it and close its handles. */
static void
announcer_req_finish(struct announcer_req *req)
{
	if (req->done)
		return;
	req->done = 1;
	if (req->a != NULL && req->a->req == req)
		req->a->req = NULL;
	req->a = NULL;
	if (req->resolving)
		uv_cancel((uv_req_t *)&req->gai);
	uv_timer_stop(&req->timer);
	uv_close((uv_handle_t *)&req->timer, announcer_req_closed);
	if (req->tcp_open)
		uv_close((uv_handle_t *)&req->tcp, announcer_req_closed);
	if (req->udp_open)
		uv_close((uv_handle_t *)&req->udp, announcer_req_closed);
}

/* Hand the peers of an answer to the torrent, ours left out. */
static size_t
announcer_feed(struct announcer_req *req, struct announcer *a,
    const struct tracker_response *r)
{
	struct engine		*e = req->set->e;
	const struct tracker_peer *tp;
	const uint8_t		*mine = NULL;
	char			 text[64];
	size_t			 i, fed = 0;

	if (req->local.ss_family == AF_INET)
		mine = (const uint8_t *)&((struct sockaddr_in *)
		    &req->local)->sin_addr;
	else if (req->local.ss_family == AF_INET6)
		mine = (const uint8_t *)&((struct sockaddr_in6 *)
		    &req->local)->sin6_addr;
	for (i = 0; i < r->npeers && fed < ANNOUNCER_NUMWANT; i++) {
		tp = &r->peers[i];
		/* Trackers name us too, by the address we announced from. */
		if (tp->port == e->listen_port && mine != NULL &&
		    tp->v6 == (req->local.ss_family == AF_INET6) &&
		    memcmp(tp->ip, mine, tp->v6 ? 16 : 4) == 0)
			continue;
		tracker_peer_text(tp, text, sizeof text);
		if (strcmp(text, e->listen_text) == 0)
			continue;
		if (torrent_add_tracker_addr(a->t, text))
			fed++;
	}
	return (fed);
}

/* The request ended: with an answer r, or failed with cause. */
static void
announcer_done(struct announcer_req *req, struct tracker_response *r,
    const char *cause)
{
	struct announcer	*a = req->a;
	struct torrent		*t;
	uint64_t		 now;
	int64_t			 secs;
	unsigned		 delay;
	size_t			 fed;
	char			*why = NULL;

	if (a == NULL || req->done)
		return;
	t = a->t;
	now = engine_now(req->set->e);
	if (cause == NULL && r->failure != NULL) {
		xasprintf(&why, "the tracker refused the announce: \"%s\"",
		    r->failure);
		cause = why;
	}
	if (cause != NULL) {
		if (req->event == TRACKER_EVENT_STOPPED) {
			log_info("%s: tracker %s: the stopped announce "
			    "failed: %s", t->name, a->text, cause);
		} else {
			a->failures++;
			delay = ANNOUNCER_RETRY_S << (a->failures > 8 ? 8 :
			    a->failures - 1);
			if (delay > ANNOUNCER_RETRY_MAX_S)
				delay = ANNOUNCER_RETRY_MAX_S;
			a->next_ms = now + (uint64_t)delay * 1000;
			log_warn("%s: tracker %s: %s; trying again in %u s",
			    t->name, a->text, cause, delay);
		}
		free(why);
		announcer_req_finish(req);
		return;
	}
	a->failures = 0;
	switch (req->event) {
	case TRACKER_EVENT_STARTED:
		a->started = 1;
		break;
	case TRACKER_EVENT_COMPLETED:
		a->complete_said = 1;
		break;
	case TRACKER_EVENT_STOPPED:
		a->started = 0;
		break;
	default:
		break;
	}
	a->next_event = TRACKER_EVENT_NONE;
	secs = r->interval > 0 ? r->interval : ANNOUNCER_DEFAULT_S;
	if (secs < r->min_interval)
		secs = r->min_interval;
	if (secs < ANNOUNCER_FLOOR_S)
		secs = ANNOUNCER_FLOOR_S;
	a->next_ms = now + (uint64_t)secs * 1000;
	if (r->warning != NULL)
		log_warn("%s: tracker %s warns: \"%s\"", t->name, a->text,
		    r->warning);
	if (req->event == TRACKER_EVENT_STOPPED) {
		log_info("%s: tracker %s: announced stopped", t->name,
		    a->text);
		announcer_req_finish(req);
		return;
	}
	fed = announcer_feed(req, a, r);
	log_info("%s: tracker %s: announced%s%s; it named %zu peer%s, %zu "
	    "new; next in %lld s", t->name, a->text,
	    req->event != TRACKER_EVENT_NONE ? " " : "",
	    tracker_event_name(req->event), r->npeers,
	    r->npeers == 1 ? "" : "s", fed, (long long)secs);
	announcer_req_finish(req);
}

static void
announcer_fail(struct announcer_req *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
announcer_fail(struct announcer_req *req, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	announcer_done(req, NULL, msg);
	free(msg);
}

static void
announcer_timeout(uv_timer_t *h)
{
	struct announcer_req	*req = h->data;

	if (req->done)
		return;
	if (req->a->url.scheme == TRACKER_HTTP) {
		announcer_fail(req, "no answer within %d s",
		    ANNOUNCER_HTTP_MS / 1000);
		return;
	}
	if (++req->tries >= ANNOUNCER_UDP_TRIES) {
		announcer_fail(req, "no answer to %d packets over %d s",
		    ANNOUNCER_UDP_TRIES,
		    ANNOUNCER_UDP_MS / 1000 * ((1 << ANNOUNCER_UDP_TRIES) - 1));
		return;
	}
	announcer_udp_send(req);
}

/* HTTP. */

static void
announcer_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	b->base = xmalloc(65536);
	b->len = 65536;
}

static void
announcer_http_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct announcer_req	*req = s->data;
	struct tracker_response	 r;
	char			*cause = NULL;

	if (req->done || n == 0) {
		free(b->base);
		return;
	}
	if (n > 0) {
		if (req->in.len + (size_t)n > TRACKER_HTTP_MAX)
			announcer_fail(req, "the answer is larger than %d "
			    "bytes", TRACKER_HTTP_MAX);
		else
			buf_add(&req->in, b->base, (size_t)n);
		free(b->base);
		return;
	}
	free(b->base);
	if (n != UV_EOF) {
		announcer_fail(req, "the connection broke: %s",
		    uv_strerror((int)n));
		return;
	}
	if (tracker_http_parse(req->in.data, req->in.len, &r, &cause) != 0) {
		announcer_done(req, NULL, cause);
		free(cause);
		return;
	}
	announcer_done(req, &r, NULL);
	tracker_response_free(&r);
}

static void
announcer_http_written(uv_write_t *w, int status)
{
	struct announcer_req	*req = w->data;

	if (status != 0 && !req->done)
		announcer_fail(req, "cannot send the announce: %s",
		    uv_strerror(status));
}

static void
announcer_http_connected(uv_connect_t *c, int status)
{
	struct announcer_req	*req = c->data;
	uv_buf_t		 b;
	int			 len = sizeof req->local, rc;

	if (req->done)
		return;
	if (status != 0) {
		announcer_fail(req, "cannot connect: %s", uv_strerror(status));
		return;
	}
	uv_tcp_getsockname(&req->tcp, (struct sockaddr *)&req->local, &len);
	req->request = tracker_http_request(&req->a->url, &req->ann);
	b.base = req->request;
	b.len = strlen(req->request);
	req->write.data = req;
	if ((rc = uv_write(&req->write, (uv_stream_t *)&req->tcp, &b, 1,
	    announcer_http_written)) != 0 ||
	    (rc = uv_read_start((uv_stream_t *)&req->tcp, announcer_alloc,
	    announcer_http_read)) != 0)
		announcer_fail(req, "cannot send the announce: %s",
		    uv_strerror(rc));
}

static void
announcer_http_start(struct announcer_req *req)
{
	struct engine	*e = req->set->e;
	int		 rc;

	uv_tcp_init(&e->loop, &req->tcp);
	req->tcp.data = req;
	req->tcp_open = 1;
	req->refs++;
	req->connect.data = req;
	if ((rc = uv_tcp_connect(&req->connect, &req->tcp,
	    (struct sockaddr *)&req->to, announcer_http_connected)) != 0)
		announcer_fail(req, "cannot connect: %s", uv_strerror(rc));
}

/* UDP (BEP 15). */

static void
announcer_udp_send(struct announcer_req *req)
{
	struct announcer	*a = req->a;
	uint8_t			 pkt[TRACKER_UDP_ANNOUNCE_MAX];
	uv_buf_t		 b;
	uint64_t		 now = engine_now(req->set->e);
	size_t			 len;
	int			 rc;

	if (RAND_bytes((uint8_t *)&req->txid, sizeof req->txid) != 1)
		fatalx("no random bytes for a transaction ID");
	if (a->have_conn_id && now - a->conn_id_ms < ANNOUNCER_CONN_ID_MS) {
		req->announcing = 1;
		len = tracker_udp_announce(pkt, a->conn_id, req->txid,
		    &req->ann, a->url.path);
	} else {
		a->have_conn_id = 0;
		req->announcing = 0;
		len = tracker_udp_connect(pkt, req->txid);
	}
	b.base = (char *)pkt;
	b.len = len;
	/* A full send buffer is a lost packet: the retransmission covers it. */
	if ((rc = uv_udp_try_send(&req->udp, &b, 1, NULL)) < 0 &&
	    rc != UV_EAGAIN) {
		announcer_fail(req, "cannot send to the tracker: %s",
		    uv_strerror(rc));
		return;
	}
	uv_timer_start(&req->timer, announcer_timeout,
	    (uint64_t)ANNOUNCER_UDP_MS << req->tries, 0);
}

static void
announcer_udp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	b->base = xmalloc(ANNOUNCER_UDP_MAX);
	b->len = ANNOUNCER_UDP_MAX;
}

static void
announcer_udp_read(uv_udp_t *u, ssize_t n, const uv_buf_t *b,
    const struct sockaddr *from, unsigned flags)
{
	struct announcer_req	*req = u->data;
	struct announcer	*a = req->a;
	struct tracker_response	 r;
	const uint8_t		*p = (const uint8_t *)b->base;
	char			*cause = NULL;
	int			 rc;

	if (req->done || n <= 0 || (flags & UV_UDP_PARTIAL)) {
		if (n < 0 && !req->done)
			announcer_fail(req, "cannot read from the tracker: %s",
			    uv_strerror((int)n));
		free(b->base);
		return;
	}
	if (!req->announcing) {
		rc = tracker_udp_parse_connect(p, (size_t)n, req->txid,
		    &a->conn_id, &cause);
		free(b->base);
		if (rc == 0) {
			a->have_conn_id = 1;
			a->conn_id_ms = engine_now(req->set->e);
			req->tries = 0;
			announcer_udp_send(req);
		} else if (rc < 0)
			announcer_done(req, NULL, cause);
		free(cause);
		return;
	}
	rc = tracker_udp_parse_announce(p, (size_t)n, req->txid,
	    req->to.ss_family == AF_INET6, &r, &cause);
	free(b->base);
	if (rc == 0)
		announcer_done(req, &r, NULL);
	else if (rc < 0) {
		/* Perhaps the connection ID ran out: take a new one next. */
		a->have_conn_id = 0;
		announcer_done(req, NULL, cause);
	}
	tracker_response_free(&r);
	free(cause);
}

static void
announcer_udp_start(struct announcer_req *req)
{
	struct engine	*e = req->set->e;
	int		 rc, len = sizeof req->local;

	uv_udp_init(&e->loop, &req->udp);
	req->udp.data = req;
	req->udp_open = 1;
	req->refs++;
	if ((rc = uv_udp_connect(&req->udp, (struct sockaddr *)&req->to)) !=
	    0 || (rc = uv_udp_recv_start(&req->udp, announcer_udp_alloc,
	    announcer_udp_read)) != 0) {
		announcer_fail(req, "cannot open a socket to the tracker: %s",
		    uv_strerror(rc));
		return;
	}
	uv_udp_getsockname(&req->udp, (struct sockaddr *)&req->local, &len);
	announcer_udp_send(req);
}

/* Announcing. */

static void
announcer_resolved(uv_getaddrinfo_t *g, int status, struct addrinfo *res)
{
	struct announcer_req	*req = g->data;

	req->resolving = 0;
	if (req->done || status != 0 || res == NULL) {
		if (!req->done)
			announcer_fail(req, "cannot find the host %s: %s",
			    req->a->url.host, uv_strerror(status));
		if (res != NULL)
			uv_freeaddrinfo(res);
		announcer_req_unref(req);
		return;
	}
	memcpy(&req->to, res->ai_addr, res->ai_addrlen);
	uv_freeaddrinfo(res);
	memcpy(&req->a->addr, &req->to, sizeof req->a->addr);
	req->a->have_addr = 1;
	if (req->a->url.scheme == TRACKER_HTTP)
		announcer_http_start(req);
	else
		announcer_udp_start(req);
	announcer_req_unref(req);
}

static uint64_t
announcer_left(const struct torrent *t)
{
	uint64_t	have;

	if (t->sending)
		return (0);
	if (!t->have_meta)
		return (ANNOUNCER_UNKNOWN_LEFT);
	if (t->storage == NULL)
		return (t->m.total_size);
	have = storage_bytes_have(t->storage);
	return (have < t->m.total_size ? t->m.total_size - have : 0);
}

static void
announcer_send(struct announcer *a, enum tracker_event ev)
{
	struct announcer_set	*set = a->set;
	struct engine		*e = set->e;
	struct torrent		*t = a->t;
	struct announcer_req	*req = xcalloc(1, sizeof *req);
	struct addrinfo		 hints;
	char			 port[8];
	int			 rc;

	req->set = set;
	req->a = a;
	req->event = ev;
	a->req = req;
	set->nreqs++;
	buf_init(&req->in);
	memcpy(req->ann.info_hash, t->hash20, 20);
	/* A public hybrid's swarm is mostly v1 clients: its v1 hash. */
	if (t->public && t->has_ih1)
		memcpy(req->ann.info_hash, t->ih1, 20);
	memcpy(req->ann.peer_id, e->peer_id, 20);
	req->ann.port = e->listen_port;
	req->ann.uploaded = t->uploaded;
	req->ann.downloaded = t->downloaded;
	req->ann.left = announcer_left(t);
	req->ann.event = ev;
	req->ann.numwant = ev == TRACKER_EVENT_STOPPED ? 0 : ANNOUNCER_NUMWANT;
	req->ann.key = a->key;
	if (ev == TRACKER_EVENT_STARTED && t->state == TORRENT_COMPLETE)
		a->complete_said = 1;

	uv_timer_init(&e->loop, &req->timer);
	req->timer.data = req;
	req->refs = 1;
	if (a->url.scheme == TRACKER_HTTP)
		uv_timer_start(&req->timer, announcer_timeout,
		    ANNOUNCER_HTTP_MS, 0);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = a->url.scheme == TRACKER_HTTP ? SOCK_STREAM :
	    SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof port, "%u", a->url.port);
	log_debug("%s: tracker %s: announcing%s%s", t->name, a->text,
	    ev != TRACKER_EVENT_NONE ? " " : "", tracker_event_name(ev));
	/* Stopping: no name look-up, which could outlast the bound. */
	if (ev == TRACKER_EVENT_STOPPED && a->have_addr) {
		memcpy(&req->to, &a->addr, sizeof req->to);
		if (a->url.scheme == TRACKER_HTTP)
			announcer_http_start(req);
		else
			announcer_udp_start(req);
		return;
	}
	req->gai.data = req;
	req->resolving = 1;
	req->refs++;
	if ((rc = uv_getaddrinfo(&e->loop, &req->gai, announcer_resolved,
	    a->url.host, port, &hints)) != 0) {
		req->resolving = 0;
		req->refs--;
		announcer_fail(req, "cannot look up the host %s: %s",
		    a->url.host, uv_strerror(rc));
	}
}

void
announcer_tick(struct announcer_set *set, uint64_t now)
{
	struct announcer	*a;
	struct torrent		*t;

	if (set->stopping)
		return;
	for (a = set->list; a != NULL; a = a->next) {
		t = a->t;
		/* A sender's hash is known once the folder is hashed. */
		if (t->state == TORRENT_MAKING || t->state == TORRENT_FAILED ||
		    t->stopping || a->req != NULL)
			continue;
		if (a->started && !a->complete_said &&
		    t->state == TORRENT_COMPLETE &&
		    a->next_event != TRACKER_EVENT_COMPLETED) {
			a->next_event = TRACKER_EVENT_COMPLETED;
			a->next_ms = now;
		}
		if (now >= a->next_ms)
			announcer_send(a, a->next_event);
	}
}

/* Shutdown. */

static void
announcer_stop_closed(uv_handle_t *h)
{
	struct announcer_set	*set = h->data;

	set->stop_timer_state = ANNOUNCER_TIMER_CLOSED;
	announcer_maybe_stopped(set);
}

static void
announcer_maybe_stopped(struct announcer_set *set)
{
	struct announcer	*a;

	if (!set->stopping || set->cb_called)
		return;
	for (a = set->list; a != NULL; a = a->next) {
		if (a->req != NULL)
			return;
	}
	if (set->stop_timer_state == ANNOUNCER_TIMER_OPEN) {
		set->stop_timer_state = ANNOUNCER_TIMER_CLOSING;
		uv_timer_stop(&set->stop_timer);
		uv_close((uv_handle_t *)&set->stop_timer,
		    announcer_stop_closed);
		return;
	}
	if (set->stop_timer_state != ANNOUNCER_TIMER_CLOSED ||
	    set->nreqs > 0)
		return;
	set->cb_called = 1;
	set->cb(set->arg);
}

static void
announcer_stop_expired(uv_timer_t *h)
{
	struct announcer_set	*set = h->data;
	struct announcer	*a;

	for (a = set->list; a != NULL; a = a->next) {
		if (a->req == NULL)
			continue;
		log_info("%s: tracker %s: no answer to the stopped announce "
		    "within %d s", a->t->name, a->text,
		    ANNOUNCER_STOP_MS / 1000);
		announcer_req_finish(a->req);
	}
	announcer_maybe_stopped(set);
}

void
announcer_stop(struct announcer_set *set, void (*cb)(void *), void *arg)
{
	struct announcer	*a;

	if (set->stopping)
		return;
	set->stopping = 1;
	set->cb = cb;
	set->arg = arg;
	if (set->list == NULL) {
		set->cb_called = 1;
		cb(arg);
		return;
	}
	uv_timer_init(&set->e->loop, &set->stop_timer);
	set->stop_timer.data = set;
	set->stop_timer_state = ANNOUNCER_TIMER_OPEN;
	uv_timer_start(&set->stop_timer, announcer_stop_expired,
	    ANNOUNCER_STOP_MS, 0);
	for (a = set->list; a != NULL; a = a->next) {
		if (a->req != NULL)
			announcer_req_finish(a->req);
		if (a->started)
			announcer_send(a, TRACKER_EVENT_STOPPED);
	}
	announcer_maybe_stopped(set);
}
