/*
 * The peer wire codec: exact bytes from the BEP tables, every encoder
 * through the parser, every truncation point, the refusals (oversize,
 * wrong fixed lengths, big pieces), unknown ids, the BEP 6 allowed-fast
 * vector, LTEP, ut_metadata and ut_pex payloads, and the BEP 52 merkle
 * proofs (merkle_tree_proof and merkle_proof_verify) behind hash messages.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "buf.h"
#include "merkle.h"
#include "sha.h"
#include "wire.h"

/* A label for one check; each CHECK_MSG prints it at once. */
static const char *
label(const char *fmt, ...)
{
	static char	buf[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return (buf);
}

/* 1 if b holds exactly the len bytes of want. */
static int
bytes_eq(const struct buf *b, const void *want, size_t len)
{
	return (b->len == len && memcmp(b->data, want, len) == 0);
}

/* Parse p (len bytes) expecting -1 and a cause containing what. */
static void
expect_refused(const char *name, const uint8_t *p, size_t len,
    size_t max_len, const char *what)
{
	struct wire_msg	 m;
	char		*cause = NULL;
	ssize_t		 r;

	r = wire_parse(p, len, max_len, &m, &cause);
	CHECK_MSG(r == -1, label("%s: refused", name));
	CHECK_MSG(cause != NULL && strstr(cause, what) != NULL,
	    label("%s: cause names \"%s\"", name, what));
	if (cause != NULL && strstr(cause, what) == NULL)
		printf("# cause was: %s\n", cause);
	free(cause);
}

static void
test_handshake(void)
{
	struct wire_handshake	hs, out;
	struct buf		b;
	uint8_t			want[68];
	char			*cause = NULL;
	size_t			i;
	int			ok;

	memset(&hs, 0, sizeof hs);
	wire_reserved_set(hs.reserved, WIRE_FEATURE_LTEP);
	wire_reserved_set(hs.reserved, WIRE_FEATURE_FAST);
	wire_reserved_set(hs.reserved, WIRE_FEATURE_V2);
	memset(hs.info_hash, 0xaa, sizeof hs.info_hash);
	memcpy(hs.peer_id, "-SH0001-abcdefghijkl", 20);

	/* What libtorrent sends on a hybrid as v1 is ...00 10 00 15 with
	 * DHT; without DHT the last byte is 0x14. */
	want[0] = 19;
	memcpy(want + 1, "BitTorrent protocol", 19);
	memcpy(want + 20, "\0\0\0\0\0\x10\0\x14", 8);
	memset(want + 28, 0xaa, 20);
	memcpy(want + 48, "-SH0001-abcdefghijkl", 20);
	buf_init(&b);
	wire_put_handshake(&b, &hs);
	CHECK_MSG(bytes_eq(&b, want, sizeof want),
	    "handshake: 68 bytes laid out as BEP 3 says");

	CHECK(wire_reserved_has(hs.reserved, WIRE_FEATURE_LTEP));
	CHECK(wire_reserved_has(hs.reserved, WIRE_FEATURE_FAST));
	CHECK(wire_reserved_has(hs.reserved, WIRE_FEATURE_V2));
	CHECK(!wire_reserved_has(hs.reserved, WIRE_FEATURE_DHT));
	wire_reserved_set(hs.reserved, WIRE_FEATURE_DHT);
	CHECK_INT(hs.reserved[7], 0x15);
	CHECK_INT(hs.reserved[5], 0x10);

	/* libtorrent's v2 answer: 00 00 00 00 00 10 00 05, no upgrade bit. */
	memcpy(out.reserved, "\0\0\0\0\0\x10\0\x05", 8);
	CHECK(wire_reserved_has(out.reserved, WIRE_FEATURE_LTEP) &&
	    wire_reserved_has(out.reserved, WIRE_FEATURE_FAST) &&
	    wire_reserved_has(out.reserved, WIRE_FEATURE_DHT) &&
	    !wire_reserved_has(out.reserved, WIRE_FEATURE_V2));

	ok = 1;
	for (i = 0; i < 68; i++) {
		if (wire_parse_handshake(b.data, i, &out, &cause) != 0)
			ok = 0;
	}
	CHECK_MSG(ok, "handshake: every prefix asks for more");
	memset(&out, 0, sizeof out);
	CHECK_INT(wire_parse_handshake(b.data, b.len, &out, &cause), 68);
	CHECK_MSG(memcmp(out.reserved, want + 20, 8) == 0 &&
	    memcmp(out.info_hash, want + 28, 20) == 0 &&
	    memcmp(out.peer_id, want + 48, 20) == 0,
	    "handshake: reserved, info-hash and peer id decoded");

	/* With messages behind it, only the 68 bytes are taken. */
	wire_put_interested(&b);
	CHECK_INT(wire_parse_handshake(b.data, b.len, &out, &cause), 68);

	/* Refused as soon as the bytes show it is not BitTorrent. */
	CHECK_INT(wire_parse_handshake((const uint8_t *)"\x16\x03\x01", 3,
	    &out, &cause), -1);
	CHECK_MSG(cause != NULL && strstr(cause, "length 22") != NULL,
	    "handshake: a TLS record is refused at its first byte");
	free(cause);
	cause = NULL;
	CHECK_INT(wire_parse_handshake((const uint8_t *)"\x13" "BitTorrent pX",
	    14, &out, &cause), -1);
	CHECK_MSG(cause != NULL && strstr(cause, "BitTorrent protocol") !=
	    NULL, "handshake: a wrong protocol name is refused early");
	free(cause);
	cause = NULL;
	CHECK_INT(wire_parse_handshake((const uint8_t *)"\x13" "Bit", 4, &out,
	    &cause), 0);
	buf_destroy(&b);
}

/* Exact bytes for messages written out from the BEP tables. */
static void
test_layouts(void)
{
	struct wire_hash_req	h;
	struct buf		b;
	uint8_t			want[64];
	size_t			i;

	buf_init(&b);
	wire_put_keepalive(&b);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\0", 4), "keep-alive is 00 00 00 00");
	buf_reset(&b);
	wire_put_choke(&b);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\x01\x00", 5), "choke is len 1 id 0");
	buf_reset(&b);
	wire_put_not_interested(&b);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\x01\x03", 5),
	    "not interested is len 1 id 3");
	buf_reset(&b);
	wire_put_have(&b, 0x12345678);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\x05\x04\x12\x34\x56\x78", 9),
	    "have is len 5 id 4 u32 index");
	buf_reset(&b);
	wire_put_request(&b, 1, 0x4000, 0x4000);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\x0d\x06\0\0\0\x01\0\0\x40\0\0\0\x40\0",
	    17), "request is len 13 id 6 index begin length");
	buf_reset(&b);
	wire_put_piece(&b, 2, 0x8000, (const uint8_t *)"xyz", 3);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\x0c\x07\0\0\0\x02\0\0\x80\0xyz", 16),
	    "piece is len 9+n id 7 index begin block");
	buf_reset(&b);
	wire_put_cancel(&b, 3, 0, 100);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\x0d\x08\0\0\0\x03\0\0\0\0\0\0\0\x64",
	    17), "cancel is len 13 id 8");
	buf_reset(&b);
	wire_put_port(&b, 6881);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\x03\x09\x1a\xe1", 7),
	    "port is len 3 id 9 u16 port");
	buf_reset(&b);
	wire_put_have_all(&b);
	wire_put_have_none(&b);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\x01\x0e\0\0\0\x01\x0f", 10),
	    "have all and have none are ids 0x0e and 0x0f");
	buf_reset(&b);
	wire_put_reject(&b, 1, 2, 3);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\x0d\x10\0\0\0\x01\0\0\0\x02\0\0\0\x03",
	    17), "reject request is len 13 id 0x10");
	buf_reset(&b);
	wire_put_suggest(&b, 7);
	wire_put_allowed_fast(&b, 9);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\x05\x0d\0\0\0\x07\0\0\0\x05\x11\0\0\0"
	    "\x09", 18), "suggest is id 0x0d and allowed fast 0x11");
	buf_reset(&b);
	wire_put_bitfield(&b, (const uint8_t *)"\xa0", 1);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\x02\x05\xa0", 6),
	    "bitfield is len 1+n id 5");
	buf_reset(&b);
	wire_put_extended(&b, 0, (const uint8_t *)"de", 2);
	CHECK_MSG(bytes_eq(&b, "\0\0\0\x04\x14\x00" "de", 8),
	    "extended is len 2+n id 20 ext-id payload");

	/* BEP 52: root[32] base index length proof_layers, all u32. */
	for (i = 0; i < 32; i++)
		h.pieces_root[i] = (uint8_t)i;
	h.base_layer = 1;
	h.index = 512;
	h.length = 256;
	h.proof_layers = 9;
	memcpy(want, "\0\0\0\x31\x15", 5);
	memcpy(want + 5, h.pieces_root, 32);
	memcpy(want + 37, "\0\0\0\x01\0\0\x02\0\0\0\x01\0\0\0\0\x09", 16);
	buf_reset(&b);
	wire_put_hash_request(&b, &h);
	CHECK_MSG(bytes_eq(&b, want, 53),
	    "hash request is len 49 id 21 root base index length proofs");
	buf_reset(&b);
	wire_put_hash_reject(&b, &h);
	want[4] = 0x17;
	CHECK_MSG(bytes_eq(&b, want, 53), "hash reject is id 23, same body");
	buf_reset(&b);
	wire_put_hashes(&b, &h, (const uint8_t *)"0123456789abcdef"
	    "0123456789abcdef", 1);
	want[3] = 0x51;
	want[4] = 0x16;
	CHECK_MSG(b.len == 85 && memcmp(b.data, want, 53) == 0 &&
	    memcmp(b.data + 53, "0123456789abcdef", 16) == 0,
	    "hashes is len 49+32k id 22, header then hashes");
	buf_destroy(&b);
}

