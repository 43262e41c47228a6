/*
 * Magnet links. A link arrives pasted from anywhere, so the parser bounds
 * its length, each value and the number of trackers and peers, decodes
 * percent escapes strictly, and refuses control characters; parameters it
 * does not know are skipped, as libtorrent skips them. The builder writes
 * the hashes in hex, percent-encodes every value but x.pe, and writes x.pe
 * raw because libtorrent reads it without unescaping.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "hex.h"
#include "magnet.h"
#include "xmalloc.h"

/* Empty a link. */
void
magnet_init(struct magnet *mg)
{
	memset(mg, 0, sizeof *mg);
}

/* Free what a link holds and empty it. */
void
magnet_destroy(struct magnet *mg)
{
	size_t	i;

	for (i = 0; i < mg->ntrackers; i++)
		free(mg->trackers[i]);
	free(mg->trackers);
	for (i = 0; i < mg->npeers; i++)
		free(mg->peers[i].host);
	free(mg->peers);
	free(mg->name);
	free(mg->node);
	free(mg->share);
	magnet_init(mg);
}

/*
 * RFC 4648 base32 (A-Z, 2-7, either case, no padding) of exactly 32
 * characters into 20 bytes: the old form of a btih. Returns 0 or -1.
 */
static int
magnet_base32_20(const char *s, uint8_t out[20])
{
	uint32_t	acc = 0;
	unsigned	bits = 0, n = 0, i, v;

	for (i = 0; i < 32; i++) {
		char	c = s[i];

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a';
		else if (c >= '2' && c <= '7')
			v = c - '2' + 26;
		else
			return (-1);
		acc = (acc << 5) | v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return (n == 20 ? 0 : -1);
}

static int
magnet_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * Decode one value (len bytes) into a new string: %XX escapes, and for dn
 * '+' as a space. Fails on a bad escape, a value over MAGNET_MAX_VALUE, or
 * a control character (which no name, URL or ID has reason to hold).
 */
static int
magnet_unescape(const char *key, const char *s, size_t len, int plus,
    char **out, char **cause)
{
	struct buf	b;
	size_t		i;
	int		hi, lo;
	uint8_t		c;

	buf_init(&b);
	for (i = 0; i < len; i++) {
		c = (uint8_t)s[i];
		if (c == '%') {
			if (len - i < 3 ||
			    (hi = magnet_hex_digit(s[i + 1])) < 0 ||
			    (lo = magnet_hex_digit(s[i + 2])) < 0) {
				buf_destroy(&b);
				return (xfail(cause, "magnet link has a "
				    "bad percent escape in %s", key));
			}
			c = (uint8_t)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		if (c < 0x20 || c == 0x7f) {
			buf_destroy(&b);
			return (xfail(cause, "magnet link has a control "
			    "character in %s", key));
		}
		if (b.len == MAGNET_MAX_VALUE) {
			buf_destroy(&b);
			return (xfail(cause, "magnet link has a %s "
			    "longer than %d bytes", key, MAGNET_MAX_VALUE));
		}
		buf_add_byte(&b, c);
	}
	*out = (char *)buf_steal(&b, NULL);
	return (0);
}

/*
 * 1 if host can go in x.pe as it stands: a name or an IPv4 or IPv6
 * address, with nothing a URL or libtorrent's endpoint parser would trip
 * over. IPv6 zone ids ("%eth0") are refused: they mean nothing elsewhere.
 */
static int
magnet_host_ok(const char *host, size_t len)
{
	size_t	i;
	char	c;

	if (len == 0 || len > 255)
		return (0);
	for (i = 0; i < len; i++) {
		c = host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_' || c == ':'))
			return (0);
	}
	return (1);
}

/* Parse "host:port" or "[v6]:port" into a new host string and a port. */
static int
magnet_parse_peer(const char *v, char **host, uint16_t *port)
{
	const char	*h, *colon, *p;
	size_t		 hlen;
	uint32_t	 n = 0;

	if (v[0] == '[') {
		h = v + 1;
		if ((colon = strchr(h, ']')) == NULL || colon[1] != ':')
			return (-1);
		hlen = colon - h;
		colon++;
		if (memchr(h, ':', hlen) == NULL)
			return (-1);
	} else {
		h = v;
		if ((colon = strrchr(v, ':')) == NULL)
			return (-1);
		hlen = colon - h;
		if (memchr(h, ':', hlen) != NULL)
			return (-1);	/* IPv6 needs its brackets. */
	}
	if (!magnet_host_ok(h, hlen))
		return (-1);
	p = colon + 1;
	if (*p == '\0' || strlen(p) > 5)
		return (-1);
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (-1);
		n = n * 10 + (uint32_t)(*p - '0');
	}
	if (n == 0 || n > 65535)
		return (-1);
	*host = xstrndup(h, hlen);
	*port = (uint16_t)n;
	return (0);
}

/* The xt parameter: btih (hex or base32) or btmh (sha2-256 only). */
static int
magnet_parse_xt(struct magnet *mg, const char *v, char **cause)
{
	uint8_t	h[32];
	size_t	len;

	if (strncasecmp(v, "urn:btih:", 9) == 0) {
		v += 9;
		len = strlen(v);
		if (!(len == 40 && hex_decode(v, 20, h) == 0) &&
		    !(len == 32 && magnet_base32_20(v, h) == 0))
			return (xfail(cause, "magnet link has a btih "
			    "that is neither 40 hex digits nor 32 base32 "
			    "characters"));
		if (mg->has_v1 && memcmp(mg->v1, h, 20) != 0)
			return (xfail(cause, "magnet link has two "
			    "different btih info-hashes"));
		memcpy(mg->v1, h, 20);
		mg->has_v1 = 1;
	} else if (strncasecmp(v, "urn:btmh:", 9) == 0) {
		v += 9;
		if (strncmp(v, "1220", 4) != 0)
			return (xfail(cause, "magnet link has a btmh "
			    "that is not a sha2-256 multihash (1220)"));
		v += 4;
		if (strlen(v) != 64 || hex_decode(v, 32, h) != 0)
			return (xfail(cause, "magnet link has a btmh "
			    "whose hash is not 64 hex digits"));
		if (mg->has_v2 && memcmp(mg->v2, h, 32) != 0)
			return (xfail(cause, "magnet link has two "
			    "different btmh info-hashes"));
		memcpy(mg->v2, h, 32);
		mg->has_v2 = 1;
	}
	/* Other urns (sha1, ed2k, ...) are for other networks. */
	return (0);
}

/*
 * Add a tracker URL (copied). Returns -1 if it is empty or the link
 * already holds MAGNET_MAX_TRACKERS; a duplicate is accepted and dropped.
 */
int
magnet_add_tracker(struct magnet *mg, const char *url)
{
	size_t	i;

	if (*url == '\0' || mg->ntrackers == MAGNET_MAX_TRACKERS)
		return (-1);
	for (i = 0; i < mg->ntrackers; i++) {
		if (strcmp(mg->trackers[i], url) == 0)
			return (0);
	}
	mg->trackers = xreallocarray(mg->trackers, mg->ntrackers + 1,
	    sizeof *mg->trackers);
	mg->trackers[mg->ntrackers++] = xstrdup(url);
	return (0);
}

/*
 * Add a direct peer (host copied; an IPv6 address without brackets).
 * Returns -1 if the host or port cannot go in a link or the link is full.
 */
int
magnet_add_peer(struct magnet *mg, const char *host, uint16_t port)
{
	if (!magnet_host_ok(host, strlen(host)) || port == 0 ||
	    mg->npeers == MAGNET_MAX_PEERS)
		return (-1);
	mg->peers = xreallocarray(mg->peers, mg->npeers + 1,
	    sizeof *mg->peers);
	mg->peers[mg->npeers].host = xstrdup(host);
	mg->peers[mg->npeers].port = port;
	mg->npeers++;
	return (0);
}

/* Handle one decoded parameter. */
static int
magnet_param(struct magnet *mg, const char *key, size_t klen, char *v,
    char **cause)
{
	char		*host;
	uint16_t	 port;

	if (klen == 2 && memcmp(key, "xt", 2) == 0)
		return (magnet_parse_xt(mg, v, cause));
	if (klen == 2 && memcmp(key, "dn", 2) == 0) {
		if (*v != '\0') {
			free(mg->name);
			mg->name = xstrdup(v);
		}
		return (0);
	}
	if (klen == 2 && memcmp(key, "tr", 2) == 0) {
		/* Trackers past MAGNET_MAX_TRACKERS are dropped. */
		magnet_add_tracker(mg, v);
		return (0);
	}
	if (klen == 4 && memcmp(key, "x.pe", 4) == 0) {
		if (magnet_parse_peer(v, &host, &port) != 0)
			return (xfail(cause, "magnet link has an x.pe "
			    "that is not host:port or [IPv6]:port"));
		if (mg->npeers < MAGNET_MAX_PEERS)
			magnet_add_peer(mg, host, port);
		free(host);
		return (0);
	}
	if (*v == '\0')
		return (0);	/* An empty x.node or x.share says nothing. */
	if (klen == 6 && memcmp(key, "x.node", 6) == 0) {
		free(mg->node);
		mg->node = xstrdup(v);
		return (0);
	}
	if (klen == 7 && memcmp(key, "x.share", 7) == 0) {
		free(mg->share);
		mg->share = xstrdup(v);
		return (0);
	}
	return (0);
}

/* Our spelling of a key we decode, or NULL for one we skip unread. */
static const char *
magnet_known_key(const char *key, size_t klen)
{
	static const char	*keys[] = {
		"xt", "dn", "tr", "x.pe", "x.node", "x.share"
	};
	size_t			 i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strlen(keys[i]) == klen && memcmp(keys[i], key, klen) == 0)
			return (keys[i]);
	}
	return (NULL);
}

