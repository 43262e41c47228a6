/*
 * The peer wire codec. Parsers take untrusted bytes and either return a
 * message whose pointers lead back into those bytes, ask for more, or
 * refuse with a sentence the engine logs when it closes the peer. They
 * refuse as early as the bytes allow (a bad length prefix is refused before
 * its body arrives) so that a hostile peer cannot make us buffer much.
 * Encoders append whole messages to a struct buf and cannot fail.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bencode.h"
#include "sha.h"
#include "wire.h"
#include "xmalloc.h"

/*
 * Bencode limits for extension payloads: a message is at most 1 MiB, and
 * an LTEP handshake or PEX message needs a few dozen values, so a peer
 * padding one with junk keys costs us at most this many.
 */
static const struct benc_limits wire_benc_limits = {
	.max_depth = 100,
	.max_nodes = 65536,
	.max_str = WIRE_MAX_LEN,
	.max_size = WIRE_MAX_LEN,
};

static uint32_t
wire_get_u32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

static void
wire_put_u16(struct buf *b, uint16_t v)
{
	uint8_t	p[2];

	p[0] = v >> 8;
	p[1] = v & 0xff;
	buf_add(b, p, sizeof p);
}

/* Where each feature's bit lives in the reserved bytes. */
static void
wire_feature_bit(enum wire_feature f, unsigned *byte, uint8_t *mask)
{
	switch (f) {
	case WIRE_FEATURE_LTEP:
		*byte = 5;
		*mask = 0x10;
		break;
	case WIRE_FEATURE_DHT:
		*byte = 7;
		*mask = 0x01;
		break;
	case WIRE_FEATURE_FAST:
		*byte = 7;
		*mask = 0x04;
		break;
	case WIRE_FEATURE_V2:
	default:
		*byte = 7;
		*mask = 0x10;
		break;
	}
}

/* Set a feature's bit in a handshake's reserved bytes. */
void
wire_reserved_set(uint8_t reserved[8], enum wire_feature f)
{
	unsigned	byte;
	uint8_t		mask;

	wire_feature_bit(f, &byte, &mask);
	reserved[byte] |= mask;
}

/* 1 if the reserved bytes announce a feature, 0 if not. */
int
wire_reserved_has(const uint8_t reserved[8], enum wire_feature f)
{
	unsigned	byte;
	uint8_t		mask;

	wire_feature_bit(f, &byte, &mask);
	return ((reserved[byte] & mask) != 0);
}

/* Append our 68-byte handshake. */
void
wire_put_handshake(struct buf *b, const struct wire_handshake *hs)
{
	buf_add_byte(b, WIRE_PSTRLEN);
	buf_add(b, WIRE_PSTR, WIRE_PSTRLEN);
	buf_add(b, hs->reserved, sizeof hs->reserved);
	buf_add(b, hs->info_hash, sizeof hs->info_hash);
	buf_add(b, hs->peer_id, sizeof hs->peer_id);
}

/*
 * Parse a handshake from the start of a byte stream: returns 68 when it is
 * complete, 0 if more bytes are needed, -1 (with *cause) if the bytes seen
 * so far cannot be a BitTorrent handshake.
 */
ssize_t
wire_parse_handshake(const uint8_t *p, size_t len, struct wire_handshake *hs,
    char **cause)
{
	size_t	n;

	if (len == 0)
		return (0);
	if (p[0] != WIRE_PSTRLEN)
		return (xfail(cause, "handshake has protocol name length "
		    "%u, not %u", p[0], WIRE_PSTRLEN));
	n = len - 1 < WIRE_PSTRLEN ? len - 1 : WIRE_PSTRLEN;
	if (memcmp(p + 1, WIRE_PSTR, n) != 0)
		return (xfail(cause, "handshake does not name the "
		    "BitTorrent protocol"));
	if (len < WIRE_HANDSHAKE_LEN)
		return (0);
	memcpy(hs->reserved, p + 20, sizeof hs->reserved);
	memcpy(hs->info_hash, p + 28, sizeof hs->info_hash);
	memcpy(hs->peer_id, p + 48, sizeof hs->peer_id);
	return (WIRE_HANDSHAKE_LEN);
}

