/*
 * Peer connections. Bytes read from libuv go into TLS; the plaintext that
 * comes out is first a BitTorrent handshake, then a stream of messages
 * handed to the torrent one at a time. Plaintext written by the torrent
 * collects in peer->out and is encrypted and written once per loop
 * iteration (engine's uv_check), so many small messages make one write.
 *
 * Lifetime: peer_close() stops reading, detaches from the torrent and
 * closes the handle; the memory is freed when the handle's close callback
 * has run and no storage read still points here (refs), as tmux frees
 * sessions from the loop (STYLE.md).
 */
#define SHOAL_ENGINE_INTERNAL
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "hex.h"
#include "log.h"
#include "nodeid.h"
#include "peer.h"
#include "torrent.h"
#include "xmalloc.h"

/* Bytes read from the socket at a time. */
#define PEER_READ_SIZE		(256 * 1024)
/* The TLS and BitTorrent handshakes must finish within this (A5). */
#define PEER_HANDSHAKE_MS	10000
/* A peer silent this long is dropped (A5), libtorrent's peer_timeout. */
#define PEER_SILENCE_MS		120000
/* We send a keep-alive after this much of our own silence. */
#define PEER_KEEPALIVE_MS	60000

struct peer_write {
	uv_write_t	 req;
	struct peer	*p;
	uv_buf_t	 buf;
};

static void	peer_free(struct peer *);

static void
peer_list_add(struct peer **head, struct peer *p)
{
	p->prev = NULL;
	p->next = *head;
	if (*head != NULL)
		(*head)->prev = p;
	*head = p;
}

static void
peer_list_remove(struct peer **head, struct peer *p)
{
	if (p->prev != NULL)
		p->prev->next = p->next;
	else if (*head == p)
		*head = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	p->prev = p->next = NULL;
}

static struct peer *
peer_new(struct engine *e)
{
	struct peer	*p = xcalloc(1, sizeof *p);

	p->e = e;
	p->serial = ++e->next_serial;
	p->refs = 1;		/* Dropped by the close callback. */
	p->created_ms = p->last_recv_ms = p->last_send_ms = engine_now(e);
	p->am_choking = 1;
	p->peer_choking = 1;
	buf_init(&p->in);
	buf_init(&p->out);
	buf_init(&p->net);
	uv_tcp_init(&e->loop, &p->tcp);
	p->tcp.data = p;
	peer_list_add(&e->pending, p);
	return (p);
}

void
peer_ref(struct peer *p)
{
	p->refs++;
}

void
peer_unref(struct peer *p)
{
	if (--p->refs == 0)
		peer_free(p);
}

static void
peer_free(struct peer *p)
{
	tls_free(p->tls);
	buf_destroy(&p->in);
	buf_destroy(&p->out);
	buf_destroy(&p->net);
	bitfield_destroy(&p->have);
	bitfield_destroy(&p->declined);
	free(p->asked);
	free(p->wants);
	free(p->pex_sent);
	free(p->early_bits);
	free(p->close_reason);
	free(p);
}

/* The close_notify or alert sent as the connection closes. */
static void
peer_last_write_done(uv_write_t *req, int status)
{
	struct peer_write	*w = (struct peer_write *)req;
	struct peer		*p = w->p;

	free(w->buf.base);
	free(w);
	peer_unref(p);
}

static void
peer_closed(uv_handle_t *h)
{
	peer_unref(h->data);
}

