/*
 * Tracker announces as bytes (BEP 3, 7, 15, 23, 41). Building requests is
 * plain formatting; parsing answers treats every byte as hostile: sizes
 * are checked before each read, peer lists are capped, text the tracker
 * sends (failure reasons, warnings) is cut short and made printable
 * before anyone logs it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bencode.h"
#include "buf.h"
#include "tracker.h"
#include "xmalloc.h"

/* Tracker text (failure reasons, warnings) kept, in bytes. */
#define TRACKER_TEXT_MAX	300
/* Intervals above this many seconds (a day) are taken as this. */
#define TRACKER_INTERVAL_MAX	86400

/* BEP 15 actions. */
#define TRACKER_ACT_CONNECT	0
#define TRACKER_ACT_ANNOUNCE	1
#define TRACKER_ACT_ERROR	3

/* Limits for a bencoded answer: a few thousand peers in dictionaries. */
static const struct benc_limits tracker_benc_limits = {
	.max_depth = 8,
	.max_nodes = 20000,
	.max_str = TRACKER_HTTP_MAX,
	.max_size = TRACKER_HTTP_MAX
};

const char *
tracker_event_name(enum tracker_event ev)
{
	switch (ev) {
	case TRACKER_EVENT_STARTED:
		return ("started");
	case TRACKER_EVENT_COMPLETED:
		return ("completed");
	case TRACKER_EVENT_STOPPED:
		return ("stopped");
	default:
		return ("");
	}
}

int
tracker_url_parse(const char *s, struct tracker_url *u, char **cause)
{
	const char	*p, *host, *end, *colon;
	size_t		 hlen;
	unsigned long	 port;
	char		*ep;

	memset(u, 0, sizeof *u);
	if (strlen(s) > TRACKER_URL_MAX)
		return (xfail(cause, "the tracker URL is longer than %d bytes",
		    TRACKER_URL_MAX));
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return (xfail(cause, "the tracker URL \"%s\" has a "
			    "blank or a control character", s));
	}
	if (strncasecmp(s, "http://", 7) == 0) {
		u->scheme = TRACKER_HTTP;
		u->port = 80;
		host = s + 7;
	} else if (strncasecmp(s, "udp://", 6) == 0) {
		u->scheme = TRACKER_UDP;
		host = s + 6;
	} else if (strncasecmp(s, "https://", 8) == 0)
		return (xfail(cause, "https:// trackers are not supported yet "
		    "(\"%s\"); use an http:// or udp:// tracker", s));
	else
		return (xfail(cause, "the tracker URL \"%s\" does not start "
		    "with http:// or udp://", s));

	end = host + strcspn(host, "/?#");
	if (*host == '[') {
		if ((p = memchr(host, ']', (size_t)(end - host))) == NULL)
			return (xfail(cause, "the tracker URL \"%s\" has an "
			    "IPv6 address without its closing ]", s));
		hlen = (size_t)(p - host - 1);
		colon = p + 1 < end && p[1] == ':' ? p + 1 : NULL;
		if (p + 1 < end && colon == NULL)
			return (xfail(cause, "the tracker URL \"%s\" has "
			    "text after its IPv6 address", s));
		host++;
	} else {
		colon = memchr(host, ':', (size_t)(end - host));
		hlen = (size_t)((colon != NULL ? colon : end) - host);
	}
	if (hlen == 0 || hlen > TRACKER_HOST_MAX)
		return (xfail(cause, "the tracker URL \"%s\" has no usable "
		    "host name", s));
	memcpy(u->host, host, hlen);
	u->host[hlen] = '\0';
	if (colon != NULL) {
		if (colon + 1 == end || !isdigit((unsigned char)colon[1]))
			return (xfail(cause, "the tracker URL \"%s\" has a bad "
			    "port", s));
		port = strtoul(colon + 1, &ep, 10);
		if (ep != end || port == 0 || port > 65535)
			return (xfail(cause, "the tracker URL \"%s\" has a bad "
			    "port", s));
		u->port = (uint16_t)port;
	} else if (u->scheme == TRACKER_UDP)
		return (xfail(cause, "the tracker URL \"%s\" names no port "
		    "(udp:// trackers have no default)", s));
	/* The fragment is never sent. */
	hlen = strcspn(end, "#");
	if (*end != '/' && hlen > 0)
		snprintf(u->path, sizeof u->path, "/%.*s", (int)hlen, end);
	else if (hlen > 0)
		snprintf(u->path, sizeof u->path, "%.*s", (int)hlen, end);
	else if (u->scheme == TRACKER_HTTP)
		snprintf(u->path, sizeof u->path, "/");
	return (0);
}

