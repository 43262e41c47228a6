/*
 * Tracker announces as bytes: URLs, the HTTP request, HTTP answers in
 * every form (compact IPv4 and IPv6 peers, the dictionary form, failure
 * reasons, chunked bodies, broken ones), and BEP 15 packets checked byte
 * for byte against the BEP's layout.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "tracker.h"
#include "xmalloc.h"

static void
fill_announce(struct tracker_announce *a)
{
	size_t	i;

	memset(a, 0, sizeof *a);
	for (i = 0; i < 20; i++) {
		a->info_hash[i] = (uint8_t)(i * 13);	/* 0x00, 0x0d, ... */
		a->peer_id[i] = (uint8_t)('a' + i);
	}
	memcpy(a->peer_id, "-SH0001-", 8);
	a->port = 7420;
	a->uploaded = 10;
	a->downloaded = 20;
	a->left = 5000000000ULL;
	a->event = TRACKER_EVENT_STARTED;
	a->numwant = 50;
	a->key = 0xdeadbeef;
}

static void
test_urls(void)
{
	struct tracker_url	 u;
	char			*cause = NULL;

	CHECK(tracker_url_parse("http://tracker.example:6969/announce", &u,
	    NULL) == 0);
	CHECK_INT(u.scheme, TRACKER_HTTP);
	CHECK_STR(u.host, "tracker.example");
	CHECK_INT(u.port, 6969);
	CHECK_STR(u.path, "/announce");

	CHECK(tracker_url_parse("http://example.org", &u, NULL) == 0);
	CHECK_INT(u.port, 80);
	CHECK_STR(u.path, "/");

	CHECK(tracker_url_parse("HTTP://[::1]:8080/a?passkey=x#frag", &u,
	    NULL) == 0);
	CHECK_STR(u.host, "::1");
	CHECK_INT(u.port, 8080);
	CHECK_STR(u.path, "/a?passkey=x");

	CHECK(tracker_url_parse("udp://127.0.0.1:6969", &u, NULL) == 0);
	CHECK_INT(u.scheme, TRACKER_UDP);
	CHECK_STR(u.path, "");
	CHECK(tracker_url_parse("udp://127.0.0.1:6969/announce", &u,
	    NULL) == 0);
	CHECK_STR(u.path, "/announce");

	CHECK(tracker_url_parse("https://t.example/announce", &u,
	    &cause) == -1);
	CHECK_STR(cause, "https:// trackers are not supported yet "
	    "(\"https://t.example/announce\"); use an http:// or udp:// "
	    "tracker");
	free(cause);
	cause = NULL;
	CHECK(tracker_url_parse("udp://t.example/announce", &u, &cause) ==
	    -1);
	CHECK_STR(cause, "the tracker URL \"udp://t.example/announce\" names "
	    "no port (udp:// trackers have no default)");
	free(cause);
	cause = NULL;
	CHECK(tracker_url_parse("ftp://t.example/", &u, &cause) == -1);
	CHECK_STR(cause, "the tracker URL \"ftp://t.example/\" does not start "
	    "with http:// or udp://");
	free(cause);
	CHECK(tracker_url_parse("http://t.example:0/", &u, NULL) == -1);
	CHECK(tracker_url_parse("http://t.example:65536/", &u, NULL) == -1);
	CHECK(tracker_url_parse("http://t.example:80x/", &u, NULL) == -1);
	CHECK(tracker_url_parse("http://:80/", &u, NULL) == -1);
	CHECK(tracker_url_parse("http://[::1/", &u, NULL) == -1);
	CHECK(tracker_url_parse("http://a b/", &u, NULL) == -1);
	CHECK(tracker_url_parse("http://", &u, NULL) == -1);
}

static void
test_request(void)
{
	struct tracker_url	 u;
	struct tracker_announce	 a;
	char			*req;

	fill_announce(&a);
	tracker_url_parse("http://127.0.0.1:6969/announce", &u, NULL);
	req = tracker_http_request(&u, &a);
	CHECK_STR(req, "GET /announce?info_hash=%00%0D%1A%274AN%5Bhu"
	    "%82%8F%9C%A9%B6%C3%D0%DD%EA%F7"
	    "&peer_id=-SH0001-ijklmnopqrst"
	    "&port=7420&uploaded=10&downloaded=20&left=5000000000"
	    "&corrupt=0&key=DEADBEEF&event=started&numwant=50"
	    "&compact=1&no_peer_id=1 HTTP/1.0\r\n"
	    "Host: 127.0.0.1:6969\r\n"
	    "User-Agent: shoal/" PACKAGE_VERSION "\r\n"
	    "Accept-Encoding: identity\r\nConnection: close\r\n\r\n");
	free(req);

	/* A query of the URL's own is kept; no event, no numwant; port 80. */
	a.event = TRACKER_EVENT_NONE;
	a.numwant = -1;
	tracker_url_parse("http://[::1]/a?passkey=k", &u, NULL);
	req = tracker_http_request(&u, &a);
	CHECK(strncmp(req, "GET /a?passkey=k&info_hash=", 27) == 0);
	CHECK(strstr(req, "event=") == NULL);
	CHECK(strstr(req, "numwant=") == NULL);
	CHECK(strstr(req, "\r\nHost: [::1]\r\n") != NULL);
	free(req);
}