/* A message name for logs. */
const char *
wire_msg_name(enum wire_msg_type type)
{
	switch (type) {
	case WIRE_MSG_CHOKE:
		return ("choke");
	case WIRE_MSG_UNCHOKE:
		return ("unchoke");
	case WIRE_MSG_INTERESTED:
		return ("interested");
	case WIRE_MSG_NOT_INTERESTED:
		return ("not interested");
	case WIRE_MSG_HAVE:
		return ("have");
	case WIRE_MSG_BITFIELD:
		return ("bitfield");
	case WIRE_MSG_REQUEST:
		return ("request");
	case WIRE_MSG_PIECE:
		return ("piece");
	case WIRE_MSG_CANCEL:
		return ("cancel");
	case WIRE_MSG_PORT:
		return ("port");
	case WIRE_MSG_SUGGEST:
		return ("suggest piece");
	case WIRE_MSG_HAVE_ALL:
		return ("have all");
	case WIRE_MSG_HAVE_NONE:
		return ("have none");
	case WIRE_MSG_REJECT:
		return ("reject request");
	case WIRE_MSG_ALLOWED_FAST:
		return ("allowed fast");
	case WIRE_MSG_EXTENDED:
		return ("extended");
	case WIRE_MSG_HASH_REQUEST:
		return ("hash request");
	case WIRE_MSG_HASHES:
		return ("hashes");
	case WIRE_MSG_HASH_REJECT:
		return ("hash reject");
	case WIRE_MSG_KEEPALIVE:
		return ("keep-alive");
	case WIRE_MSG_UNKNOWN:
		break;
	}
	return ("unknown");
}

/*
 * Check a message's length prefix n against its id, before the payload
 * has arrived. Returns 0 if the length fits the id, -1 if it cannot.
 */
static int
wire_check_length(uint8_t id, uint32_t n, char **cause)
{
	uint32_t	want;

	switch (id) {
	case WIRE_MSG_CHOKE:
	case WIRE_MSG_UNCHOKE:
	case WIRE_MSG_INTERESTED:
	case WIRE_MSG_NOT_INTERESTED:
	case WIRE_MSG_HAVE_ALL:
	case WIRE_MSG_HAVE_NONE:
		want = 1;
		break;
	case WIRE_MSG_HAVE:
	case WIRE_MSG_SUGGEST:
	case WIRE_MSG_ALLOWED_FAST:
		want = 5;
		break;
	case WIRE_MSG_REQUEST:
	case WIRE_MSG_CANCEL:
	case WIRE_MSG_REJECT:
		want = 13;
		break;
	case WIRE_MSG_PORT:
		want = 3;
		break;
	case WIRE_MSG_HASH_REQUEST:
	case WIRE_MSG_HASH_REJECT:
		want = 1 + WIRE_HASH_HEADER;
		break;
	case WIRE_MSG_PIECE:
		if (n < 9)
			return (xfail(cause, "piece message of %u bytes "
			    "is too short", n));
		if (n - 9 > WIRE_BLOCK_MAX)
			return (xfail(cause, "piece message carries %u "
			    "bytes, over the %u-byte block limit", n - 9,
			    WIRE_BLOCK_MAX));
		return (0);
	case WIRE_MSG_EXTENDED:
		if (n < 2)
			return (xfail(cause, "extended message has no "
			    "extension id"));
		return (0);
	case WIRE_MSG_HASHES:
		if (n < 1 + WIRE_HASH_HEADER ||
		    (n - 1 - WIRE_HASH_HEADER) % 32 != 0)
			return (xfail(cause, "hashes message of %u bytes "
			    "is not a header and whole hashes", n));
		return (0);
	default:
		/* Bitfield (its size is the caller's to check) and ids we
		 * do not know take any length. */
		return (0);
	}
	if (n != want)
		return (xfail(cause, "%s message has length %u, not %u",
		    wire_msg_name(id), n, want));
	return (0);
}

static void
wire_parse_hash_header(const uint8_t *p, struct wire_hash_req *h)
{
	memcpy(h->pieces_root, p, sizeof h->pieces_root);
	h->base_layer = wire_get_u32(p + 32);
	h->index = wire_get_u32(p + 36);
	h->length = wire_get_u32(p + 40);
	h->proof_layers = wire_get_u32(p + 44);
}

/*
 * Parse one message from the front of a byte stream. Returns the bytes it
 * used (the engine drops them once done with m, whose pointers lead into
 * p), 0 if more bytes are needed, or -1 with *cause if the peer sent
 * something no valid message can start with: a length prefix over max_len
 * (0 means WIRE_MAX_LEN), a fixed-size message of the wrong size, or a
 * piece over 16 KiB.
 */