/* One of each message, to check round trips and truncation. */
static size_t
put_all(struct buf *b, size_t *ends)
{
	static const uint8_t	block[16384] = { 1, 2, 3 };
	struct wire_hash_req	h;
	uint8_t			hashes[3 * 32];
	size_t			n = 0;

	memset(&h, 0, sizeof h);
	memset(h.pieces_root, 0x5a, 32);
	h.base_layer = 2;
	h.index = 4;
	h.length = 2;
	h.proof_layers = 3;
	memset(hashes, 0xc3, sizeof hashes);

	wire_put_keepalive(b);
	ends[n++] = b->len;
	wire_put_choke(b);
	ends[n++] = b->len;
	wire_put_unchoke(b);
	ends[n++] = b->len;
	wire_put_interested(b);
	ends[n++] = b->len;
	wire_put_not_interested(b);
	ends[n++] = b->len;
	wire_put_have(b, 41);
	ends[n++] = b->len;
	wire_put_bitfield(b, (const uint8_t *)"\xff\xfe\x80", 3);
	ends[n++] = b->len;
	wire_put_request(b, 5, 16384, 16384);
	ends[n++] = b->len;
	wire_put_piece(b, 5, 16384, block, sizeof block);
	ends[n++] = b->len;
	wire_put_piece_header(b, 6, 0, 3);
	buf_add(b, "abc", 3);
	ends[n++] = b->len;
	wire_put_cancel(b, 5, 16384, 16384);
	ends[n++] = b->len;
	wire_put_port(b, 51413);
	ends[n++] = b->len;
	wire_put_suggest(b, 8);
	ends[n++] = b->len;
	wire_put_have_all(b);
	ends[n++] = b->len;
	wire_put_have_none(b);
	ends[n++] = b->len;
	wire_put_reject(b, 9, 0, 1000);
	ends[n++] = b->len;
	wire_put_allowed_fast(b, 10);
	ends[n++] = b->len;
	wire_put_extended(b, 3, (const uint8_t *)"d1:ai1ee", 8);
	ends[n++] = b->len;
	wire_put_hash_request(b, &h);
	ends[n++] = b->len;
	wire_put_hashes(b, &h, hashes, 3);
	ends[n++] = b->len;
	wire_put_hash_reject(b, &h);
	ends[n++] = b->len;
	return (n);
}