/* Parse a whole HTTP answer with a body of len bytes. */
static int
http(const char *head, const void *body, size_t len,
    struct tracker_response *r, char **cause)
{
	uint8_t	buf[4096];
	size_t	hlen = strlen(head);
	int	rc;

	memcpy(buf, head, hlen);
	memcpy(buf + hlen, body, len);
	rc = tracker_http_parse(buf, hlen + len, r, cause);
	return (rc);
}

#define OK_HEAD	"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"

static void
test_http_answers(void)
{
	struct tracker_response	 r;
	char			*cause = NULL, text[64];
	/* opentracker's answer: 127.0.0.1:5555 and 10.0.0.2:6881. */
	static const char	 compact[] = "d8:completei1e10:downloadedi0e"
	    "10:incompletei1e8:intervali1924e12:min intervali962e"
	    "5:peers12:\x7f\x00\x00\x01\x15\xb3\x0a\x00\x00\x02\x1a\xe1"
	    "6:peers618:\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x01\x1a\xe2" "e";
	static const char	 dicts[] = "d8:intervali60e5:peersl"
	    "d2:ip9:192.0.2.77:peer id20:-XX0001-abcdefghijkl4:porti6881ee"
	    "d2:ip11:2001:db8::94:porti51413ee"
	    "d2:ip16:host.example.org4:porti1ee"
	    "d2:ip8:10.0.0.14:porti0ee"
	    "d2:ip8:10.0.0.14:porti70000ee"
	    "i5e"
	    "ee";

	CHECK_INT(http(OK_HEAD, compact, sizeof compact - 1, &r, NULL), 0);
	CHECK(r.failure == NULL);
	CHECK_INT(r.interval, 1924);
	CHECK_INT(r.min_interval, 962);
	CHECK_INT(r.seeders, 1);
	CHECK_INT(r.leechers, 1);
	CHECK_INT(r.npeers, 3);
	tracker_peer_text(&r.peers[0], text, sizeof text);
	CHECK_STR(text, "127.0.0.1:5555");
	tracker_peer_text(&r.peers[1], text, sizeof text);
	CHECK_STR(text, "10.0.0.2:6881");
	tracker_peer_text(&r.peers[2], text, sizeof text);
	CHECK_STR(text, "[2001:db8::1]:6882");
	tracker_response_free(&r);

	/* Content-Length bounds the body; trailing bytes are not read. */
	CHECK_INT(http("HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n",
	    "d8:intervali30eexyz", 19, &r, NULL), 0);
	CHECK_INT(r.interval, 30);
	CHECK_INT(r.npeers, 0);
	tracker_response_free(&r);

	/* The dictionary form: addresses only, good ports only. */
	CHECK_INT(http(OK_HEAD, dicts, sizeof dicts - 1, &r, NULL), 0);
	CHECK_INT(r.npeers, 2);
	tracker_peer_text(&r.peers[0], text, sizeof text);
	CHECK_STR(text, "192.0.2.7:6881");
	tracker_peer_text(&r.peers[1], text, sizeof text);
	CHECK_STR(text, "[2001:db8::9]:51413");
	tracker_response_free(&r);

	/* A failure reason: the answer is read; the reason is made safe. */
	CHECK_INT(http(OK_HEAD, "d14:failure reason11:bad\x01\nhash!!e", 33,
	    &r, NULL), 0);
	CHECK_STR(r.failure, "bad??hash!!");
	tracker_response_free(&r);
	CHECK_INT(http("HTTP/1.0 400 Invalid Request\r\n\r\n",
	    "d14:failure reason9:no passkye", 30, &r, NULL), 0);
	CHECK_STR(r.failure, "no passky");
	tracker_response_free(&r);

	/* Warnings are kept. */
	CHECK_INT(http(OK_HEAD, "d8:intervali60e5:peers0:15:warning message"
	    "4:slowe", 49, &r, NULL), 0);
	CHECK_STR(r.warning, "slow");
	tracker_response_free(&r);

	/* Chunked coding. */
	CHECK_INT(http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	    "5\r\nd8:in\r\na;x=y\r\ntervali45e\r\n1\r\ne\r\n0\r\n\r\n", 40,
	    &r, NULL), 0);
	CHECK_INT(r.interval, 45);
	tracker_response_free(&r);
	CHECK_INT(http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	    "ff\r\nd8:in\r\n", 11, &r, &cause), -1);
	CHECK_STR(cause, "the tracker's answer has broken chunked coding");
	free(cause);
	cause = NULL;

	/* Errors a person reads. */
	CHECK_INT(http("HTTP/1.1 404 Not Found\r\n\r\n", "nope", 4, &r,
	    &cause), -1);
	CHECK_STR(cause, "the tracker answered HTTP 404 Not Found");
	free(cause);
	cause = NULL;
	CHECK_INT(http("SSH-2.0-OpenSSH\r\n\r\n", "", 0, &r, &cause), -1);
	CHECK_STR(cause, "the tracker's answer is not HTTP");
	free(cause);
	cause = NULL;
	CHECK_INT(http("HTTP/1.0 200 OK\r\nContent-Length: 500\r\n\r\n",
	    "d8:intervali30ee", 16, &r, &cause), -1);
	CHECK_STR(cause, "the tracker's answer ended after 16 of its 500 "
	    "bytes");
	free(cause);
	cause = NULL;
	CHECK_INT(http("HTTP/1.0 200 OK\r\nServer: x\r\n", "", 0, &r,
	    &cause), -1);
	CHECK_STR(cause, "the tracker's answer ends inside its headers");
	free(cause);
	cause = NULL;
	CHECK_INT(http(OK_HEAD, "li1ee", 5, &r, &cause), -1);
	CHECK_STR(cause, "the tracker's answer is not a dictionary");
	free(cause);
	cause = NULL;
	CHECK_INT(http(OK_HEAD, "d3:fooi1ee", 10, &r, &cause), -1);
	CHECK_STR(cause, "the tracker's answer has neither a failure reason "
	    "nor peers");
	free(cause);
	cause = NULL;
	CHECK_INT(http(OK_HEAD, "d8:interval", 11, &r, &cause), -1);
	CHECK(cause != NULL && strncmp(cause, "the tracker's answer is not "
	    "bencoded: ", strlen("the tracker's answer is not bencoded: ")) ==
	    0);
	free(cause);
}