void
peer_close(struct peer *p, const char *fmt, ...)
{
	va_list	ap;

	if (p->closing)
		return;
	p->closing = 1;
	va_start(ap, fmt);
	xvasprintf(&p->close_reason, fmt, ap);
	va_end(ap);
	log_info("%s%speer %s%s%s: %s (sent %llu, received %llu bytes)",
	    p->t != NULL ? p->t->name : "", p->t != NULL ? ": " : "", p->addr,
	    p->node_short[0] != '\0' ? " node " : "", p->node_short,
	    p->close_reason, (unsigned long long)p->up_bytes,
	    (unsigned long long)p->down_bytes);
	if (!p->attached)
		peer_list_remove(&p->e->pending, p);
	if (p->t != NULL) {
		torrent_peer_detach(p->t, p);
		p->t = NULL;
	}
	/* A plain connection's queued messages go out as they are. */
	if (p->plain) {
		buf_add(&p->net, p->out.data, p->out.len);
		buf_reset(&p->out);
	}
	/* Send what is queued (an alert, a reject) before closing. */
	if ((p->tls != NULL || p->plain) && p->connected) {
		struct buf	 net;
		struct peer_write *w;
		uv_buf_t	 bufs[1];

		/* Queued ciphertext first, then the close_notify or alert. */
		buf_init(&net);
		buf_add(&net, p->net.data, p->net.len);
		buf_reset(&p->net);
		if (p->tls != NULL && tls_state(p->tls) == TLS_ESTABLISHED)
			tls_shutdown(p->tls, &net);
		if (net.len > 0) {
			w = xcalloc(1, sizeof *w);
			w->p = p;
			w->buf.len = net.len;
			w->buf.base = (char *)buf_steal(&net, NULL);
			peer_ref(p);
			/* libuv copies the descriptors into the request. */
			bufs[0] = w->buf;
			if (uv_write(&w->req, (uv_stream_t *)&p->tcp, bufs,
			    1, peer_last_write_done) != 0) {
				free(w->buf.base);
				free(w);
				peer_unref(p);
			}
		}
		buf_destroy(&net);
	}
	uv_read_stop((uv_stream_t *)&p->tcp);
	uv_close((uv_handle_t *)&p->tcp, peer_closed);
}

static void
peer_write_done(uv_write_t *req, int status)
{
	struct peer_write	*w = (struct peer_write *)req;
	struct peer		*p = w->p;

	p->write_queued -= w->buf.len;
	free(w->buf.base);
	free(w);
	if (status != 0 && !p->closing)
		peer_close(p, "write failed: %s", uv_strerror(status));
	else if (!p->closing && p->t != NULL)
		torrent_peer_drained(p->t, p);
	peer_unref(p);
}

/* Send raw (network) bytes. */
static void
peer_write_net(struct peer *p, struct buf *net)
{
	struct peer_write	*w;
	uv_buf_t		 bufs[1];
	int			 r;

	if (net->len == 0)
		return;
	w = xcalloc(1, sizeof *w);
	w->p = p;
	w->buf.len = net->len;
	w->buf.base = (char *)buf_steal(net, NULL);
	p->write_queued += w->buf.len;
	p->last_send_ms = engine_now(p->e);
	peer_ref(p);
	bufs[0] = w->buf;
	r = uv_write(&w->req, (uv_stream_t *)&p->tcp, bufs, 1,
	    peer_write_done);
	if (r != 0) {
		p->write_queued -= w->buf.len;
		free(w->buf.base);
		free(w);
		peer_unref(p);
		peer_close(p, "write failed: %s", uv_strerror(r));
	}
}

/* Encrypt what is in p->out onto p->net. */
static int
peer_encrypt(struct peer *p)
{
	if (p->out.len == 0)
		return (0);
	if (tls_write(p->tls, p->out.data, p->out.len, &p->net) != 0) {
		peer_close(p, "TLS: %s", tls_error(p->tls));
		return (-1);
	}
	buf_reset(&p->out);
	return (0);
}

/* Encrypt and write everything queued. */
void
peer_flush(struct peer *p)
{
	p->flush_pending = 0;
	if (p->plain) {
		/* No TLS: the plaintext is what goes on the wire. */
		if (!p->closing && p->connected)
			peer_write_net(p, &p->out);
		return;
	}
	if (p->closing || p->tls == NULL ||
	    tls_state(p->tls) != TLS_ESTABLISHED)
		return;
	if (peer_encrypt(p) != 0)
		return;
	peer_write_net(p, &p->net);
}

void
peer_send_block(struct peer *p, uint32_t index, uint32_t begin,
    const uint8_t *data, uint32_t len)
{
	/*
	 * One copy into the plaintext buffer, so header and block share TLS
	 * records: encrypting them apart doubled the records and cost more
	 * than the copy saved.
	 */
	wire_put_piece(&p->out, index, begin, data, len);
	engine_mark_dirty(p->e, p);
}