static void
test_round_trip(void)
{
	static const enum wire_msg_type types[] = {
		WIRE_MSG_KEEPALIVE, WIRE_MSG_CHOKE, WIRE_MSG_UNCHOKE,
		WIRE_MSG_INTERESTED, WIRE_MSG_NOT_INTERESTED, WIRE_MSG_HAVE,
		WIRE_MSG_BITFIELD, WIRE_MSG_REQUEST, WIRE_MSG_PIECE,
		WIRE_MSG_PIECE, WIRE_MSG_CANCEL, WIRE_MSG_PORT,
		WIRE_MSG_SUGGEST, WIRE_MSG_HAVE_ALL, WIRE_MSG_HAVE_NONE,
		WIRE_MSG_REJECT, WIRE_MSG_ALLOWED_FAST, WIRE_MSG_EXTENDED,
		WIRE_MSG_HASH_REQUEST, WIRE_MSG_HASHES, WIRE_MSG_HASH_REJECT
	};
	struct wire_msg	 msgs[32], m;
	struct buf	 b;
	size_t		 ends[32], n, i, start, cut, off;
	char		*cause = NULL;
	ssize_t		 r;
	int		 ok;
	uint8_t		 root[32];

	buf_init(&b);
	n = put_all(&b, ends);
	CHECK_INT(n, sizeof types / sizeof types[0]);

	/* Parse the whole stream message by message. */
	off = 0;
	for (i = 0; i < n; i++) {
		r = wire_parse(b.data + off, b.len - off, 0, &msgs[i], &cause);
		CHECK_MSG(r > 0 && off + (size_t)r == ends[i],
		    label("%s: parsed to its end",
		    wire_msg_name(types[i])));
		CHECK_MSG(msgs[i].type == types[i],
		    label("%s: type comes back", wire_msg_name(types[i])));
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	CHECK_INT(off, b.len);
	if (i < n) {
		printf("# stopped at message %zu: %s\n", i, cause);
		free(cause);
		buf_destroy(&b);
		return;
	}

	CHECK_INT(msgs[5].index, 41);
	CHECK(msgs[6].data_len == 3 &&
	    memcmp(msgs[6].data, "\xff\xfe\x80", 3) == 0);
	CHECK(msgs[7].index == 5 && msgs[7].begin == 16384 &&
	    msgs[7].length == 16384);
	CHECK(msgs[8].index == 5 && msgs[8].begin == 16384 &&
	    msgs[8].data_len == 16384 && msgs[8].data[0] == 1 &&
	    msgs[8].data[2] == 3 && msgs[8].data[3] == 0);
	CHECK_MSG(msgs[8].data == b.data + ends[7] + 13,
	    "piece: the block points into the input, not a copy");
	CHECK(msgs[9].index == 6 && msgs[9].begin == 0 &&
	    msgs[9].data_len == 3 && memcmp(msgs[9].data, "abc", 3) == 0);
	CHECK(msgs[10].index == 5 && msgs[10].begin == 16384 &&
	    msgs[10].length == 16384);
	CHECK_INT(msgs[11].port, 51413);
	CHECK_INT(msgs[12].index, 8);
	CHECK(msgs[15].index == 9 && msgs[15].begin == 0 &&
	    msgs[15].length == 1000);
	CHECK_INT(msgs[16].index, 10);
	CHECK(msgs[17].ext_id == 3 && msgs[17].data_len == 8 &&
	    memcmp(msgs[17].data, "d1:ai1ee", 8) == 0);
	memset(root, 0x5a, 32);
	for (i = 18; i <= 20; i++) {
		CHECK_MSG(memcmp(msgs[i].hash.pieces_root, root, 32) == 0 &&
		    msgs[i].hash.base_layer == 2 && msgs[i].hash.index == 4 &&
		    msgs[i].hash.length == 2 &&
		    msgs[i].hash.proof_layers == 3,
		    label("%s: root, base, index, length, proofs",
		    wire_msg_name(msgs[i].type)));
	}
	CHECK(msgs[19].nhashes == 3 && msgs[19].hashes[0] == 0xc3 &&
	    msgs[19].hashes[95] == 0xc3);
	CHECK(msgs[18].nhashes == 0 && msgs[20].nhashes == 0);

	/* Every cut short of a message's end asks for more bytes. */
	ok = 1;
	start = 0;
	for (i = 0; i < n; i++) {
		for (cut = start; cut < ends[i]; cut++) {
			r = wire_parse(b.data + start, cut - start, 0, &m,
			    &cause);
			if (r != 0) {
				printf("# %s cut at %zu of %zu: %zd\n",
				    wire_msg_name(types[i]), cut - start,
				    ends[i] - start, r);
				ok = 0;
			}
		}
		start = ends[i];
	}
	CHECK_MSG(ok, "every truncation of every message returns 0");

	/* And the stream fed one byte at a time parses the same. */
	ok = 1;
	off = 0;
	for (i = 0, cut = 1; cut <= b.len && i < n; cut++) {
		r = wire_parse(b.data + off, cut - off, 0, &m, &cause);
		if (r < 0) {
			ok = 0;
			break;
		}
		if (r > 0) {
			if (m.type != types[i] || off + (size_t)r != ends[i])
				ok = 0;
			off += (size_t)r;
			i++;
		}
	}
	CHECK_MSG(ok && i == n, "byte-at-a-time parse finds every message");
	buf_destroy(&b);
}

static void
test_refusals(void)
{
	static const struct {
		const char	*name;
		uint32_t	 len;
		uint8_t		 id;
		const char	*what;
	} t[] = {
		{ "choke of length 2", 2, 0, "length 2, not 1" },
		{ "unchoke of length 5", 5, 1, "length 5, not 1" },
		{ "interested of length 0x100", 0x100, 2, "not 1" },
		{ "have of length 4", 4, 4, "have message has length 4" },
		{ "have of length 9", 9, 4, "not 5" },
		{ "request of length 12", 12, 6, "request message" },
		{ "request of length 17", 17, 6, "not 13" },
		{ "cancel of length 14", 14, 8, "cancel message" },
		{ "port of length 5", 5, 9, "port message" },
		{ "suggest of length 1", 1, 13, "not 5" },
		{ "have all of length 5", 5, 14, "have all message" },
		{ "have none of length 2", 2, 15, "have none message" },
		{ "reject of length 9", 9, 16, "reject request message" },
		{ "allowed fast of length 13", 13, 17, "allowed fast" },
		{ "piece of length 8", 8, 7, "too short" },
		{ "piece of 16 KiB + 1", 9 + 16385, 7, "block limit" },
		{ "piece of 128 KiB", 9 + 131072, 7, "block limit" },
		{ "extended of length 1", 1, 20, "no extension id" },
		{ "hash request of length 48", 48, 21, "not 49" },
		{ "hash request of length 81", 81, 21, "not 49" },
		{ "hash reject of length 50", 50, 23, "not 49" },
		{ "hashes of length 48", 48, 22, "whole hashes" },
		{ "hashes with a partial hash", 49 + 33, 22, "whole hashes" },
	};
	uint8_t		p[5];
	size_t		i;
	struct wire_msg	m;
	char		*cause = NULL;

	/* Refused from the five header bytes alone: no body needed. */
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		p[0] = t[i].len >> 24;
		p[1] = (t[i].len >> 16) & 0xff;
		p[2] = (t[i].len >> 8) & 0xff;
		p[3] = t[i].len & 0xff;
		p[4] = t[i].id;
		expect_refused(t[i].name, p, 5, 0, t[i].what);
	}

	/* An oversize length is refused from the prefix alone. */
	memcpy(p, "\x00\x10\x00\x32", 4);
	expect_refused("length 1 MiB + 50", p, 4, 0, "over the limit");
	memcpy(p, "\xff\xff\xff\xff", 4);
	expect_refused("length 4 GiB - 1", p, 4, 0, "4294967295");
	memcpy(p, "\x00\x10\x00\x31\x05", 5);
	CHECK_MSG(wire_parse(p, 5, 0, &m, &cause) == 0,
	    "a bitfield of exactly WIRE_MAX_LEN waits for its body");

	/* A caller's own limit, e.g. a bitfield bound by the piece count. */
	memcpy(p, "\x00\x00\x00\x65\x05", 5);
	expect_refused("bitfield over a limit of 100", p, 5, 100,
	    "limit of 100 bytes");
	memcpy(p, "\x00\x00\x00\x64\x05", 5);
	CHECK_MSG(wire_parse(p, 5, 100, &m, &cause) == 0,
	    "a message at exactly the caller's limit is accepted");

	/* The largest legal piece passes. */
	memcpy(p, "\x00\x00\x40\x09\x07", 5);
	CHECK_MSG(wire_parse(p, 5, 0, &m, &cause) == 0,
	    "a 16 KiB piece waits for its body");
}