/*
 * Parse a magnet link into mg (which the caller later passes to
 * magnet_destroy(), success or not). Returns 0, or -1 with *cause.
 */
int
magnet_parse(struct magnet *mg, const char *link, char **cause)
{
	const char	*p, *end, *amp, *eq, *dot, *key, *d;
	size_t		 len, klen;
	char		*v = NULL;
	int		 r;

	magnet_init(mg);
	len = strnlen(link, MAGNET_MAX_LEN + 1);
	if (len > MAGNET_MAX_LEN)
		return (xfail(cause, "magnet link is longer than %d "
		    "bytes", MAGNET_MAX_LEN));
	if (strncasecmp(link, "magnet:?", 8) != 0)
		return (xfail(cause, "not a magnet link: it does not "
		    "start with magnet:?"));
	end = link + len;
	for (p = link + 8; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', end - p)) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', amp - p)) == NULL)
			continue;
		key = p;
		klen = eq - p;

		/* "tr.1" is "tr": a dot and digits only is a numbering. */
		if ((dot = memchr(key, '.', klen)) != NULL) {
			for (d = dot + 1; d < eq; d++) {
				if (*d < '0' || *d > '9')
					break;
			}
			if (d == eq)
				klen = dot - key;
		}
		if ((key = magnet_known_key(key, klen)) == NULL)
			continue;

		if (magnet_unescape(key, eq + 1, amp - eq - 1,
		    strcmp(key, "dn") == 0, &v, cause) != 0)
			return (-1);
		r = magnet_param(mg, key, klen, v, cause);
		free(v);
		if (r != 0)
			return (-1);
	}
	if (!mg->has_v1 && !mg->has_v2)
		return (xfail(cause, "magnet link has no BitTorrent "
		    "info-hash (xt=urn:btih or xt=urn:btmh)"));
	return (0);
}

