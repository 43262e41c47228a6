/*
 * Local Service Discovery (BEP 14). A UDP socket bound to the group's
 * port joins 239.192.152.143, and one for IPv6 joins ff15::efc0:988f
 * (each where this node listens on that family); announces are the BEP's HTTP-like packets
 * with our listen port, one Infohash line per torrent and a cookie that
 * lets us ignore our own looped-back packets. We announce at start, every
 * five minutes, and in answer to an announce for a torrent we have (at
 * most once per ten seconds), so a node that starts later is found at once.
 */
#define SHOAL_ENGINE_INTERNAL
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "engine-int.h"
#include "hex.h"
#include "log.h"
#include "lsd.h"
#include "xmalloc.h"

#define LSD_GROUP	"239.192.152.143"
#define LSD_GROUP6	"ff15::efc0:988f"
#define LSD_PORT	6771
/* BEP 14: every 5 minutes; answers to others at most every 10 s. */
#define LSD_INTERVAL_MS	(5 * 60 * 1000)
#define LSD_ANSWER_MS	10000
/* A packet holds at most this much (BEP 14: keep it under 1400 bytes). */
#define LSD_MAX_PACKET	1400

struct lsd {
	struct engine	*e;
	uv_udp_t	 sock;
	uv_udp_t	 sock6;
	int		 v4;		/* sock joined the IPv4 group. */
	int		 v6;		/* sock6 joined the IPv6 group. */
	uv_timer_t	 timer;
	char		 cookie[17];
	uint64_t	 last_answer_ms;
	int		 closing;
	int		 open_handles;
};

struct lsd_send {
	uv_udp_send_t	 req;
	char		*data;
};

static void
lsd_sent(uv_udp_send_t *req, int status)
{
	struct lsd_send	*s = (struct lsd_send *)req;

	free(s->data);
	free(s);
}

/* Send one announce of every torrent to the group of one family. */
static void
lsd_announce_on(struct lsd *l, int v6)
{
	struct engine		*e = l->e;
	struct torrent		*t;
	struct sockaddr_storage	 to;
	struct lsd_send		*s;
	struct buf		 b;
	uv_buf_t		 ub;
	int			 n = 0;

	buf_init(&b);
	if (v6)
		buf_addf(&b, "BT-SEARCH * HTTP/1.1\r\nHost: [%s]:%d\r\n"
		    "Port: %u\r\n", LSD_GROUP6, LSD_PORT, e->listen_port);
	else
		buf_addf(&b, "BT-SEARCH * HTTP/1.1\r\nHost: %s:%d\r\n"
		    "Port: %u\r\n", LSD_GROUP, LSD_PORT, e->listen_port);
	for (t = e->torrents; t != NULL; t = t->next) {
		if (t->state == TORRENT_MAKING || t->state == TORRENT_FAILED ||
		    (t->have_meta && t->m.is_private) ||
		    b.len + 64 > LSD_MAX_PACKET)
			continue;
		buf_addf(&b, "Infohash: %s\r\n", t->sni);
		n++;
	}
	buf_addf(&b, "cookie: %s\r\n\r\n\r\n", l->cookie);
	if (n == 0) {
		buf_destroy(&b);
		return;
	}
	if (v6)
		uv_ip6_addr(LSD_GROUP6, LSD_PORT, (struct sockaddr_in6 *)&to);
	else
		uv_ip4_addr(LSD_GROUP, LSD_PORT, (struct sockaddr_in *)&to);
	s = xcalloc(1, sizeof *s);
	ub.len = b.len;
	ub.base = s->data = (char *)buf_steal(&b, NULL);
	if (uv_udp_send(&s->req, v6 ? &l->sock6 : &l->sock, &ub, 1,
	    (struct sockaddr *)&to, lsd_sent) != 0) {
		free(s->data);
		free(s);
		return;
	}
	log_debug("lsd: announced %d torrent%s over IPv%d", n,
	    n == 1 ? "" : "s", v6 ? 6 : 4);
}

void
lsd_announce(struct lsd *l)
{
	if (l->closing || l->e->listen_port == 0)
		return;
	if (l->v4)
		lsd_announce_on(l, 0);
	if (l->v6)
		lsd_announce_on(l, 1);
}