ssize_t
wire_parse(const uint8_t *p, size_t len, size_t max_len, struct wire_msg *m,
    char **cause)
{
	const uint8_t	*pl;
	uint32_t	 n;
	uint8_t		 id;

	if (max_len == 0)
		max_len = WIRE_MAX_LEN;
	if (len < 4)
		return (0);
	n = wire_get_u32(p);
	if (n > max_len)
		return (xfail(cause, "message length %u is over the "
		    "limit of %zu bytes", n, max_len));
	memset(m, 0, sizeof *m);
	if (n == 0) {
		m->type = WIRE_MSG_KEEPALIVE;
		return (4);
	}
	if (len < 5)
		return (0);
	id = p[4];
	if (wire_check_length(id, n, cause) != 0)
		return (-1);
	if (len - 4 < n)
		return (0);

	m->id = id;
	m->type = (enum wire_msg_type)id;
	pl = p + 5;
	switch (id) {
	case WIRE_MSG_CHOKE:
	case WIRE_MSG_UNCHOKE:
	case WIRE_MSG_INTERESTED:
	case WIRE_MSG_NOT_INTERESTED:
	case WIRE_MSG_HAVE_ALL:
	case WIRE_MSG_HAVE_NONE:
		break;
	case WIRE_MSG_HAVE:
	case WIRE_MSG_SUGGEST:
	case WIRE_MSG_ALLOWED_FAST:
		m->index = wire_get_u32(pl);
		break;
	case WIRE_MSG_REQUEST:
	case WIRE_MSG_CANCEL:
	case WIRE_MSG_REJECT:
		m->index = wire_get_u32(pl);
		m->begin = wire_get_u32(pl + 4);
		m->length = wire_get_u32(pl + 8);
		break;
	case WIRE_MSG_BITFIELD:
		m->data = pl;
		m->data_len = n - 1;
		break;
	case WIRE_MSG_PIECE:
		m->index = wire_get_u32(pl);
		m->begin = wire_get_u32(pl + 4);
		m->data = pl + 8;
		m->data_len = n - 9;
		m->length = (uint32_t)m->data_len;
		break;
	case WIRE_MSG_PORT:
		m->port = (uint16_t)(pl[0] << 8 | pl[1]);
		break;
	case WIRE_MSG_EXTENDED:
		m->ext_id = pl[0];
		m->data = pl + 1;
		m->data_len = n - 2;
		break;
	case WIRE_MSG_HASH_REQUEST:
	case WIRE_MSG_HASH_REJECT:
		wire_parse_hash_header(pl, &m->hash);
		break;
	case WIRE_MSG_HASHES:
		wire_parse_hash_header(pl, &m->hash);
		m->hashes = pl + WIRE_HASH_HEADER;
		m->nhashes = (n - 1 - WIRE_HASH_HEADER) / 32;
		break;
	default:
		m->type = WIRE_MSG_UNKNOWN;
		m->data = pl;
		m->data_len = n - 1;
		break;
	}
	return ((ssize_t)n + 4);
}

static void
wire_put_header(struct buf *b, uint32_t len, uint8_t id)
{
	buf_add_u32be(b, len);
	buf_add_byte(b, id);
}

/* Append a keep-alive: a zero length prefix. */
void
wire_put_keepalive(struct buf *b)
{
	buf_add_u32be(b, 0);
}

/* Append a choke. */
void
wire_put_choke(struct buf *b)
{
	wire_put_header(b, 1, WIRE_MSG_CHOKE);
}

/* Append an unchoke. */
void
wire_put_unchoke(struct buf *b)
{
	wire_put_header(b, 1, WIRE_MSG_UNCHOKE);
}

/* Append an interested. */
void
wire_put_interested(struct buf *b)
{
	wire_put_header(b, 1, WIRE_MSG_INTERESTED);
}

/* Append a not interested. */
void
wire_put_not_interested(struct buf *b)
{
	wire_put_header(b, 1, WIRE_MSG_NOT_INTERESTED);
}

/* Append a have for one piece. */
void
wire_put_have(struct buf *b, uint32_t index)
{
	wire_put_header(b, 5, WIRE_MSG_HAVE);
	buf_add_u32be(b, index);
}

/* Append a bitfield of len bytes (piece 0 is the top bit of byte 0). */
void
wire_put_bitfield(struct buf *b, const uint8_t *bits, size_t len)
{
	wire_put_header(b, (uint32_t)(1 + len), WIRE_MSG_BITFIELD);
	buf_add(b, bits, len);
}

/* Append a request for length bytes at begin in piece index. */
void
wire_put_request(struct buf *b, uint32_t index, uint32_t begin,
    uint32_t length)
{
	wire_put_header(b, 13, WIRE_MSG_REQUEST);
	buf_add_u32be(b, index);
	buf_add_u32be(b, begin);
	buf_add_u32be(b, length);
}

/*
 * Append the 13 bytes that open a piece message carrying block_len bytes;
 * the caller appends the block itself (or sends it from its own buffer).
 */
void
wire_put_piece_header(struct buf *b, uint32_t index, uint32_t begin,
    uint32_t block_len)
{
	wire_put_header(b, 9 + block_len, WIRE_MSG_PIECE);
	buf_add_u32be(b, index);
	buf_add_u32be(b, begin);
}

/* Append a whole piece message. */
void
wire_put_piece(struct buf *b, uint32_t index, uint32_t begin,
    const uint8_t *block, size_t len)
{
	wire_put_piece_header(b, index, begin, (uint32_t)len);
	buf_add(b, block, len);
}