/* Percent-encode len bytes: everything but RFC 3986 unreserved. */
static void
tracker_escape(struct buf *b, const uint8_t *p, size_t len)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			i;

	for (i = 0; i < len; i++) {
		if (isalnum(p[i]) || p[i] == '-' || p[i] == '.' ||
		    p[i] == '_' || p[i] == '~')
			buf_add_byte(b, p[i]);
		else {
			buf_add_byte(b, '%');
			buf_add_byte(b, (uint8_t)hex[p[i] >> 4]);
			buf_add_byte(b, (uint8_t)hex[p[i] & 15]);
		}
	}
}

char *
tracker_http_request(const struct tracker_url *u,
    const struct tracker_announce *a)
{
	struct buf	b;

	buf_init(&b);
	buf_add_str(&b, "GET ");
	buf_add_str(&b, u->path);
	buf_add_byte(&b, strchr(u->path, '?') != NULL ? '&' : '?');
	buf_add_str(&b, "info_hash=");
	tracker_escape(&b, a->info_hash, 20);
	buf_add_str(&b, "&peer_id=");
	tracker_escape(&b, a->peer_id, 20);
	buf_addf(&b, "&port=%u&uploaded=%llu&downloaded=%llu&left=%llu"
	    "&corrupt=0&key=%08X", a->port, (unsigned long long)a->uploaded,
	    (unsigned long long)a->downloaded, (unsigned long long)a->left,
	    a->key);
	if (a->event != TRACKER_EVENT_NONE)
		buf_addf(&b, "&event=%s", tracker_event_name(a->event));
	if (a->numwant >= 0)
		buf_addf(&b, "&numwant=%d", (int)a->numwant);
	buf_add_str(&b, "&compact=1&no_peer_id=1 HTTP/1.0\r\nHost: ");
	if (strchr(u->host, ':') != NULL)
		buf_addf(&b, "[%s]", u->host);
	else
		buf_add_str(&b, u->host);
	if (u->port != 80)
		buf_addf(&b, ":%u", u->port);
	buf_add_str(&b, "\r\nUser-Agent: shoal/" PACKAGE_VERSION
	    "\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n");
	return (buf_cstr(&b));
}

void
tracker_response_init(struct tracker_response *r)
{
	memset(r, 0, sizeof *r);
	r->interval = r->min_interval = -1;
	r->seeders = r->leechers = -1;
}

void
tracker_response_free(struct tracker_response *r)
{
	free(r->failure);
	free(r->warning);
	free(r->peers);
	tracker_response_init(r);
}

/* Tracker text made safe to log: printable ASCII, cut short. */
static char *
tracker_text(const uint8_t *p, size_t len)
{
	char	*s;
	size_t	 i;

	if (len > TRACKER_TEXT_MAX)
		len = TRACKER_TEXT_MAX;
	s = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		s[i] = p[i] >= ' ' && p[i] < 0x7f ? (char)p[i] : '?';
	s[len] = '\0';
	return (s);
}

static void
tracker_add_peer(struct tracker_response *r, int v6, const uint8_t *ip,
    uint16_t port)
{
	struct tracker_peer	*tp;

	if (port == 0 || r->npeers >= TRACKER_MAX_PEERS)
		return;
	if (r->peers == NULL)
		r->peers = xcalloc(TRACKER_MAX_PEERS, sizeof *r->peers);
	tp = &r->peers[r->npeers++];
	memset(tp, 0, sizeof *tp);
	tp->v6 = v6;
	memcpy(tp->ip, ip, v6 ? 16 : 4);
	tp->port = port;
}

/* Compact peers: 6 (IPv4) or 18 (IPv6) bytes each; a partial tail is cut. */
static void
tracker_add_compact(struct tracker_response *r, const uint8_t *p, size_t len,
    int v6)
{
	size_t	stride = v6 ? 18 : 6, alen = v6 ? 16 : 4, i;

	for (i = 0; i + stride <= len; i += stride) {
		tracker_add_peer(r, v6, p + i,
		    (uint16_t)(p[i + alen] << 8 | p[i + alen + 1]));
	}
}