/* Parse one announce; add its sender as a peer of torrents we have. */
static void
lsd_got(struct lsd *l, const char *p, size_t len, const struct sockaddr *from)
{
	struct torrent	*t;
	char		*copy = xstrndup(p, len), *line, *save, *v;
	char		 host[INET6_ADDRSTRLEN], addr[64];
	unsigned long	 port = 0;
	uint8_t		 h[20];
	int		 ours = 0, known = 0;
	size_t		 nhashes = 0, i;
	uint8_t		 hashes[16][20];

	if (strncmp(copy, "BT-SEARCH * HTTP/1.1\r\n", 22) != 0 ||
	    (from->sa_family != AF_INET && from->sa_family != AF_INET6))
		goto out;
	for (line = strtok_r(copy + 22, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save)) {
		if ((v = strchr(line, ':')) == NULL)
			continue;
		*v++ = '\0';
		while (*v == ' ')
			v++;
		if (strcasecmp(line, "Port") == 0)
			port = strtoul(v, NULL, 10);
		else if (strcasecmp(line, "cookie") == 0)
			ours = strcmp(v, l->cookie) == 0;
		else if (strcasecmp(line, "Infohash") == 0 &&
		    strlen(v) == 40 && hex_decode(v, 20, h) == 0 &&
		    nhashes < 16)
			memcpy(hashes[nhashes++], h, 20);
	}
	if (ours || port == 0 || port > 65535)
		goto out;
	if (from->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)from;

		if (s4->sin_addr.s_addr == INADDR_ANY)
			goto out;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		snprintf(addr, sizeof addr, "%s:%lu", host, port);
	} else {
		const struct sockaddr_in6 *s6 = (const void *)from;

		/* A link-local sender needs its interface: not kept here. */
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr) ||
		    IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
			goto out;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		snprintf(addr, sizeof addr, "[%s]:%lu", host, port);
	}
	for (i = 0; i < nhashes; i++) {
		if ((t = engine_find_torrent(l->e, hashes[i])) == NULL)
			continue;
		known = 1;
		torrent_add_local_addr(t, addr);
	}
	/* Someone new wants what we have: let it find us now. */
	if (known && (l->last_answer_ms == 0 ||
	    engine_now(l->e) - l->last_answer_ms >= LSD_ANSWER_MS)) {
		l->last_answer_ms = engine_now(l->e);
		lsd_announce(l);
	}
out:
	free(copy);
}

static void
lsd_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	b->base = xmalloc(LSD_MAX_PACKET + 1);
	b->len = LSD_MAX_PACKET;
}

static void
lsd_read(uv_udp_t *u, ssize_t n, const uv_buf_t *b,
    const struct sockaddr *from, unsigned flags)
{
	struct lsd	*l = u->data;

	if (n > 0 && from != NULL && !l->closing &&
	    !(flags & UV_UDP_PARTIAL))
		lsd_got(l, b->base, (size_t)n, from);
	free(b->base);
}

static void
lsd_tick(uv_timer_t *h)
{
	lsd_announce(h->data);
}

/*
 * Send from the address we listen on when it is a specific one, so peers
 * see where to connect (on a wildcard listener the kernel's route picks).
 */
static int
lsd_interface(struct lsd *l)
{
	char	host[sizeof l->e->listen_text], *colon;

	snprintf(host, sizeof host, "%s", l->e->listen_text);
	if ((colon = strrchr(host, ':')) == NULL || host[0] == '[')
		return (0);
	*colon = '\0';
	if (strcmp(host, "0.0.0.0") == 0)
		return (0);
	return (uv_udp_set_multicast_interface(&l->sock, host));
}

/* Join the IPv4 group on sock; 0 or a libuv error. */
static int
lsd_join4(struct lsd *l)
{
	struct sockaddr_in	any;
	int			rc;

	uv_ip4_addr("0.0.0.0", LSD_PORT, &any);
	if ((rc = uv_udp_bind(&l->sock, (struct sockaddr *)&any,
	    UV_UDP_REUSEADDR)) != 0 ||
	    (rc = uv_udp_set_membership(&l->sock, LSD_GROUP, NULL,
	    UV_JOIN_GROUP)) != 0 ||
	    (rc = uv_udp_set_multicast_loop(&l->sock, 1)) != 0 ||
	    (rc = lsd_interface(l)) != 0 ||
	    (rc = uv_udp_recv_start(&l->sock, lsd_alloc, lsd_read)) != 0)
		return (rc);
	return (0);
}