/* Append a cancel of an earlier request. */
void
wire_put_cancel(struct buf *b, uint32_t index, uint32_t begin,
    uint32_t length)
{
	wire_put_header(b, 13, WIRE_MSG_CANCEL);
	buf_add_u32be(b, index);
	buf_add_u32be(b, begin);
	buf_add_u32be(b, length);
}

/* Append a BEP 5 port message (our DHT UDP port). */
void
wire_put_port(struct buf *b, uint16_t port)
{
	wire_put_header(b, 3, WIRE_MSG_PORT);
	wire_put_u16(b, port);
}

/* Append a BEP 6 suggest piece. */
void
wire_put_suggest(struct buf *b, uint32_t index)
{
	wire_put_header(b, 5, WIRE_MSG_SUGGEST);
	buf_add_u32be(b, index);
}

/* Append a BEP 6 have all. */
void
wire_put_have_all(struct buf *b)
{
	wire_put_header(b, 1, WIRE_MSG_HAVE_ALL);
}

/* Append a BEP 6 have none. */
void
wire_put_have_none(struct buf *b)
{
	wire_put_header(b, 1, WIRE_MSG_HAVE_NONE);
}

/* Append a BEP 6 reject request, echoing the request. */
void
wire_put_reject(struct buf *b, uint32_t index, uint32_t begin,
    uint32_t length)
{
	wire_put_header(b, 13, WIRE_MSG_REJECT);
	buf_add_u32be(b, index);
	buf_add_u32be(b, begin);
	buf_add_u32be(b, length);
}

/* Append a BEP 6 allowed fast. */
void
wire_put_allowed_fast(struct buf *b, uint32_t index)
{
	wire_put_header(b, 5, WIRE_MSG_ALLOWED_FAST);
	buf_add_u32be(b, index);
}

/*
 * Append a BEP 10 extended message: ext_id 0 is the extended handshake,
 * otherwise the id the receiving peer gave the extension in its m.
 */
void
wire_put_extended(struct buf *b, uint8_t ext_id, const uint8_t *payload,
    size_t len)
{
	wire_put_header(b, (uint32_t)(2 + len), WIRE_MSG_EXTENDED);
	buf_add_byte(b, ext_id);
	buf_add(b, payload, len);
}

static void
wire_put_hash_header(struct buf *b, uint32_t len, uint8_t id,
    const struct wire_hash_req *h)
{
	wire_put_header(b, len, id);
	buf_add(b, h->pieces_root, sizeof h->pieces_root);
	buf_add_u32be(b, h->base_layer);
	buf_add_u32be(b, h->index);
	buf_add_u32be(b, h->length);
	buf_add_u32be(b, h->proof_layers);
}

/* Append a BEP 52 hash request. */
void
wire_put_hash_request(struct buf *b, const struct wire_hash_req *h)
{
	wire_put_hash_header(b, 1 + WIRE_HASH_HEADER, WIRE_MSG_HASH_REQUEST,
	    h);
}

/*
 * Append a BEP 52 hashes reply: the request's header, then nhashes hashes
 * of 32 bytes (the requested ones, then the uncles; see merkle_proof()).
 */
void
wire_put_hashes(struct buf *b, const struct wire_hash_req *h,
    const uint8_t *hashes, size_t nhashes)
{
	wire_put_hash_header(b, (uint32_t)(1 + WIRE_HASH_HEADER +
	    32 * nhashes), WIRE_MSG_HASHES, h);
	buf_add(b, hashes, 32 * nhashes);
}

/* Append a BEP 52 hash reject, echoing the request. */
void
wire_put_hash_reject(struct buf *b, const struct wire_hash_req *h)
{
	wire_put_hash_header(b, 1 + WIRE_HASH_HEADER, WIRE_MSG_HASH_REJECT,
	    h);
}

/*
 * The BEP 6 allowed-fast set for a peer at ipv4 (host order): up to k
 * distinct piece indices written to out (room for k), from SHA-1 chained
 * over the peer's /24 and the info-hash. Returns how many were written:
 * k, or npieces if that is smaller.
 */
unsigned
wire_allowed_fast(uint32_t ipv4, const uint8_t info_hash[20],
    uint32_t npieces, unsigned k, uint32_t *out)
{
	uint8_t		x[24];
	unsigned	n = 0, i, j;

	if (npieces == 0)
		return (0);
	if (k > npieces)
		k = npieces;
	ipv4 &= 0xffffff00;
	x[0] = ipv4 >> 24;
	x[1] = (ipv4 >> 16) & 0xff;
	x[2] = (ipv4 >> 8) & 0xff;
	x[3] = 0;
	memcpy(x + 4, info_hash, 20);
	sha1(x, 24, x);
	for (;;) {
		for (i = 0; i < 5 && n < k; i++) {
			uint32_t	index;

			index = wire_get_u32(x + 4 * i) % npieces;
			for (j = 0; j < n; j++) {
				if (out[j] == index)
					break;
			}
			if (j == n)
				out[n++] = index;
		}
		if (n == k)
			break;
		sha1(x, 20, x);
	}
	return (n);
}