/* The dictionary form: [{"ip": text, "port": n, "peer id": ...}, ...]. */
static void
tracker_add_dicts(struct tracker_response *r, const struct benc *list)
{
	const struct benc	*d, *ip, *port;
	uint32_t		 i;
	char			 text[64];
	uint8_t			 addr[16];

	for (i = 0, d = benc_first(list); i < list->count && d != NULL;
	    i++, d = benc_next(d)) {
		if (d->type != BENC_DICT)
			continue;
		ip = benc_dict_get_type(d, "ip", BENC_STR);
		port = benc_dict_get_type(d, "port", BENC_INT);
		if (ip == NULL || port == NULL || port->i <= 0 ||
		    port->i > 65535 || ip->slen == 0 || ip->slen >= sizeof text)
			continue;
		memcpy(text, ip->s, ip->slen);
		text[ip->slen] = '\0';
		/* Host names are not dialled: only addresses. */
		if (inet_pton(AF_INET, text, addr) == 1)
			tracker_add_peer(r, 0, addr, (uint16_t)port->i);
		else if (inet_pton(AF_INET6, text, addr) == 1)
			tracker_add_peer(r, 1, addr, (uint16_t)port->i);
	}
}

static int64_t
tracker_seconds(const struct benc *v)
{
	if (v == NULL || v->i < 0)
		return (-1);
	return (v->i > TRACKER_INTERVAL_MAX ? TRACKER_INTERVAL_MAX : v->i);
}

int
tracker_parse_body(const uint8_t *p, size_t len, struct tracker_response *r,
    char **cause)
{
	struct benc_doc		 doc;
	const struct benc	*root, *v;
	char			*why = NULL;
	int			 has_peers;

	tracker_response_init(r);
	memset(&doc, 0, sizeof doc);
	if (benc_decode(&doc, p, len, &tracker_benc_limits,
	    BENC_LENIENT | BENC_ALLOW_TRAILING, &why) != 0) {
		xfail(cause, "the tracker's answer is not bencoded: %s", why);
		free(why);
		return (-1);
	}
	root = benc_root(&doc);
	if (root == NULL || root->type != BENC_DICT) {
		benc_doc_free(&doc);
		return (xfail(cause, "the tracker's answer is not a "
		    "dictionary"));
	}
	if ((v = benc_dict_get_type(root, "failure reason", BENC_STR)) !=
	    NULL) {
		r->failure = tracker_text(v->s, v->slen);
		benc_doc_free(&doc);
		return (0);
	}
	if ((v = benc_dict_get_type(root, "warning message", BENC_STR)) !=
	    NULL)
		r->warning = tracker_text(v->s, v->slen);
	r->interval = tracker_seconds(benc_dict_get_type(root, "interval",
	    BENC_INT));
	r->min_interval = tracker_seconds(benc_dict_get_type(root,
	    "min interval", BENC_INT));
	if ((v = benc_dict_get_type(root, "complete", BENC_INT)) != NULL)
		r->seeders = v->i;
	if ((v = benc_dict_get_type(root, "incomplete", BENC_INT)) != NULL)
		r->leechers = v->i;
	has_peers = (v = benc_dict_get(root, "peers")) != NULL;
	if (v != NULL) {
		if (v->type == BENC_STR)
			tracker_add_compact(r, v->s, v->slen, 0);
		else if (v->type == BENC_LIST)
			tracker_add_dicts(r, v);
	}
	if ((v = benc_dict_get_type(root, "peers6", BENC_STR)) != NULL)
		tracker_add_compact(r, v->s, v->slen, 1);
	benc_doc_free(&doc);
	if (r->interval < 0 && !has_peers) {
		tracker_response_free(r);
		return (xfail(cause, "the tracker's answer has neither a "
		    "failure reason nor peers"));
	}
	return (0);
}

/* Find a header's value in [h, end); NULL if absent. */
static const char *
tracker_header(const char *h, const char *end, const char *name,
    size_t *vlen)
{
	size_t		 nlen = strlen(name);
	const char	*line, *eol, *v;

	for (line = h; line < end; line = eol + 1) {
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			eol = end;
		if ((size_t)(eol - line) > nlen && line[nlen] == ':' &&
		    strncasecmp(line, name, nlen) == 0) {
			v = line + nlen + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			while (*vlen > 0 && (v[*vlen - 1] == '\r' ||
			    v[*vlen - 1] == ' '))
				(*vlen)--;
			return (v);
		}
		if (eol == end)
			break;
	}
	return (NULL);
}