/* Append a value percent-encoded: all but RFC 3986 unreserved bytes. */
static void
magnet_escape(struct buf *b, const char *s)
{
	static const char	 digits[] = "0123456789ABCDEF";
	const uint8_t		*p;

	for (p = (const uint8_t *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~')
			buf_add_byte(b, *p);
		else {
			buf_add_byte(b, '%');
			buf_add_byte(b, digits[*p >> 4]);
			buf_add_byte(b, digits[*p & 0xf]);
		}
	}
}

/*
 * Build a link in shoal's form (PROTOCOL.md A4): btmh first, then btih,
 * dn, tr, x.pe, x.node, x.share, each only if set. Returns a new string
 * the caller frees, or NULL if mg has no info-hash.
 */
char *
magnet_format(const struct magnet *mg)
{
	struct buf	 b;
	char		 hex[65];
	size_t		 i;

	if (!mg->has_v1 && !mg->has_v2)
		return (NULL);
	buf_init(&b);
	buf_add_str(&b, "magnet:?");
	if (mg->has_v2) {
		hex_encode(mg->v2, 32, hex);
		buf_add_str(&b, "xt=urn:btmh:1220");
		buf_add_str(&b, hex);
	}
	if (mg->has_v1) {
		hex_encode(mg->v1, 20, hex);
		if (mg->has_v2)
			buf_add_byte(&b, '&');
		buf_add_str(&b, "xt=urn:btih:");
		buf_add_str(&b, hex);
	}
	if (mg->name != NULL && *mg->name != '\0') {
		buf_add_str(&b, "&dn=");
		magnet_escape(&b, mg->name);
	}
	for (i = 0; i < mg->ntrackers; i++) {
		buf_add_str(&b, "&tr=");
		magnet_escape(&b, mg->trackers[i]);
	}
	for (i = 0; i < mg->npeers; i++) {
		/* Raw: magnet_add_peer() let in only safe characters. */
		if (strchr(mg->peers[i].host, ':') != NULL)
			buf_addf(&b, "&x.pe=[%s]:%u", mg->peers[i].host,
			    mg->peers[i].port);
		else
			buf_addf(&b, "&x.pe=%s:%u", mg->peers[i].host,
			    mg->peers[i].port);
	}
	if (mg->node != NULL) {
		buf_add_str(&b, "&x.node=");
		magnet_escape(&b, mg->node);
	}
	if (mg->share != NULL) {
		buf_add_str(&b, "&x.share=");
		magnet_escape(&b, mg->share);
	}
	return ((char *)buf_steal(&b, NULL));
}