/* Empty an extended handshake. */
void
wire_ltep_init(struct wire_ltep *l)
{
	memset(l, 0, sizeof *l);
}

/*
 * Set an extension's id in m (0 disables it), adding the name if new.
 * Returns -1 if the name is empty or too long, or m is full.
 */
int
wire_ltep_set(struct wire_ltep *l, const char *name, uint8_t id)
{
	size_t	i, len = strlen(name);

	if (len == 0 || len > WIRE_LTEP_NAME_MAX)
		return (-1);
	for (i = 0; i < l->nm; i++) {
		if (strcmp(l->m[i].name, name) == 0) {
			l->m[i].id = id;
			return (0);
		}
	}
	if (l->nm == WIRE_LTEP_MAX_EXT)
		return (-1);
	memcpy(l->m[l->nm].name, name, len + 1);
	l->m[l->nm].id = id;
	l->nm++;
	return (0);
}

/* The id an extension has in m; 0 if absent or disabled. */
uint8_t
wire_ltep_id(const struct wire_ltep *l, const char *name)
{
	size_t	i;

	for (i = 0; i < l->nm; i++) {
		if (strcmp(l->m[i].name, name) == 0)
			return (l->m[i].id);
	}
	return (0);
}

/*
 * Apply a resent extended handshake to the one we hold: m is additive
 * (names are added or changed, never dropped), and the other fields are
 * replaced where the new handshake has them.
 */
void
wire_ltep_merge(struct wire_ltep *l, const struct wire_ltep *u)
{
	size_t	i;

	for (i = 0; i < u->nm; i++)
		wire_ltep_set(l, u->m[i].name, u->m[i].id);
	if (u->port != 0)
		l->port = u->port;
	if (u->client[0] != '\0')
		memcpy(l->client, u->client, sizeof l->client);
	if (u->reqq != 0)
		l->reqq = u->reqq;
	if (u->metadata_size != 0)
		l->metadata_size = u->metadata_size;
	if (u->yourip_len != 0) {
		memcpy(l->yourip, u->yourip, sizeof l->yourip);
		l->yourip_len = u->yourip_len;
	}
	l->upload_only = u->upload_only;
	if (u->site[0] != '\0')
		memcpy(l->site, u->site, sizeof l->site);
	if (u->swarm_open)
		l->swarm_open = 1;
	if (u->nswarm > 0) {
		memcpy(l->swarm, u->swarm, u->nswarm * 32);
		l->nswarm = u->nswarm;
	}
}

static int
wire_ltep_ext_cmp(const void *a, const void *b)
{
	const struct wire_ltep_ext	*x = a, *y = b;

	/* Raw byte order, as bencode sorts keys. */
	return (strcmp(x->name, y->name));
}

/*
 * Append the bencoded extended handshake (the payload of an extended
 * message with ext id 0). Fields that are 0 or empty are left out.
 * Returns -1 if m names an extension twice.
 */
int
wire_ltep_encode(struct buf *b, const struct wire_ltep *l)
{
	struct wire_ltep_ext	m[WIRE_LTEP_MAX_EXT];
	struct benc_writer	w;
	size_t			i, start = b->len;

	memcpy(m, l->m, l->nm * sizeof m[0]);
	qsort(m, l->nm, sizeof m[0], wire_ltep_ext_cmp);

	benc_writer_init(&w, b);
	benc_open_dict(&w);
	benc_put_key(&w, "m");
	benc_open_dict(&w);
	for (i = 0; i < l->nm; i++) {
		benc_put_key(&w, m[i].name);
		benc_put_int(&w, m[i].id);
	}
	benc_close(&w);
	if (l->metadata_size != 0) {
		benc_put_key(&w, "metadata_size");
		benc_put_int(&w, (int64_t)l->metadata_size);
	}
	if (l->port != 0) {
		benc_put_key(&w, "p");
		benc_put_int(&w, l->port);
	}
	if (l->reqq != 0) {
		benc_put_key(&w, "reqq");
		benc_put_int(&w, l->reqq);
	}
	if (l->swarm_open) {
		benc_put_key(&w, "sh_open");
		benc_put_int(&w, 1);
	}
	if (l->site[0] != '\0') {
		benc_put_key(&w, "sh_site");
		benc_put_cstr(&w, l->site);
	}
	if (l->nswarm > 0) {
		benc_put_key(&w, "sh_swarm");
		benc_put_str(&w, l->swarm, l->nswarm * 32);
	}
	if (l->upload_only) {
		benc_put_key(&w, "upload_only");
		benc_put_int(&w, 1);
	}
	if (l->client[0] != '\0') {
		benc_put_key(&w, "v");
		benc_put_cstr(&w, l->client);
	}
	if (l->yourip_len == 4 || l->yourip_len == 16) {
		benc_put_key(&w, "yourip");
		benc_put_str(&w, l->yourip, l->yourip_len);
	}
	benc_close(&w);
	if (benc_writer_finish(&w) != 0) {
		b->len = start;
		return (-1);
	}
	return (0);
}