static void
test_unknown(void)
{
	struct wire_msg	 m;
	struct buf	 b;
	char		*cause = NULL;
	ssize_t		 r;

	buf_init(&b);
	buf_add(&b, "\0\0\0\x04\x42" "abc", 8);
	r = wire_parse(b.data, b.len, 0, &m, &cause);
	CHECK_INT(r, 8);
	CHECK(m.type == WIRE_MSG_UNKNOWN && m.id == 0x42);
	CHECK(m.data_len == 3 && memcmp(m.data, "abc", 3) == 0);
	CHECK_STR(wire_msg_name(m.type), "unknown");

	/* Ids 10-12 (once LTEP's predecessors) and 255 are skipped too. */
	buf_reset(&b);
	buf_add(&b, "\0\0\0\x01\x0a\0\0\0\x02\xff\x00\0\0\0\x01\x01", 16);
	r = wire_parse(b.data, b.len, 0, &m, &cause);
	CHECK(r == 5 && m.type == WIRE_MSG_UNKNOWN && m.id == 10 &&
	    m.data_len == 0);
	r = wire_parse(b.data + 5, b.len - 5, 0, &m, &cause);
	CHECK(r == 6 && m.type == WIRE_MSG_UNKNOWN && m.id == 255 &&
	    m.data_len == 1);
	r = wire_parse(b.data + 11, b.len - 11, 0, &m, &cause);
	CHECK(r == 5 && m.type == WIRE_MSG_UNCHOKE);
	buf_destroy(&b);
}

static void
test_allowed_fast(void)
{
	static const uint32_t	want[] = {
		1059, 431, 808, 1217, 287, 376, 1188, 353, 508
	};
	uint8_t			ih[20];
	uint32_t		out[16], ip = 80u << 24 | 4u << 16 | 4u << 8 |
				    200u;
	unsigned		n, i;

	memset(ih, 0xaa, sizeof ih);
	n = wire_allowed_fast(ip, ih, 1313, 9, out);
	CHECK_INT(n, 9);
	for (i = 0; i < 9; i++)
		CHECK_MSG(out[i] == want[i], label("allowed fast %u is %u",
		    i, want[i]));

	/* Only the /24 counts. */
	n = wire_allowed_fast(ip ^ 0xff, ih, 1313, 7, out);
	CHECK_MSG(n == 7 && memcmp(out, want, 7 * sizeof out[0]) == 0,
	    "allowed fast: k=7 gives the BEP's first seven, any host byte");
	n = wire_allowed_fast(ip ^ 0x100, ih, 1313, 9, out);
	CHECK_MSG(n == 9 && memcmp(out, want, 9 * sizeof out[0]) != 0,
	    "allowed fast: another /24 gets another set");

	/* k beyond the piece count gives every piece once. */
	n = wire_allowed_fast(ip, ih, 3, 10, out);
	CHECK_INT(n, 3);
	CHECK_MSG(out[0] + out[1] + out[2] == 3 && out[0] != out[1] &&
	    out[1] != out[2] && out[0] != out[2],
	    "allowed fast: 3 pieces, k=10: pieces 0, 1, 2");
	CHECK_INT(wire_allowed_fast(ip, ih, 0, 10, out), 0);
}

