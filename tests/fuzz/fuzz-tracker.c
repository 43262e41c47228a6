/*
 * Fuzz target: tracker answers. The first byte picks the parser (a whole
 * HTTP answer, a bencoded body, a BEP 15 connect or announce answer); the
 * rest is the answer. Peers that come out are formatted as text.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "tracker.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t len)
{
	struct tracker_response	 r;
	uint64_t		 cid;
	char			*cause = NULL, text[64];
	size_t			 i;
	int			 rc;

	if (len < 1 || len > TRACKER_HTTP_MAX + 1)
		return (0);
	tracker_response_init(&r);
	switch (p[0] % 5) {
	case 0:
		rc = tracker_http_parse(p + 1, len - 1, &r, &cause);
		break;
	case 1:
		rc = tracker_parse_body(p + 1, len - 1, &r, &cause);
		break;
	case 2:
		rc = tracker_udp_parse_connect(p + 1, len - 1, 9, &cid,
		    &cause);
		break;
	case 3:
		rc = tracker_udp_parse_announce(p + 1, len - 1, 9, 0, &r,
		    &cause);
		break;
	default:
		rc = tracker_udp_parse_announce(p + 1, len - 1, 9, 1, &r,
		    &cause);
		break;
	}
	if (rc == 0) {
		for (i = 0; i < r.npeers; i++)
			tracker_peer_text(&r.peers[i], text, sizeof text);
	}
	tracker_response_free(&r);
	free(cause);
	return (0);
}