/* Decode a bencoded extension payload that must be a dictionary. */
static int
wire_decode_dict(struct benc_doc *doc, const uint8_t *p, size_t len,
    int flags, const char *what, char **cause)
{
	char	*why = NULL;

	if (benc_decode(doc, p, len, &wire_benc_limits, flags, &why) != 0) {
		xfail(cause, "%s is not valid bencode (%s)", what, why);
		free(why);
		return (-1);
	}
	if (benc_root(doc)->type != BENC_DICT) {
		benc_doc_free(doc);
		return (xfail(cause, "%s is not a dictionary", what));
	}
	return (0);
}

/* An integer value in [lo, hi], or -1 if v is absent or not one. */
static int
wire_dict_int(const struct benc *d, const char *key, int64_t lo, int64_t hi,
    int64_t *out)
{
	const struct benc	*v = benc_dict_get_type(d, key, BENC_INT);

	if (v == NULL || v->i < lo || v->i > hi)
		return (-1);
	*out = v->i;
	return (0);
}

/*
 * Decode an extended handshake. Anything but a bencoded dictionary is an
 * error; inside it, unknown keys, keys of the wrong type and out-of-range
 * values are ignored, as BEP 10 asks.
 */
int
wire_ltep_decode(const uint8_t *p, size_t len, struct wire_ltep *l,
    char **cause)
{
	struct benc_doc		 doc;
	const struct benc	*d, *m, *k, *v;
	int64_t			 i;
	uint32_t		 j;
	size_t			 n;

	wire_ltep_init(l);
	if (wire_decode_dict(&doc, p, len, BENC_LENIENT,
	    "extended handshake", cause) != 0)
		return (-1);
	d = benc_root(&doc);

	m = benc_dict_get_type(d, "m", BENC_DICT);
	k = benc_first(m);
	for (j = 0; m != NULL && j < m->count; j++) {
		v = k + 1;
		if (l->nm < WIRE_LTEP_MAX_EXT && v->type == BENC_INT &&
		    v->i >= 0 && v->i <= 255 && k->slen > 0 &&
		    k->slen <= WIRE_LTEP_NAME_MAX &&
		    memchr(k->s, '\0', k->slen) == NULL) {
			memcpy(l->m[l->nm].name, k->s, k->slen);
			l->m[l->nm].name[k->slen] = '\0';
			l->m[l->nm].id = (uint8_t)v->i;
			l->nm++;
		}
		k = benc_next(v);
	}

	if (wire_dict_int(d, "p", 1, 65535, &i) == 0)
		l->port = (uint16_t)i;
	if (wire_dict_int(d, "reqq", 1, UINT32_MAX, &i) == 0)
		l->reqq = (uint32_t)i;
	if (wire_dict_int(d, "metadata_size", 1, INT64_MAX, &i) == 0)
		l->metadata_size = (uint64_t)i;
	if (wire_dict_int(d, "upload_only", INT64_MIN, INT64_MAX, &i) == 0)
		l->upload_only = i != 0;

	/* The client string is shown to people: cut it, and mask controls. */
	if ((v = benc_dict_get_type(d, "v", BENC_STR)) != NULL) {
		n = v->slen < WIRE_LTEP_CLIENT_MAX ? v->slen :
		    WIRE_LTEP_CLIENT_MAX;
		memcpy(l->client, v->s, n);
		l->client[n] = '\0';
		for (j = 0; j < n; j++) {
			if ((uint8_t)l->client[j] < 0x20 ||
			    l->client[j] == 0x7f)
				l->client[j] = '?';
		}
	}

	v = benc_dict_get_type(d, "yourip", BENC_STR);
	if (v != NULL && (v->slen == 4 || v->slen == 16)) {
		memcpy(l->yourip, v->s, v->slen);
		l->yourip_len = v->slen;
	}

	if (wire_dict_int(d, "sh_open", INT64_MIN, INT64_MAX, &i) == 0)
		l->swarm_open = i != 0;
	v = benc_dict_get_type(d, "sh_swarm", BENC_STR);
	if (v != NULL && v->slen % 32 == 0) {
		l->nswarm = v->slen / 32 > WIRE_LTEP_SWARM_MAX ?
		    WIRE_LTEP_SWARM_MAX : v->slen / 32;
		memcpy(l->swarm, v->s, l->nswarm * 32);
	}

	/* A site name is compared, so a cut or odd name is no name. */
	v = benc_dict_get_type(d, "sh_site", BENC_STR);
	if (v != NULL && v->slen <= WIRE_LTEP_SITE_MAX) {
		for (n = 0; n < v->slen; n++) {
			if (v->s[n] < 0x20 || v->s[n] == 0x7f)
				break;
		}
		if (n == v->slen) {
			memcpy(l->site, v->s, v->slen);
			l->site[v->slen] = '\0';
		}
	}

	benc_doc_free(&doc);
	return (0);
}