static void
test_ltep(void)
{
	static const char	ours[] =
	    "d1:md10:sh_versioni3e11:ut_metadatai1e6:ut_pexi2ee"
	    "13:metadata_sizei31337e1:pi6881e4:reqqi500e7:sh_site3:lab"
	    "11:upload_onlyi1e1:v9:shoal/0.1"
	    "6:yourip4:\x7f\x00\x00\x01" "e";
	static const char	libtorrent[] =
	    "d12:complete_agoi-1e1:md11:lt_donthavei7e10:share_modei8e"
	    "11:upload_onlyi3e12:ut_holepunchi4e11:ut_metadatai2e"
	    "6:ut_pexi1ee1:pi6881e4:reqqi2000e1:v18:libtorrent/2.0.8.0"
	    "6:yourip4:\x0a\x00\x00\x02" "e";
	static const char	junk[] =
	    "d1:ali1ei2eld1:xleeee1:md"
	    "3:badi300e3:negi-1e3:strl1:xe11:ut_metadatai9ee"
	    "1:pi70000e4:reqqi-5e7:sh_site3:a\x01" "b1:v5:ab\ncd"
	    "3:zzzd1:qi1ee6:yourip5:12345e";
	struct wire_ltep	 l, r, u;
	struct buf		 b;
	char			*cause = NULL;
	char			 name[16];
	size_t			 i;

	wire_ltep_init(&l);
	/* Given out of order: the encoder sorts m. */
	CHECK_INT(wire_ltep_set(&l, WIRE_EXT_UT_PEX, WIRE_EXT_ID_UT_PEX), 0);
	CHECK_INT(wire_ltep_set(&l, WIRE_EXT_SH_VERSION,
	    WIRE_EXT_ID_SH_VERSION), 0);
	CHECK_INT(wire_ltep_set(&l, WIRE_EXT_UT_METADATA,
	    WIRE_EXT_ID_UT_METADATA), 0);
	l.port = 6881;
	l.reqq = 500;
	l.metadata_size = 31337;
	l.upload_only = 1;
	memcpy(l.client, "shoal/0.1", 10);
	memcpy(l.site, "lab", 4);
	memcpy(l.yourip, "\x7f\x00\x00\x01", 4);
	l.yourip_len = 4;
	buf_init(&b);
	CHECK_INT(wire_ltep_encode(&b, &l), 0);
	CHECK_MSG(bytes_eq(&b, ours, sizeof ours - 1),
	    "ltep: canonical bytes, keys sorted, m sorted");
	if (!bytes_eq(&b, ours, sizeof ours - 1))
		printf("# got %s\n", buf_cstr(&b));

	CHECK_INT(wire_ltep_decode(b.data, b.len, &r, &cause), 0);
	CHECK(r.nm == 3 && wire_ltep_id(&r, "ut_metadata") == 1 &&
	    wire_ltep_id(&r, "ut_pex") == 2 &&
	    wire_ltep_id(&r, "sh_version") == 3);
	CHECK(r.port == 6881 && r.reqq == 500 && r.metadata_size == 31337 &&
	    r.upload_only == 1 && r.yourip_len == 4 &&
	    memcmp(r.yourip, "\x7f\0\0\x01", 4) == 0);
	CHECK_STR(r.client, "shoal/0.1");
	CHECK_STR(r.site, "lab");

	/* An empty handshake is just "d1:mdee". */
	wire_ltep_init(&l);
	buf_reset(&b);
	CHECK_INT(wire_ltep_encode(&b, &l), 0);
	CHECK_MSG(bytes_eq(&b, "d1:mdee", 7), "ltep: empty is d1:mdee");

	/* What libtorrent 2.0.8 sends. */
	CHECK_INT(wire_ltep_decode((const uint8_t *)libtorrent,
	    sizeof libtorrent - 1, &r, &cause), 0);
	CHECK(r.nm == 6 && wire_ltep_id(&r, "ut_metadata") == 2 &&
	    wire_ltep_id(&r, "ut_pex") == 1 &&
	    wire_ltep_id(&r, "lt_donthave") == 7 &&
	    wire_ltep_id(&r, "sh_version") == 0);
	CHECK(r.port == 6881 && r.reqq == 2000 && r.metadata_size == 0 &&
	    r.upload_only == 0 && r.site[0] == '\0');
	CHECK_STR(r.client, "libtorrent/2.0.8.0");
	CHECK(r.yourip_len == 4 && memcmp(r.yourip, "\x0a\0\0\x02", 4) == 0);

	/* Junk keys, wrong types and bad values are ignored, not fatal. */
	CHECK_INT(wire_ltep_decode((const uint8_t *)junk, sizeof junk - 1, &r,
	    &cause), 0);
	if (cause != NULL)
		printf("# %s\n", cause);
	CHECK_MSG(r.nm == 1 && wire_ltep_id(&r, "ut_metadata") == 9,
	    "ltep junk: only the valid m entry is kept");
	CHECK_MSG(r.port == 0 && r.reqq == 0 && r.yourip_len == 0,
	    "ltep junk: out-of-range p, negative reqq, 5-byte yourip ignored");
	CHECK_MSG(r.site[0] == '\0', "ltep junk: a site with a control "
	    "character is ignored");
	CHECK_STR(r.client, "ab?cd");

	/* Unsorted keys, as an old client might send, are accepted. */
	CHECK_INT(wire_ltep_decode((const uint8_t *)"d1:pi1e1:md1:xi1eee", 19,
	    &r, &cause), 0);
	CHECK(r.port == 1 && wire_ltep_id(&r, "x") == 1);

	/* Missing everything is fine; a non-dict or bad bencode is not. */
	CHECK_INT(wire_ltep_decode((const uint8_t *)"de", 2, &r, &cause), 0);
	CHECK(r.nm == 0 && r.port == 0);
	CHECK_INT(wire_ltep_decode((const uint8_t *)"li1ee", 5, &r, &cause),
	    -1);
	CHECK_MSG(cause != NULL && strstr(cause, "not a dictionary") != NULL,
	    "ltep: a list is refused as not a dictionary");
	free(cause);
	cause = NULL;
	CHECK_INT(wire_ltep_decode((const uint8_t *)"d1:pi1e", 7, &r, &cause),
	    -1);
	CHECK_MSG(cause != NULL && strstr(cause, "extended handshake is not "
	    "valid bencode") != NULL, "ltep: truncated bencode is refused");
	free(cause);
	cause = NULL;

	/* m is bounded: 100 names, the first 64 kept. */
	buf_reset(&b);
	buf_add_str(&b, "d1:md");
	for (i = 0; i < 100; i++)
		buf_addf(&b, "4:x%03zui%zue", i, i % 200 + 1);
	buf_add_str(&b, "ee");
	CHECK_INT(wire_ltep_decode(b.data, b.len, &r, &cause), 0);
	CHECK_INT(r.nm, WIRE_LTEP_MAX_EXT);
	CHECK(wire_ltep_id(&r, "x063") == 64 && wire_ltep_id(&r, "x064") == 0);

	/* Our own table is bounded too, and names are bounded. */
	wire_ltep_init(&l);
	for (i = 0; i < WIRE_LTEP_MAX_EXT; i++) {
		snprintf(name, sizeof name, "e%zu", i);
		wire_ltep_set(&l, name, 1);
	}
	CHECK_INT(wire_ltep_set(&l, "one_more", 1), -1);
	CHECK_INT(wire_ltep_set(&l, "e0", 0), 0);
	CHECK_INT(wire_ltep_id(&l, "e0"), 0);
	CHECK_INT(wire_ltep_set(&l, "", 1), -1);

	/* A resent handshake adds to m and replaces what it carries. */
	wire_ltep_init(&r);
	wire_ltep_set(&r, "ut_pex", 1);
	wire_ltep_set(&r, "ut_metadata", 2);
	r.port = 1000;
	r.reqq = 250;
	wire_ltep_init(&u);
	wire_ltep_set(&u, "ut_pex", 0);
	wire_ltep_set(&u, "sh_version", 5);
	u.reqq = 500;
	wire_ltep_merge(&r, &u);
	CHECK_MSG(wire_ltep_id(&r, "ut_pex") == 0 &&
	    wire_ltep_id(&r, "ut_metadata") == 2 &&
	    wire_ltep_id(&r, "sh_version") == 5,
	    "ltep merge: m is additive, 0 disables");
	CHECK(r.port == 1000 && r.reqq == 500);
	buf_destroy(&b);
}