/* Join the IPv6 group on sock6 (the route to it picks the interface). */
static int
lsd_join6(struct lsd *l)
{
	struct sockaddr_in6	any;
	int			rc;

	uv_ip6_addr("::", LSD_PORT, &any);
	if ((rc = uv_udp_bind(&l->sock6, (struct sockaddr *)&any,
	    UV_UDP_REUSEADDR | UV_UDP_IPV6ONLY)) != 0 ||
	    (rc = uv_udp_set_membership(&l->sock6, LSD_GROUP6, NULL,
	    UV_JOIN_GROUP)) != 0 ||
	    (rc = uv_udp_set_multicast_loop(&l->sock6, 1)) != 0 ||
	    (rc = uv_udp_recv_start(&l->sock6, lsd_alloc, lsd_read)) != 0)
		return (rc);
	return (0);
}

struct lsd *
lsd_new(struct engine *e, char **cause)
{
	struct lsd	*l = xcalloc(1, sizeof *l);
	uint8_t		 r[8];
	int		 rc4 = UV_EAFNOSUPPORT, rc6 = UV_EAFNOSUPPORT;
	const char	*ln = e->listen_text;

	l->e = e;
	if (RAND_bytes(r, sizeof r) != 1)
		fatalx("no random bytes for the LSD cookie");
	hex_encode(r, sizeof r, l->cookie);
	uv_udp_init(&e->loop, &l->sock);
	l->sock.data = l;
	uv_udp_init(&e->loop, &l->sock6);
	l->sock6.data = l;
	uv_timer_init(&e->loop, &l->timer);
	l->timer.data = l;
	l->open_handles = 3;
	/*
	 * Announce on a family only where peers can reach us on it: an
	 * IPv4 listener, an IPv6 one, or "[::]" (both).
	 */
	if (ln[0] != '[' || strncmp(ln, "[::]:", 5) == 0)
		l->v4 = (rc4 = lsd_join4(l)) == 0;
	if (ln[0] == '[')
		l->v6 = (rc6 = lsd_join6(l)) == 0;
	if (!l->v4 && !l->v6) {
		if (rc4 != UV_EAFNOSUPPORT)
			xasprintf(cause, "local discovery: cannot join %s:%d: "
			    "%s", LSD_GROUP, LSD_PORT, uv_strerror(rc4));
		else
			xasprintf(cause, "local discovery: cannot join "
			    "[%s]:%d: %s", LSD_GROUP6, LSD_PORT,
			    uv_strerror(rc6));
		lsd_close(l);
		return (NULL);
	}
	if (rc4 != 0 && rc4 != UV_EAFNOSUPPORT)
		log_warn("local discovery: cannot join %s:%d: %s", LSD_GROUP,
		    LSD_PORT, uv_strerror(rc4));
	if (rc6 != 0 && rc6 != UV_EAFNOSUPPORT)
		log_warn("local discovery: cannot join [%s]:%d: %s",
		    LSD_GROUP6, LSD_PORT, uv_strerror(rc6));
	uv_timer_start(&l->timer, lsd_tick, LSD_INTERVAL_MS, LSD_INTERVAL_MS);
	return (l);
}

static void
lsd_closed(uv_handle_t *h)
{
	struct lsd	*l = h->data;

	if (--l->open_handles == 0)
		free(l);
}

void
lsd_close(struct lsd *l)
{
	if (l == NULL || l->closing)
		return;
	l->closing = 1;
	uv_timer_stop(&l->timer);
	uv_udp_recv_stop(&l->sock);
	uv_udp_recv_stop(&l->sock6);
	uv_close((uv_handle_t *)&l->timer, lsd_closed);
	uv_close((uv_handle_t *)&l->sock, lsd_closed);
	uv_close((uv_handle_t *)&l->sock6, lsd_closed);
}