/* Undo chunked transfer coding into out; -1 if it is broken. */
static int
tracker_unchunk(const uint8_t *p, size_t len, struct buf *out)
{
	size_t		 at = 0, n;
	const uint8_t	*eol;
	char		 num[20], *ep;

	for (;;) {
		if ((eol = memchr(p + at, '\n', len - at)) == NULL)
			return (-1);
		n = (size_t)(eol - (p + at));
		if (n == 0 || n >= sizeof num)
			return (-1);
		memcpy(num, p + at, n);
		num[n] = '\0';
		n = strtoul(num, &ep, 16);
		if (ep == num || (*ep != '\r' && *ep != ';' && *ep != '\0'))
			return (-1);
		at = (size_t)(eol - p) + 1;
		if (n == 0)
			return (0);
		if (n > len - at || out->len + n > TRACKER_HTTP_MAX)
			return (-1);
		buf_add(out, p + at, n);
		at += n;
		if (at < len && p[at] == '\r')
			at++;
		if (at < len && p[at] == '\n')
			at++;
	}
}

int
tracker_http_parse(const uint8_t *p, size_t len, struct tracker_response *r,
    char **cause)
{
	const char	*s = (const char *)p, *hend, *v, *eol;
	const uint8_t	*body = NULL;
	size_t		 blen, vlen, i;
	unsigned long	 status, clen;
	char		 num[24], *ep, *reason;
	struct buf	 b;
	int		 rc;

	tracker_response_init(r);
	if (len > TRACKER_HTTP_MAX)
		return (xfail(cause, "the tracker's answer is larger than "
		    "%d bytes", TRACKER_HTTP_MAX));
	if (len < 12 || strncmp(s, "HTTP/1.", 7) != 0 || s[8] != ' ' ||
	    !isdigit((unsigned char)s[9]) || !isdigit((unsigned char)s[10]) ||
	    !isdigit((unsigned char)s[11]))
		return (xfail(cause, "the tracker's answer is not HTTP"));
	status = (unsigned long)((s[9] - '0') * 100 + (s[10] - '0') * 10 +
	    (s[11] - '0'));
	/* The headers end at the first empty line. */
	hend = NULL;
	for (i = 0; i + 1 < len; i++) {
		if (p[i] == '\n' && (p[i + 1] == '\n' ||
		    (p[i + 1] == '\r' && i + 2 < len && p[i + 2] == '\n'))) {
			hend = s + i + 1;
			body = p + i + (p[i + 1] == '\n' ? 2 : 3);
			break;
		}
	}
	if (hend == NULL)
		return (xfail(cause, "the tracker's answer ends inside its "
		    "headers"));
	blen = len - (size_t)(body - p);
	buf_init(&b);
	if ((v = tracker_header(s, hend, "Transfer-Encoding", &vlen)) !=
	    NULL && vlen >= 7 && strncasecmp(v, "chunked", 7) == 0) {
		if (tracker_unchunk(body, blen, &b) != 0) {
			buf_destroy(&b);
			return (xfail(cause, "the tracker's answer has broken "
			    "chunked coding"));
		}
		body = b.data;
		blen = b.len;
	} else if ((v = tracker_header(s, hend, "Content-Length", &vlen)) !=
	    NULL) {
		if (vlen == 0 || vlen >= sizeof num)
			return (xfail(cause, "the tracker's answer has a bad "
			    "Content-Length"));
		memcpy(num, v, vlen);
		num[vlen] = '\0';
		clen = strtoul(num, &ep, 10);
		if (*ep != '\0' || !isdigit((unsigned char)num[0]))
			return (xfail(cause, "the tracker's answer has a bad "
			    "Content-Length"));
		if (clen > blen)
			return (xfail(cause, "the tracker's answer ended after "
			    "%zu of its %lu bytes", blen, clen));
		blen = clen;
	}
	rc = blen > 0 ? tracker_parse_body(body, blen, r, NULL) : -1;
	if (status != 200 && (rc != 0 || r->failure == NULL)) {
		/* Say what the status line says; the body was no help. */
		tracker_response_free(r);
		eol = memchr(s, '\n', (size_t)(hend - s));
		vlen = eol == NULL ? 0 : (size_t)(eol - (s + 12));
		v = s + 12;
		if (vlen > 0 && v[vlen - 1] == '\r')
			vlen--;
		if (vlen > 0 && *v == ' ') {
			v++;
			vlen--;
		}
		reason = tracker_text((const uint8_t *)v, vlen);
		xfail(cause, "the tracker answered HTTP %lu%s%s", status,
		    reason[0] != '\0' ? " " : "", reason);
		free(reason);
		buf_destroy(&b);
		return (-1);
	}
	if (rc != 0)
		rc = tracker_parse_body(body, blen, r, cause);
	buf_destroy(&b);
	return (rc);
}