static void
test_metadata(void)
{
	static const char	 head[] =
	    "d8:msg_typei1e5:piecei1e10:total_sizei16484ee";
	struct wire_metadata	 md;
	struct buf		 b;
	uint8_t			 piece[16384];
	char			*cause = NULL;
	size_t			 i;

	buf_init(&b);
	wire_metadata_encode_request(&b, 0);
	CHECK_MSG(bytes_eq(&b, "d8:msg_typei0e5:piecei0ee", 25),
	    "ut_metadata request is d8:msg_typei0e5:piecei0ee");
	CHECK_INT(wire_metadata_decode(b.data, b.len, &md, &cause), 0);
	CHECK(md.msg_type == WIRE_METADATA_REQUEST && md.piece == 0 &&
	    md.data_len == 0);

	buf_reset(&b);
	wire_metadata_encode_reject(&b, 1);
	CHECK_MSG(bytes_eq(&b, "d8:msg_typei2e5:piecei1ee", 25),
	    "ut_metadata reject has msg_type 2 (not the BEP example's 1)");
	CHECK_INT(wire_metadata_decode(b.data, b.len, &md, &cause), 0);
	CHECK(md.msg_type == WIRE_METADATA_REJECT && md.piece == 1);

	/* Data: a dict, then the raw bytes of the piece. */
	for (i = 0; i < sizeof piece; i++)
		piece[i] = (uint8_t)(i * 7);
	buf_reset(&b);
	wire_metadata_encode_data(&b, 1, 16384 + 100, piece, 100);
	CHECK_MSG(b.len == sizeof head - 1 + 100 &&
	    memcmp(b.data, head, sizeof head - 1) == 0,
	    "ut_metadata data: dict then raw bytes");
	CHECK_INT(wire_metadata_decode(b.data, b.len, &md, &cause), 0);
	CHECK(md.msg_type == WIRE_METADATA_DATA && md.piece == 1 &&
	    md.total_size == 16484);
	CHECK_MSG(md.data_off == sizeof head - 1 &&
	    md.data == b.data + sizeof head - 1 &&
	    md.data_len == 100 && memcmp(md.data, piece, 100) == 0,
	    "ut_metadata data: the raw bytes are found after the dict");

	/* A full first piece, with bytes that look like bencode. */
	buf_reset(&b);
	piece[0] = 'd';
	piece[1] = 'e';
	wire_metadata_encode_data(&b, 0, 40000, piece, 16384);
	CHECK_INT(wire_metadata_decode(b.data, b.len, &md, &cause), 0);
	CHECK(md.data_len == 16384 && md.data[0] == 'd' && md.data[1] == 'e');

	/* Wrong sizes for the piece are refused. */
	buf_reset(&b);
	wire_metadata_encode_data(&b, 0, 40000, piece, 16383);
	CHECK_INT(wire_metadata_decode(b.data, b.len, &md, &cause), -1);
	CHECK_MSG(cause != NULL && strstr(cause, "carries 16383 bytes, not "
	    "16384") != NULL, "ut_metadata: a short middle piece is refused");
	free(cause);
	cause = NULL;
	buf_reset(&b);
	wire_metadata_encode_data(&b, 3, 40000, piece, 10);
	CHECK_INT(wire_metadata_decode(b.data, b.len, &md, &cause), -1);
	CHECK_MSG(cause != NULL && strstr(cause, "past the end") != NULL,
	    "ut_metadata: a piece past total_size is refused");
	free(cause);
	cause = NULL;
	buf_reset(&b);
	wire_metadata_encode_data(&b, 0, 31 * 1024 * 1024, piece, 16384);
	CHECK_INT(wire_metadata_decode(b.data, b.len, &md, &cause), -1);
	CHECK_MSG(cause != NULL && strstr(cause, "total_size") != NULL,
	    "ut_metadata: total_size over 30 MiB is refused");
	free(cause);
	cause = NULL;

	/* Trailing bytes only belong to data. */
	CHECK_INT(wire_metadata_decode((const uint8_t *)
	    "d8:msg_typei0e5:piecei0eexx", 27, &md, &cause), -1);
	CHECK_MSG(cause != NULL && strstr(cause, "request has trailing") !=
	    NULL, "ut_metadata: a request with trailing bytes is refused");
	free(cause);
	cause = NULL;
	CHECK_INT(wire_metadata_decode((const uint8_t *)
	    "d8:msg_typei0ee", 15, &md, &cause), -1);
	CHECK_MSG(cause != NULL && strstr(cause, "no valid piece") != NULL,
	    "ut_metadata: a request without a piece is refused");
	free(cause);
	cause = NULL;
	CHECK_INT(wire_metadata_decode((const uint8_t *)
	    "d5:piecei0ee", 12, &md, &cause), -1);
	CHECK_MSG(cause != NULL && strstr(cause, "no msg_type") != NULL,
	    "ut_metadata: a message without msg_type is refused");
	free(cause);
	cause = NULL;

	/* Unknown types come back for the caller to ignore. */
	CHECK_INT(wire_metadata_decode((const uint8_t *)
	    "d8:msg_typei7ee", 15, &md, &cause), 0);
	CHECK_INT(md.msg_type, 7);
	buf_destroy(&b);
}

static void
test_pex(void)
{
	static const char	want[] =
	    "d5:added12:\x0a\0\0\x01\x1a\xe1\x0a\0\0\x02\x1a\xe2"
	    "7:added.f2:\x10\x02"
	    "6:added618:\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01\x04\x00"
	    "8:added6.f1:\x05"
	    "7:dropped6:\xc0\xa8\x01\x01\0\x50"
	    "8:dropped60:e";
	/* One good entry, one with port 0, and three stray bytes. */
	static const char	odd[] =
	    "d5:added15:\x01\x02\x03\x04\0\x50\x05\x06\x07\x08\0\0"
	    "\x09\x09\x09" "8:dropped60:e";
	struct wire_pex		*x, *y;
	struct buf		 b;
	char			*cause = NULL;
	size_t			 i;

	x = calloc(1, sizeof *x);
	y = calloc(1, sizeof *y);
	memcpy(x->added[0].ip, "\x0a\0\0\x01", 4);
	x->added[0].ip_len = 4;
	x->added[0].port = 6881;
	x->added[0].flags = WIRE_PEX_REACHABLE;
	memcpy(x->added[1].ip, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01",
	    16);
	x->added[1].ip_len = 16;
	x->added[1].port = 1024;
	x->added[1].flags = WIRE_PEX_ENCRYPTION | WIRE_PEX_UTP;
	memcpy(x->added[2].ip, "\x0a\0\0\x02", 4);
	x->added[2].ip_len = 4;
	x->added[2].port = 6882;
	x->added[2].flags = WIRE_PEX_SEED;
	x->nadded = 3;
	memcpy(x->dropped[0].ip, "\xc0\xa8\x01\x01", 4);
	x->dropped[0].ip_len = 4;
	x->dropped[0].port = 80;
	x->ndropped = 1;

	buf_init(&b);
	CHECK_INT(wire_pex_encode(&b, x), 0);
	CHECK_MSG(bytes_eq(&b, want, sizeof want - 1),
	    "pex: compact lists and flags, all six keys in order");

	CHECK_INT(wire_pex_decode(b.data, b.len, y, &cause), 0);
	CHECK_INT(y->nadded, 3);
	CHECK_INT(y->ndropped, 1);
	/* v4 come first, then v6. */
	CHECK(y->added[0].ip_len == 4 && y->added[0].port == 6881 &&
	    y->added[0].flags == WIRE_PEX_REACHABLE &&
	    memcmp(y->added[0].ip, "\x0a\0\0\x01", 4) == 0);
	CHECK(y->added[1].ip_len == 4 && y->added[1].port == 6882 &&
	    y->added[1].flags == WIRE_PEX_SEED);
	CHECK(y->added[2].ip_len == 16 && y->added[2].port == 1024 &&
	    y->added[2].flags == (WIRE_PEX_ENCRYPTION | WIRE_PEX_UTP) &&
	    memcmp(y->added[2].ip, x->added[1].ip, 16) == 0);
	CHECK(y->dropped[0].ip_len == 4 && y->dropped[0].port == 80 &&
	    memcmp(y->dropped[0].ip, "\xc0\xa8\x01\x01", 4) == 0);

	/* Tolerant: missing flags, a partial entry, a port-0 entry. */
	CHECK_INT(wire_pex_decode((const uint8_t *)odd, sizeof odd - 1, y,
	    &cause), 0);
	CHECK_MSG(y->nadded == 1 && y->added[0].port == 80 &&
	    y->added[0].flags == 0 && y->ndropped == 0,
	    "pex: partial and port-0 entries skipped, missing flags are 0");

	/* Bounded: 300 added peers, WIRE_PEX_MAX kept. */
	buf_reset(&b);
	buf_add_str(&b, "d5:added1800:");
	for (i = 0; i < 300; i++) {
		buf_add(&b, "\x0a\x01", 2);
		buf_add_byte(&b, (uint8_t)(i >> 8));
		buf_add_byte(&b, (uint8_t)i);
		buf_add(&b, "\x1a\xe1", 2);
	}
	buf_add_str(&b, "e");
	CHECK_INT(wire_pex_decode(b.data, b.len, y, &cause), 0);
	CHECK_INT(y->nadded, WIRE_PEX_MAX);

	CHECK_INT(wire_pex_decode((const uint8_t *)"i1e", 3, y, &cause), -1);
	CHECK_MSG(cause != NULL && strstr(cause, "ut_pex message is not a "
	    "dictionary") != NULL, "pex: a non-dict payload is refused");
	free(cause);
	cause = NULL;

	x->added[0].ip_len = 6;
	CHECK_INT(wire_pex_encode(&b, x), -1);
	buf_destroy(&b);
	free(x);
	free(y);
}