/* Parse and dispatch the plaintext received so far. */
static void
peer_process(struct peer *p)
{
	struct wire_handshake	 hs;
	struct wire_msg		 msg;
	struct torrent		*t;
	size_t			 off = 0;
	ssize_t			 n;
	char			*cause = NULL, hex[41];

	peer_ref(p);
	if (!p->got_handshake) {
		n = wire_parse_handshake(p->in.data, p->in.len, &hs, &cause);
		if (n < 0) {
			peer_close(p, "bad handshake: %s", cause);
			free(cause);
			goto out;
		}
		if (n == 0)
			goto out;
		off = (size_t)n;
		if (p->t == NULL && p->plain) {
			/* Incoming plain: only a public torrent answers. */
			t = engine_find_torrent(p->e, hs.info_hash);
			if (t == NULL || !t->public) {
				hex_encode(hs.info_hash, 20, hex);
				peer_close(p, "a plain BitTorrent handshake "
				    "for %s: shares are served only over TLS, "
				    "and no public torrent has that hash", hex);
				goto out;
			}
			if (t->checker != NULL) {
				peer_close(p, "the folder is still being "
				    "checked against the torrent");
				goto out;
			}
			p->v1 = torrent_is_v1_hash(t, hs.info_hash,
			    hs.reserved);
			torrent_peer_attach(t, p);
		} else if (p->t == NULL) {
			/* Incoming: the name asked for in SNI must match. */
			t = engine_find_sni(p->e, tls_server_name(p->tls));
			if (t == NULL || !torrent_matches(t, hs.info_hash)) {
				hex_encode(hs.info_hash, 20, hex);
				peer_close(p, "handshake for %s, which is not "
				    "the share its TLS connection named", hex);
				goto out;
			}
			torrent_peer_attach(t, p);
		} else if (!torrent_matches(p->t, hs.info_hash)) {
			peer_close(p, "the peer answered for another torrent");
			goto out;
		} else if (p->plain) {
			/* A hybrid's peer may answer on either hash. */
			p->v1 = torrent_is_v1_hash(p->t, hs.info_hash, NULL);
		}
		p->got_handshake = 1;
		memcpy(p->peer_id, hs.peer_id, 20);
		memcpy(p->reserved, hs.reserved, 8);
		torrent_peer_ready(p->t, p);
		if (p->closing)
			goto out;
	}
	while (!p->closing && off < p->in.len) {
		n = wire_parse(p->in.data + off, p->in.len - off, WIRE_MAX_LEN,
		    &msg, &cause);
		if (n < 0) {
			peer_close(p, "bad message: %s", cause);
			free(cause);
			goto out;
		}
		if (n == 0)
			break;
		off += (size_t)n;
		if (torrent_peer_msg(p->t, p, &msg) != 0)
			goto out;
	}
	if (!p->closing)
		buf_consume(&p->in, off);
out:
	peer_unref(p);
}

static void
peer_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	b->base = xmalloc(PEER_READ_SIZE);
	b->len = PEER_READ_SIZE;
}