static void
wire_metadata_head(struct buf *b, int64_t type, uint32_t piece)
{
	struct benc_writer	w;

	benc_writer_init(&w, b);
	benc_open_dict(&w);
	benc_put_key(&w, "msg_type");
	benc_put_int(&w, type);
	benc_put_key(&w, "piece");
	benc_put_int(&w, piece);
	benc_close(&w);
}

/* Append a ut_metadata request payload for one 16 KiB piece. */
void
wire_metadata_encode_request(struct buf *b, uint32_t piece)
{
	wire_metadata_head(b, WIRE_METADATA_REQUEST, piece);
}

/*
 * Append a ut_metadata data payload: the dictionary, then the piece's raw
 * bytes (16 KiB, or what is left of the info dict for the last piece).
 */
void
wire_metadata_encode_data(struct buf *b, uint32_t piece, uint64_t total_size,
    const uint8_t *data, size_t len)
{
	struct benc_writer	w;

	benc_writer_init(&w, b);
	benc_open_dict(&w);
	benc_put_key(&w, "msg_type");
	benc_put_int(&w, WIRE_METADATA_DATA);
	benc_put_key(&w, "piece");
	benc_put_int(&w, piece);
	benc_put_key(&w, "total_size");
	benc_put_int(&w, (int64_t)total_size);
	benc_close(&w);
	buf_add(b, data, len);
}

/* Append a ut_metadata reject payload. */
void
wire_metadata_encode_reject(struct buf *b, uint32_t piece)
{
	wire_metadata_head(b, WIRE_METADATA_REJECT, piece);
}

/*
 * Decode a ut_metadata payload. A data message must carry a total_size
 * within WIRE_METADATA_MAX and exactly the bytes its piece holds; data
 * points at them. Unknown msg_type values are returned for the caller to
 * ignore. Returns 0, or -1 with *cause.
 */
int
wire_metadata_decode(const uint8_t *p, size_t len, struct wire_metadata *md,
    char **cause)
{
	struct benc_doc		 doc;
	const struct benc	*d;
	int64_t			 i;
	uint64_t		 off, want;
	int			 known;

	memset(md, 0, sizeof *md);
	if (wire_decode_dict(&doc, p, len, BENC_ALLOW_TRAILING | BENC_LENIENT,
	    "ut_metadata message", cause) != 0)
		return (-1);
	d = benc_root(&doc);
	if (wire_dict_int(d, "msg_type", INT64_MIN, INT64_MAX, &i) != 0) {
		benc_doc_free(&doc);
		return (xfail(cause, "ut_metadata message has no "
		    "msg_type"));
	}
	md->msg_type = i;
	known = i == WIRE_METADATA_REQUEST || i == WIRE_METADATA_DATA ||
	    i == WIRE_METADATA_REJECT;
	if (wire_dict_int(d, "piece", 0, UINT32_MAX, &i) == 0)
		md->piece = (uint32_t)i;
	else if (known) {
		benc_doc_free(&doc);
		return (xfail(cause, "ut_metadata message has no valid "
		    "piece"));
	}
	md->data_off = doc.consumed;
	md->data = p + doc.consumed;
	md->data_len = len - doc.consumed;
	if (md->msg_type == WIRE_METADATA_DATA) {
		if (wire_dict_int(d, "total_size", 1, WIRE_METADATA_MAX,
		    &i) != 0) {
			benc_doc_free(&doc);
			return (xfail(cause, "ut_metadata data has no "
			    "total_size between 1 and %d bytes",
			    WIRE_METADATA_MAX));
		}
		md->total_size = (uint64_t)i;
		off = (uint64_t)md->piece * WIRE_METADATA_PIECE;
		if (off >= md->total_size) {
			benc_doc_free(&doc);
			return (xfail(cause, "ut_metadata data piece %u "
			    "is past the end of %llu bytes", md->piece,
			    (unsigned long long)md->total_size));
		}
		want = md->total_size - off;
		if (want > WIRE_METADATA_PIECE)
			want = WIRE_METADATA_PIECE;
		if (md->data_len != want) {
			benc_doc_free(&doc);
			return (xfail(cause, "ut_metadata data piece %u "
			    "carries %zu bytes, not %llu", md->piece,
			    md->data_len, (unsigned long long)want));
		}
	} else if (known && md->data_len != 0) {
		benc_doc_free(&doc);
		return (xfail(cause, "ut_metadata %s has trailing bytes",
		    md->msg_type == WIRE_METADATA_REQUEST ? "request" :
		    "reject"));
	}
	benc_doc_free(&doc);
	return (0);
}