/* Leaf i of the test file: SHA-256 of its index, as if it were a block. */
static void
leaf(uint32_t i, uint8_t out[32])
{
	uint8_t	p[4];

	p[0] = i >> 24;
	p[1] = (i >> 16) & 0xff;
	p[2] = (i >> 8) & 0xff;
	p[3] = i & 0xff;
	sha256(p, 4, out);
}

/*
 * Build every layer of a 16-leaf tree by hand, independently of
 * merkle_tree_init(), so the proof can be checked hash by hash.
 */
static void
hand_tree(uint8_t layers[5][16][32])
{
	unsigned	l, i, w;

	for (i = 0; i < 16; i++)
		leaf(i, layers[0][i]);
	for (l = 1, w = 8; l <= 4; l++, w /= 2) {
		for (i = 0; i < w; i++)
			sha256_pair(layers[l - 1][2 * i],
			    layers[l - 1][2 * i + 1], layers[l][i]);
	}
}

static void
test_merkle_proofs(void)
{
	static uint8_t		 hand[5][16][32];
	uint8_t			 leaves[16 * 32], want[5 * 32], bad[16 * 32];
	uint8_t			 layer[5 * 32], pad[32], root[32];
	uint8_t			 work[16 * 32], lroot[32];
	struct merkle_tree	 t, pt;
	struct wire_hash_req	 h;
	struct wire_msg		 m;
	struct buf		 b, w;
	char			*cause = NULL;
	size_t			 i;
	int			 ok;

	hand_tree(hand);
	for (i = 0; i < 16; i++)
		memcpy(leaves + 32 * i, hand[0][i], 32);
	buf_init(&b);
	buf_init(&w);

	CHECK_INT(merkle_tree_init(&t, 0, leaves, 16), 0);
	CHECK(t.base == 0 && t.height == 4 && t.width == 16);
	CHECK_MSG(memcmp(merkle_tree_root(&t), hand[4][0], 32) == 0,
	    "merkle tree: root matches a hand-built tree");
	CHECK_INT(merkle_height(16), 4);
	CHECK_INT(merkle_height(9), 4);
	CHECK_INT(merkle_height(1), 0);

	/* PROTOCOL.md B 3.7: base=0 idx=4 cnt=2 proofs=3 gives leaves 4, 5
	 * then uncles (layer 1, node 3), (2, 0), (3, 1). */
	CHECK_INT(merkle_proof_uncles(2, 3), 3);
	CHECK_INT(merkle_tree_proof(&t, 0, 4, 2, 3, &b), 0);
	memcpy(want, hand[0][4], 32);
	memcpy(want + 32, hand[0][5], 32);
	memcpy(want + 64, hand[1][3], 32);
	memcpy(want + 96, hand[2][0], 32);
	memcpy(want + 128, hand[3][1], 32);
	CHECK_MSG(bytes_eq(&b, want, 160),
	    "proof: leaves 4,5 then (1,3), (2,0), (3,1)");
	CHECK_INT(merkle_proof_verify(hand[4][0], 4, 0, 4, 2, 3, b.data, 5,
	    &cause), 0);
	if (cause != NULL)
		printf("# %s\n", cause);

	/* Through the wire: hashes message out, parsed, verified. */
	memcpy(h.pieces_root, hand[4][0], 32);
	h.base_layer = 0;
	h.index = 4;
	h.length = 2;
	h.proof_layers = 3;
	wire_put_hashes(&w, &h, b.data, b.len / 32);
	CHECK_INT(wire_parse(w.data, w.len, 0, &m, &cause), 4 + 49 + 160);
	CHECK(m.type == WIRE_MSG_HASHES && m.nhashes == 5);
	CHECK_INT(merkle_proof_verify(m.hash.pieces_root, 4,
	    m.hash.base_layer, m.hash.index, m.hash.length,
	    m.hash.proof_layers, m.hashes, m.nhashes, &cause), 0);

	/* Each tampered hash, base or uncle, is caught. */
	ok = 1;
	for (i = 0; i < 5; i++) {
		memcpy(bad, b.data, 160);
		bad[32 * i + 7] ^= 1;
		if (merkle_proof_verify(hand[4][0], 4, 0, 4, 2, 3, bad, 5,
		    &cause) != -1 || cause == NULL ||
		    strstr(cause, "do not hash up to the file's root") == NULL)
			ok = 0;
		free(cause);
		cause = NULL;
	}
	CHECK_MSG(ok, "proof: every tampered hash is refused");
	/* Swapped base hashes are caught: order matters. */
	memcpy(bad, b.data + 32, 32);
	memcpy(bad + 32, b.data, 32);
	memcpy(bad + 64, b.data + 64, 96);
	CHECK_INT(merkle_proof_verify(hand[4][0], 4, 0, 4, 2, 3, bad, 5,
	    &cause), -1);
	free(cause);
	cause = NULL;
	/* The right hashes claimed for the wrong index. */
	CHECK_INT(merkle_proof_verify(hand[4][0], 4, 0, 6, 2, 3, b.data, 5,
	    &cause), -1);
	free(cause);
	cause = NULL;
	/* One hash short. */
	CHECK_INT(merkle_proof_verify(hand[4][0], 4, 0, 4, 2, 3, b.data, 4,
	    &cause), -1);
	CHECK_MSG(cause != NULL && strstr(cause, "carries 4 hashes, not 5") !=
	    NULL, "proof: a reply with a missing uncle is refused");
	free(cause);
	cause = NULL;

	/* The root's two children passed off as leaves 0 and 1: they do
	 * hash to the root, but the proof stops at layer 1. */
	memcpy(bad, hand[3][0], 32);
	memcpy(bad + 32, hand[3][1], 32);
	CHECK_INT(merkle_proof_verify(hand[4][0], 4, 0, 0, 2, 0, bad, 2,
	    &cause), -1);
	CHECK_MSG(cause != NULL && strstr(cause, "stops at layer 1") != NULL,
	    "proof: inner nodes passed off as leaves are refused");
	free(cause);
	cause = NULL;
	CHECK_INT(merkle_proof_verify(hand[4][0], 4, 3, 0, 2, 0, bad, 2,
	    &cause), 0);

	/* A whole layer needs no uncles. */
	buf_reset(&b);
	CHECK_INT(merkle_tree_proof(&t, 0, 0, 16, 3, &b), 0);
	CHECK_MSG(bytes_eq(&b, leaves, sizeof leaves),
	    "proof: all 16 leaves with proofs=3 is just the leaves");
	CHECK_INT(merkle_proof_verify(hand[4][0], 4, 0, 0, 16, 3, b.data, 16,
	    &cause), 0);

	/* Requests to reject. */
	CHECK_MSG(merkle_tree_proof(&t, 0, 0, 0, 0, &b) == -1 &&
	    merkle_tree_proof(&t, 0, 0, 1, 0, &b) == -1 &&
	    merkle_tree_proof(&t, 0, 0, 3, 0, &b) == -1 &&
	    merkle_tree_proof(&t, 0, 0, 16384, 0, &b) == -1,
	    "proof: counts 0, 1, 3 and 16384 are rejected");
	CHECK_MSG(merkle_tree_proof(&t, 0, 3, 2, 0, &b) == -1 &&
	    merkle_tree_proof(&t, 0, 4, 8, 0, &b) == -1,
	    "proof: an index not a multiple of the count is rejected");
	CHECK_MSG(merkle_tree_proof(&t, 0, 16, 2, 0, &b) == -1 &&
	    merkle_tree_proof(&t, 2, 4, 2, 0, &b) == -1,
	    "proof: a range past the layer is rejected");
	CHECK_MSG(merkle_tree_proof(&t, 4, 0, 2, 0, &b) == -1 &&
	    merkle_tree_proof(&t, 9, 0, 2, 0, &b) == -1,
	    "proof: a base layer at or above the root is rejected");
	CHECK_MSG(merkle_tree_proof(&t, 0, 4, 2, 4, &b) == -1 &&
	    merkle_tree_proof(&t, 0, 4, 2, UINT32_MAX, &b) == -1,
	    "proof: more proof layers than the tree has are rejected");
	CHECK_MSG(merkle_tree_proof(&t, 3, 0, 2, 0, &b) == 0,
	    "proof: the root's children can be asked for");
	merkle_tree_destroy(&t);

	/*
	 * A file of 9 blocks with 32 KiB pieces: 5 piece hashes, the last
	 * over block 8 and a zero leaf; the piece layer is layer 1, padded
	 * to 8 with merkle_pad(1). From a magnet libtorrent asks for it
	 * whole: base=1 idx=0 cnt=8 proofs=2, and gets no uncles.
	 */
	memset(pad, 0, 32);
	for (i = 0; i < 4; i++)
		sha256_pair(hand[0][2 * i], hand[0][2 * i + 1],
		    layer + 32 * i);
	sha256_pair(hand[0][8], pad, layer + 128);
	merkle_root(leaves, 9, 16, pad, work, root);
	merkle_root_from_layer(layer, 5, 32768, lroot);
	CHECK_MSG(memcmp(root, lroot, 32) == 0,
	    "9 blocks: leaf root and piece-layer root agree");

	CHECK_INT(merkle_tree_init(&pt, 1, layer, 5), 0);
	CHECK(pt.base == 1 && pt.height == 4 && pt.height ==
	    merkle_height(9) && pt.width == 8);
	CHECK_MSG(memcmp(merkle_tree_root(&pt), root, 32) == 0,
	    "piece-layer tree has the file's root");
	CHECK_INT(merkle_proof_uncles(8, 2), 0);
	buf_reset(&b);
	CHECK_INT(merkle_tree_proof(&pt, 1, 0, 8, 2, &b), 0);
	merkle_pad(1, pad);
	CHECK_MSG(b.len == 8 * 32 && memcmp(b.data, layer, 5 * 32) == 0 &&
	    memcmp(b.data + 5 * 32, pad, 32) == 0 &&
	    memcmp(b.data + 7 * 32, pad, 32) == 0,
	    "whole piece layer: 5 hashes and 3 pads of merkle_pad(1)");
	CHECK_INT(merkle_proof_verify(root, merkle_height(9), 1, 0, 8, 2,
	    b.data, 8, &cause), 0);
	if (cause != NULL)
		printf("# %s\n", cause);
	memcpy(bad, b.data, 8 * 32);
	bad[5 * 32] ^= 0x80;
	CHECK_INT(merkle_proof_verify(root, 4, 1, 0, 8, 2, bad, 8, &cause),
	    -1);
	CHECK_MSG(cause != NULL && strstr(cause, "root") != NULL,
	    "whole piece layer: a tampered pad is refused");
	free(cause);
	cause = NULL;

	/* A part of the piece layer with uncles up to the root. */
	buf_reset(&b);
	CHECK_INT(merkle_tree_proof(&pt, 1, 4, 2, 2, &b), 0);
	CHECK_INT(b.len, (2 + 2) * 32);
	CHECK_INT(merkle_proof_verify(root, 4, 1, 4, 2, 2, b.data, 4,
	    &cause), 0);

	/* The piece-layer tree holds nothing below it. */
	CHECK_INT(merkle_tree_proof(&pt, 0, 0, 2, 2, &b), -1);
	CHECK_INT(merkle_tree_proof(&pt, 1, 8, 8, 0, &b), -1);
	merkle_tree_destroy(&pt);

	/* Leaves of the 9-block file, padded region included. */
	CHECK_INT(merkle_tree_init(&t, 0, leaves, 9), 0);
	CHECK_MSG(memcmp(merkle_tree_root(&t), root, 32) == 0,
	    "leaf tree of 9 blocks has the file's root");
	buf_reset(&b);
	CHECK_INT(merkle_tree_proof(&t, 0, 8, 8, 3, &b), 0);
	CHECK_INT(merkle_proof_verify(root, 4, 0, 8, 8, 3, b.data, 9,
	    &cause), 0);
	merkle_tree_destroy(&t);
	CHECK_INT(merkle_tree_init(&t, 0, leaves, 0), -1);

	buf_destroy(&b);
	buf_destroy(&w);
}

int
main(void)
{
	test_handshake();
	test_layouts();
	test_round_trip();
	test_refusals();
	test_unknown();
	test_allowed_fast();
	test_ltep();
	test_metadata();
	test_pex();
	test_merkle_proofs();
	return (test_done());
}