static void
peer_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct peer	*p = s->data;
	enum tls_state	 st, before;

	if (nread <= 0 || p->closing) {
		free(b->base);
		if (nread == UV_EOF)
			peer_close(p, "the peer closed the connection%s",
			    p->tls != NULL && tls_state(p->tls) ==
			    TLS_HANDSHAKING ? " during the TLS handshake" : "");
		else if (nread < 0)
			peer_close(p, "read failed: %s", uv_strerror(nread));
		return;
	}
	p->last_recv_ms = engine_now(p->e);
	/*
	 * One port serves TLS (a ClientHello starts with 0x16) and plain
	 * BitTorrent (0x13). Shares are TLS only; a plain handshake is
	 * routed by its info-hash, and only a public torrent takes it.
	 */
	if (!p->outgoing && !p->plain && !p->got_handshake &&
	    p->in.len == 0 && (uint8_t)b->base[0] == 0x13 &&
	    (p->tls == NULL || tls_state(p->tls) == TLS_HANDSHAKING)) {
		tls_free(p->tls);
		p->tls = NULL;
		p->plain = 1;
	}
	if (p->plain) {
		buf_add(&p->in, b->base, (size_t)nread);
		free(b->base);
		peer_process(p);
		if (!p->closing)
			peer_flush(p);
		return;
	}
	if (p->tls == NULL) {
		/* libtorrent tries an encrypted handshake first (MSE). */
		if ((uint8_t)b->base[0] != 0x16)
			peer_close(p, "neither a TLS nor a plain BitTorrent "
			    "handshake (encrypted BitTorrent, MSE, is not "
			    "supported)");
		else
			peer_close(p, "a TLS connection, but this node has no "
			    "identity: it serves public torrents only, over "
			    "plain BitTorrent");
		free(b->base);
		return;
	}
	before = tls_state(p->tls);
	/* TLS output joins p->net behind any ciphertext already queued. */
	st = tls_feed(p->tls, (const uint8_t *)b->base, (size_t)nread, &p->in,
	    &p->net);
	free(b->base);
	peer_write_net(p, &p->net);
	if (p->closing)
		return;
	if (st == TLS_FAILED) {
		if (p->outgoing && before == TLS_ESTABLISHED &&
		    !p->got_handshake)
			peer_close(p, "%s refused this node: it is not "
			    "allowed for this share (%s)", p->addr,
			    tls_error(p->tls));
		else
			peer_close(p, "TLS: %s", tls_error(p->tls));
		return;
	}
	if (st == TLS_CLOSED) {
		peer_close(p, "the peer closed the TLS connection");
		return;
	}
	if (st != TLS_ESTABLISHED)
		return;
	if (before != TLS_ESTABLISHED) {
		X509	*cert = tls_peer_cert(p->tls);

		if (cert != NULL && identity_nodeid(cert, p->node_id) == 0) {
			nodeid_to_text(p->node_id, p->node_text);
			nodeid_short(p->node_id, p->node_short);
		}
		log_debug("peer %s node %s: %s %s", p->addr, p->node_short,
		    tls_version(p->tls), tls_cipher(p->tls));
		if (p->outgoing) {
			/* Our handshake goes first, inside the tunnel. */
			torrent_peer_attach(p->t, p);
			if (p->closing)
				return;
		}
	}
	if (p->in.len > 0)
		peer_process(p);
	if (!p->closing)
		peer_flush(p);
}

/* TLS verification callbacks: the engine and torrent decide. */
static int
peer_verify(void *arg, X509 *cert, const char *sni, char **reason)
{
	struct peer	*p = arg;
	struct torrent	*t;
	uint8_t		 id[32];
	char		 text[NODEID_TEXT_SIZE], want[NODEID_TEXT_SIZE];

	if (identity_nodeid(cert, id) != 0) {
		xasprintf(reason, "the peer's certificate has no usable key");
		return (-1);
	}
	nodeid_to_text(id, text);
	if (p->outgoing) {
		if (p->t != NULL && torrent_is_banned(p->t, id)) {
			xasprintf(reason, "%s is node %s, banned for sending "
			    "bad data", p->addr, text);
			return (-1);
		}
		/*
		 * A receiver learns who belongs to the swarm from the
		 * source its link pins; until then it trusts nobody else
		 * (a tracker or LSD may name the source among others).
		 */
		if (!p->pin && p->t != NULL && !p->t->sending &&
		    p->t->pin && !p->t->policy_known &&
		    memcmp(id, p->t->pinned, 32) != 0) {
			xasprintf(reason, "%s is node %s, and the source has "
			    "not yet said who belongs to the swarm", p->addr,
			    text);
			return (-1);
		}
		if (!p->pin && p->t != NULL && p->t->policy_known &&
		    torrent_admit(p->t, cert, reason) != 0)
			return (-1);
		if (p->pin && memcmp(id, p->pinned_id, 32) != 0) {
			nodeid_to_text(p->pinned_id, want);
			xasprintf(reason, "%s is node %s, not the node %s the "
			    "link names", p->addr, text, want);
			return (-1);
		}
		return (0);
	}
	t = engine_find_sni(p->e, sni);
	if (t == NULL) {
		xasprintf(reason, "the peer named no share we have");
		return (-1);
	}
	if (t->public) {
		xasprintf(reason, "%s is a public torrent, served over plain "
		    "BitTorrent only", t->name);
		return (-1);
	}
	return (torrent_admit(t, cert, reason));
}

static int
peer_sni(void *arg, const char *sni)
{
	struct peer	*p = arg;

	return (engine_find_sni(p->e, sni) != NULL ? 0 : -1);
}