/* Big-endian stores and loads. */
static void
tracker_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
tracker_put64(uint8_t *p, uint64_t v)
{
	tracker_put32(p, (uint32_t)(v >> 32));
	tracker_put32(p + 4, (uint32_t)v);
}

static uint32_t
tracker_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

size_t
tracker_udp_connect(uint8_t *out, uint32_t txid)
{
	tracker_put64(out, TRACKER_UDP_MAGIC);
	tracker_put32(out + 8, TRACKER_ACT_CONNECT);
	tracker_put32(out + 12, txid);
	return (TRACKER_UDP_CONNECT_LEN);
}

size_t
tracker_udp_announce(uint8_t *out, uint64_t conn_id, uint32_t txid,
    const struct tracker_announce *a, const char *urldata)
{
	/* BEP 15 numbers the events in another order than HTTP names them. */
	static const uint32_t	codes[] = { 0, 2, 1, 3 };
	size_t			n;

	tracker_put64(out, conn_id);
	tracker_put32(out + 8, TRACKER_ACT_ANNOUNCE);
	tracker_put32(out + 12, txid);
	memcpy(out + 16, a->info_hash, 20);
	memcpy(out + 36, a->peer_id, 20);
	tracker_put64(out + 56, a->downloaded);
	tracker_put64(out + 64, a->left);
	tracker_put64(out + 72, a->uploaded);
	tracker_put32(out + 80, codes[a->event]);
	tracker_put32(out + 84, 0);
	tracker_put32(out + 88, a->key);
	tracker_put32(out + 92, (uint32_t)a->numwant);
	out[96] = (uint8_t)(a->port >> 8);
	out[97] = (uint8_t)a->port;
	if (urldata == NULL || *urldata == '\0' || strcmp(urldata, "/") == 0)
		return (98);
	/* BEP 41: one URLData option, cut at 255 bytes as libtorrent does. */
	n = strlen(urldata);
	if (n > 255)
		n = 255;
	out[98] = 2;
	out[99] = (uint8_t)n;
	memcpy(out + 100, urldata, n);
	return (100 + n);
}

/* The common head of an answer; see tracker_udp_parse_connect(). */
static int
tracker_udp_head(const uint8_t *p, size_t len, uint32_t txid, uint32_t want,
    size_t need, char **cause)
{
	uint32_t	 action;
	char		*msg;

	if (len < 8 || tracker_get32(p + 4) != txid)
		return (1);
	action = tracker_get32(p);
	if (action == TRACKER_ACT_ERROR) {
		msg = tracker_text(p + 8, len - 8);
		xfail(cause, "the tracker refused the announce: \"%s\"", msg);
		free(msg);
		return (-1);
	}
	if (action != want)
		return (xfail(cause, "the tracker answered with action %u "
		    "where %u was due", action, want));
	if (len < need)
		return (xfail(cause, "the tracker's answer is %zu bytes, "
		    "shorter than the %zu it must be", len, need));
	return (0);
}

int
tracker_udp_parse_connect(const uint8_t *p, size_t len, uint32_t txid,
    uint64_t *conn_id, char **cause)
{
	int	r;

	if ((r = tracker_udp_head(p, len, txid, TRACKER_ACT_CONNECT, 16,
	    cause)) != 0)
		return (r);
	*conn_id = (uint64_t)tracker_get32(p + 8) << 32 | tracker_get32(p + 12);
	return (0);
}

int
tracker_udp_parse_announce(const uint8_t *p, size_t len, uint32_t txid,
    int peers6, struct tracker_response *r, char **cause)
{
	int	rc;

	tracker_response_init(r);
	if ((rc = tracker_udp_head(p, len, txid, TRACKER_ACT_ANNOUNCE, 20,
	    cause)) != 0)
		return (rc);
	r->interval = tracker_get32(p + 8);
	if (r->interval > TRACKER_INTERVAL_MAX)
		r->interval = TRACKER_INTERVAL_MAX;
	r->leechers = tracker_get32(p + 12);
	r->seeders = tracker_get32(p + 16);
	tracker_add_compact(r, p + 20, len - 20, peers6);
	return (0);
}

void
tracker_peer_text(const struct tracker_peer *tp, char *buf, size_t size)
{
	char	host[INET6_ADDRSTRLEN];

	if (inet_ntop(tp->v6 ? AF_INET6 : AF_INET, tp->ip, host,
	    sizeof host) == NULL)
		snprintf(host, sizeof host, "?");
	if (tp->v6)
		snprintf(buf, size, "[%s]:%u", host, tp->port);
	else
		snprintf(buf, size, "%s:%u", host, tp->port);
}