/* Many peers: the list stops at TRACKER_MAX_PEERS. */
static void
test_bounds(void)
{
	struct tracker_response	 r;
	size_t			 n = TRACKER_MAX_PEERS + 50, i, len;
	uint8_t			*body;
	char			 prefix[32];
	int			 plen;

	plen = snprintf(prefix, sizeof prefix, "d8:intervali60e5:peers%zu:",
	    n * 6);
	len = (size_t)plen + n * 6 + 1;
	body = xmalloc(len);
	memcpy(body, prefix, (size_t)plen);
	for (i = 0; i < n; i++) {
		uint8_t *p = body + plen + i * 6;

		p[0] = 10;
		p[1] = 0;
		p[2] = (uint8_t)(i >> 8);
		p[3] = (uint8_t)i;
		p[4] = 0x1a;
		p[5] = 0xe1;
	}
	body[len - 1] = 'e';
	CHECK_INT(tracker_parse_body(body, len, &r, NULL), 0);
	CHECK_INT(r.npeers, TRACKER_MAX_PEERS);
	tracker_response_free(&r);
	free(body);

	/* A partial peer at the end is left out. */
	CHECK_INT(tracker_parse_body((const uint8_t *)
	    "d8:intervali60e5:peers8:\x01\x02\x03\x04\x00\x50\x01\x02" "e",
	    33, &r, NULL), 0);
	CHECK_INT(r.npeers, 1);
	tracker_response_free(&r);
}

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static void
test_udp(void)
{
	struct tracker_announce	 a;
	struct tracker_response	 r;
	uint8_t			 pkt[TRACKER_UDP_ANNOUNCE_MAX], in[64];
	uint64_t		 cid = 0;
	char			*cause = NULL, text[64];
	size_t			 len;

	CHECK_INT(tracker_udp_connect(pkt, 0x01020304), 16);
	CHECK(memcmp(pkt, "\x00\x00\x04\x17\x27\x10\x19\x80"
	    "\x00\x00\x00\x00\x01\x02\x03\x04", 16) == 0);

	fill_announce(&a);
	len = tracker_udp_announce(pkt, 0x1122334455667788ULL, 7, &a, NULL);
	CHECK_INT(len, 98);
	CHECK(memcmp(pkt, "\x11\x22\x33\x44\x55\x66\x77\x88", 8) == 0);
	CHECK_INT(get32(pkt + 8), 1);
	CHECK_INT(get32(pkt + 12), 7);
	CHECK(memcmp(pkt + 16, a.info_hash, 20) == 0);
	CHECK(memcmp(pkt + 36, a.peer_id, 20) == 0);
	CHECK_INT(get32(pkt + 60), 20);			/* downloaded */
	CHECK_INT(get32(pkt + 64), 1);			/* left, high */
	CHECK_INT(get32(pkt + 68), 705032704);		/* left, low */
	CHECK_INT(get32(pkt + 76), 10);			/* uploaded */
	CHECK_INT(get32(pkt + 80), 2);			/* started */
	CHECK_INT(get32(pkt + 88), 0xdeadbeef);
	CHECK_INT(get32(pkt + 92), 50);
	CHECK_INT(pkt[96] << 8 | pkt[97], 7420);
	a.event = TRACKER_EVENT_COMPLETED;
	tracker_udp_announce(pkt, 1, 7, &a, NULL);
	CHECK_INT(get32(pkt + 80), 1);
	a.event = TRACKER_EVENT_STOPPED;
	a.numwant = -1;
	tracker_udp_announce(pkt, 1, 7, &a, NULL);
	CHECK_INT(get32(pkt + 80), 3);
	CHECK_INT(get32(pkt + 92), 0xffffffff);
	/* BEP 41: the URL's path and query as URLData. */
	len = tracker_udp_announce(pkt, 1, 7, &a, "/announce?k=1");
	CHECK_INT(len, 98 + 2 + 13);
	CHECK(pkt[98] == 2 && pkt[99] == 13 &&
	    memcmp(pkt + 100, "/announce?k=1", 13) == 0);

	/* Connect answers. */
	memcpy(in, "\x00\x00\x00\x00\x00\x00\x00\x09"
	    "\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8", 16);
	CHECK_INT(tracker_udp_parse_connect(in, 16, 9, &cid, NULL), 0);
	CHECK(cid == 0xa1a2a3a4a5a6a7a8ULL);
	CHECK_INT(tracker_udp_parse_connect(in, 16, 10, &cid, NULL), 1);
	CHECK_INT(tracker_udp_parse_connect(in, 7, 9, &cid, NULL), 1);
	CHECK_INT(tracker_udp_parse_connect(in, 12, 9, &cid, &cause), -1);
	CHECK_STR(cause, "the tracker's answer is 12 bytes, shorter than the "
	    "16 it must be");
	free(cause);
	cause = NULL;
	memcpy(in, "\x00\x00\x00\x03\x00\x00\x00\x09unknown torrent", 23);
	CHECK_INT(tracker_udp_parse_connect(in, 23, 9, &cid, &cause), -1);
	CHECK_STR(cause, "the tracker refused the announce: \"unknown "
	    "torrent\"");
	free(cause);
	cause = NULL;

	/* Announce answers. */
	memcpy(in, "\x00\x00\x00\x01\x00\x00\x00\x09"
	    "\x00\x00\x07\x08\x00\x00\x00\x02\x00\x00\x00\x01"
	    "\x7f\x00\x00\x01\x1c\xfc"
	    "\xc0\x00\x02\x05\x00\x50", 32);
	CHECK_INT(tracker_udp_parse_announce(in, 32, 9, 0, &r, NULL), 0);
	CHECK_INT(r.interval, 1800);
	CHECK_INT(r.leechers, 2);
	CHECK_INT(r.seeders, 1);
	CHECK_INT(r.npeers, 2);
	tracker_peer_text(&r.peers[1], text, sizeof text);
	CHECK_STR(text, "192.0.2.5:80");
	tracker_response_free(&r);
	/* Over IPv6 the same 12 bytes are no whole peer. */
	CHECK_INT(tracker_udp_parse_announce(in, 32, 9, 1, &r, NULL), 0);
	CHECK_INT(r.npeers, 0);
	tracker_response_free(&r);
	CHECK_INT(tracker_udp_parse_announce(in, 32, 8, 0, &r, NULL), 1);
	CHECK_INT(tracker_udp_parse_announce(in, 19, 9, 0, &r, &cause), -1);
	free(cause);
	cause = NULL;
	in[3] = 0;	/* A connect answer where an announce answer is due. */
	CHECK_INT(tracker_udp_parse_announce(in, 32, 9, 0, &r, &cause), -1);
	CHECK_STR(cause, "the tracker answered with action 0 where 1 was due");
	free(cause);
}

int
main(void)
{
	test_urls();
	test_request();
	test_http_answers();
	test_bounds();
	test_udp();
	return (test_done());
}