static void
peer_set_addr(struct peer *p, const struct sockaddr *sa)
{
	char	host[INET6_ADDRSTRLEN];

	memcpy(&p->ss, sa, sa->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		snprintf(p->addr, sizeof p->addr, "[%s]:%u", host,
		    ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		snprintf(p->addr, sizeof p->addr, "%s:%u", host,
		    ntohs(s4->sin_port));
	}
}

struct peer *
peer_accept(struct engine *e, uv_stream_t *server)
{
	struct peer		*p = peer_new(e);
	struct sockaddr_storage	 ss;
	int			 len = sizeof ss;

	if (uv_accept(server, (uv_stream_t *)&p->tcp) != 0) {
		peer_close(p, "accept failed");
		return (NULL);
	}
	p->connected = 1;
	if (uv_tcp_getpeername(&p->tcp, (struct sockaddr *)&ss, &len) == 0)
		peer_set_addr(p, (struct sockaddr *)&ss);
	uv_tcp_nodelay(&p->tcp, 1);
	/* Without an identity, only plain handshakes can be served. */
	if (e->tls != NULL)
		p->tls = tls_new(e->tls, 1, NULL, peer_verify, peer_sni, p);
	if (uv_read_start((uv_stream_t *)&p->tcp, peer_alloc, peer_read) != 0)
		peer_close(p, "cannot read from the connection");
	return (p);
}

static void
peer_connected(uv_connect_t *req, int status)
{
	struct peer	*p = req->data;

	if (p->closing)
		return;
	if (status != 0) {
		peer_close(p, "cannot connect: %s", uv_strerror(status));
		return;
	}
	p->connected = 1;
	uv_tcp_nodelay(&p->tcp, 1);
	if (p->plain) {
		/* Our handshake goes first, in the clear. */
		torrent_peer_attach(p->t, p);
		peer_flush(p);
	} else {
		tls_start(p->tls, &p->net);
		peer_write_net(p, &p->net);
	}
	if (!p->closing && uv_read_start((uv_stream_t *)&p->tcp, peer_alloc,
	    peer_read) != 0)
		peer_close(p, "cannot read from the connection");
}

struct peer *
peer_connect(struct engine *e, struct torrent *t, const struct sockaddr *sa,
    const uint8_t *pin)
{
	struct peer	*p;
	int		 r;

	if (e->stopping)
		return (NULL);
	p = peer_new(e);
	p->outgoing = 1;
	p->t = t;		/* Not attached until TLS is up. */
	peer_set_addr(p, sa);
	if (pin != NULL) {
		p->pin = 1;
		memcpy(p->pinned_id, pin, 32);
	}
	if (t->public) {
		/* A hybrid is dialled on its v1 hash, which v1 clients know. */
		p->plain = 1;
		p->v1 = torrent_is_v1_hash(t, NULL, NULL);
	} else
		p->tls = tls_new(e->tls, 0, t->sni, peer_verify, NULL, p);
	p->connect_req.data = p;
	r = uv_tcp_connect(&p->connect_req, &p->tcp, sa, peer_connected);
	if (r != 0) {
		peer_close(p, "cannot connect: %s", uv_strerror(r));
		return (NULL);
	}
	return (p);
}

void
peer_tick(struct peer *p, uint64_t now)
{
	if (p->closing)
		return;
	if (!p->got_handshake && now - p->created_ms > PEER_HANDSHAKE_MS) {
		peer_close(p, "no handshake within %d seconds",
		    PEER_HANDSHAKE_MS / 1000);
		return;
	}
	if (now - p->last_recv_ms > PEER_SILENCE_MS) {
		peer_close(p, "silent for %d seconds", PEER_SILENCE_MS / 1000);
		return;
	}
	if (p->got_handshake && now - p->last_send_ms > PEER_KEEPALIVE_MS) {
		wire_put_keepalive(&p->out);
		peer_flush(p);
	}
}

/* Rates: 8 slots of half a second. */
void
peer_rate_add(struct peer_rate *r, uint64_t now, uint64_t bytes)
{
	uint64_t	slot = now / 500;

	while (r->slot < slot) {
		r->slot++;
		r->bytes[r->slot % 8] = 0;
		if (slot - r->slot > 8)
			r->slot = slot - 8;
	}
	r->bytes[slot % 8] += bytes;
}

double
peer_rate_get(const struct peer_rate *r, uint64_t now)
{
	uint64_t	slot = now / 500, sum = 0, i;

	/* The last four whole slots: two seconds. */
	for (i = 1; i <= 4; i++) {
		if (slot >= i && slot - i <= r->slot &&
		    r->slot - (slot - i) < 8)
			sum += r->bytes[(slot - i) % 8];
	}
	return ((double)sum / 2.0);
}