static void
wire_pex_put_list(struct benc_writer *w, const char *key,
    const struct wire_pex_peer *peers, size_t n, uint8_t ip_len, int flags)
{
	struct buf	l;
	size_t		i;

	buf_init(&l);
	for (i = 0; i < n; i++) {
		if (peers[i].ip_len != ip_len)
			continue;
		if (flags)
			buf_add_byte(&l, peers[i].flags);
		else {
			buf_add(&l, peers[i].ip, ip_len);
			wire_put_u16(&l, peers[i].port);
		}
	}
	benc_put_key(w, key);
	benc_put_str(w, l.data, l.len);
	buf_destroy(&l);
}

/*
 * Append a ut_pex payload. All six lists are written, empty or not, as
 * libtorrent does. Returns -1 if a peer's address is neither 4 nor 16
 * bytes.
 */
int
wire_pex_encode(struct buf *b, const struct wire_pex *x)
{
	struct benc_writer	w;
	size_t			i;

	for (i = 0; i < x->nadded; i++) {
		if (x->added[i].ip_len != 4 && x->added[i].ip_len != 16)
			return (-1);
	}
	for (i = 0; i < x->ndropped; i++) {
		if (x->dropped[i].ip_len != 4 && x->dropped[i].ip_len != 16)
			return (-1);
	}
	benc_writer_init(&w, b);
	benc_open_dict(&w);
	wire_pex_put_list(&w, "added", x->added, x->nadded, 4, 0);
	wire_pex_put_list(&w, "added.f", x->added, x->nadded, 4, 1);
	wire_pex_put_list(&w, "added6", x->added, x->nadded, 16, 0);
	wire_pex_put_list(&w, "added6.f", x->added, x->nadded, 16, 1);
	wire_pex_put_list(&w, "dropped", x->dropped, x->ndropped, 4, 0);
	wire_pex_put_list(&w, "dropped6", x->dropped, x->ndropped, 16, 0);
	benc_close(&w);
	return (benc_writer_finish(&w));
}

/*
 * Take the compact entries of one list (ip_len + 2 bytes each) into
 * peers, up to WIRE_PEX_MAX in all; a partial entry at the end and
 * entries with port 0 are ignored.
 */
static void
wire_pex_get_list(const struct benc *d, const char *key, const char *fkey,
    uint8_t ip_len, struct wire_pex_peer *peers, size_t *n)
{
	const struct benc	*v, *f;
	size_t			 i, count, stride = ip_len + 2u;

	v = benc_dict_get_type(d, key, BENC_STR);
	if (v == NULL)
		return;
	f = fkey == NULL ? NULL : benc_dict_get_type(d, fkey, BENC_STR);
	count = v->slen / stride;
	for (i = 0; i < count && *n < WIRE_PEX_MAX; i++) {
		const uint8_t		*e = v->s + i * stride;
		struct wire_pex_peer	*pp = &peers[*n];

		if (e[ip_len] == 0 && e[ip_len + 1] == 0)
			continue;
		memset(pp, 0, sizeof *pp);
		memcpy(pp->ip, e, ip_len);
		pp->ip_len = ip_len;
		pp->port = (uint16_t)(e[ip_len] << 8 | e[ip_len + 1]);
		if (f != NULL && i < f->slen)
			pp->flags = f->s[i];
		(*n)++;
	}
}

/*
 * Decode a ut_pex payload into x. Only a payload that is not a bencoded
 * dictionary is an error; missing lists are empty, and peers beyond
 * WIRE_PEX_MAX per direction are ignored.
 */
int
wire_pex_decode(const uint8_t *p, size_t len, struct wire_pex *x,
    char **cause)
{
	struct benc_doc		 doc;
	const struct benc	*d;

	x->nadded = x->ndropped = 0;
	if (wire_decode_dict(&doc, p, len, BENC_LENIENT, "ut_pex message",
	    cause) != 0)
		return (-1);
	d = benc_root(&doc);
	wire_pex_get_list(d, "added", "added.f", 4, x->added, &x->nadded);
	wire_pex_get_list(d, "added6", "added6.f", 16, x->added, &x->nadded);
	wire_pex_get_list(d, "dropped", NULL, 4, x->dropped, &x->ndropped);
	wire_pex_get_list(d, "dropped6", NULL, 16, x->dropped, &x->ndropped);
	benc_doc_free(&doc);
	return (0);
}
