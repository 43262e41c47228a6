/*
 * Tracker announces, as bytes: tracker URLs, the HTTP announce request
 * (BEP 3, 7, 23) and its bencoded answer, and the BEP 15 UDP connect and
 * announce packets and their answers. No sockets here: the engine's
 * tracker module moves the bytes. Every answer is hostile input, parsed
 * within bounds.
 */
#ifndef SHOAL_TRACKER_H
#define SHOAL_TRACKER_H

#include <stddef.h>
#include <stdint.h>

/* The longest tracker URL we take, and the longest host name in one. */
#define TRACKER_URL_MAX		1024
#define TRACKER_HOST_MAX	255
/* Peers kept from one answer; the rest are ignored. */
#define TRACKER_MAX_PEERS	200
/* The largest HTTP answer we read (headers and body). */
#define TRACKER_HTTP_MAX	(256 * 1024)
/* BEP 15: the connect packet's magic, and the packet sizes. */
#define TRACKER_UDP_MAGIC	0x41727101980ULL
#define TRACKER_UDP_CONNECT_LEN	16
/* An announce with a BEP 41 URLData option of at most 255 bytes. */
#define TRACKER_UDP_ANNOUNCE_MAX (98 + 2 + 255 + 1)

enum tracker_scheme {
	TRACKER_HTTP,
	TRACKER_UDP
};

struct tracker_url {
	enum tracker_scheme	 scheme;
	char			 host[TRACKER_HOST_MAX + 1]; /* No []. */
	uint16_t		 port;
	char			 path[TRACKER_URL_MAX + 1];  /* "/a?x". */
};

enum tracker_event {
	TRACKER_EVENT_NONE,
	TRACKER_EVENT_STARTED,
	TRACKER_EVENT_COMPLETED,
	TRACKER_EVENT_STOPPED
};

/* What one announce says about us. */
struct tracker_announce {
	uint8_t			 info_hash[20];
	uint8_t			 peer_id[20];
	uint16_t		 port;
	uint64_t		 uploaded;
	uint64_t		 downloaded;
	uint64_t		 left;
	enum tracker_event	 event;
	int32_t			 numwant;	/* -1: the tracker's default. */
	uint32_t		 key;
};

struct tracker_peer {
	int		 v6;		/* 0: ip[0..3] is IPv4; 1: IPv6. */
	uint8_t		 ip[16];
	uint16_t	 port;
};

/* A tracker's answer. Seconds are -1 when the answer did not say. */
struct tracker_response {
	char			*failure;	/* Refused: why; or NULL. */
	char			*warning;
	int64_t			 interval;
	int64_t			 min_interval;
	int64_t			 seeders;
	int64_t			 leechers;
	struct tracker_peer	*peers;
	size_t			 npeers;
};

/* Parse an http:// or udp:// URL; -1 and *cause (a sentence) if not. */
int	 tracker_url_parse(const char *, struct tracker_url *, char **);
/*
 * The whole HTTP/1.0 GET request for an announce to url, as a new string
 * the caller frees.
 */
char	*tracker_http_request(const struct tracker_url *,
	    const struct tracker_announce *);
void	 tracker_response_init(struct tracker_response *);
void	 tracker_response_free(struct tracker_response *);
/*
 * Parse a whole HTTP answer (status line, headers, body, plain or
 * chunked) into r, or only its bencoded body. 0: r holds the answer, which
 * may be a failure reason; -1: the answer is not one, *cause says why.
 */
int	 tracker_http_parse(const uint8_t *, size_t, struct tracker_response *,
	    char **);
int	 tracker_parse_body(const uint8_t *, size_t, struct tracker_response *,
	    char **);

/* BEP 15 packets; each returns its length. */
size_t	 tracker_udp_connect(uint8_t *, uint32_t);
size_t	 tracker_udp_announce(uint8_t *, uint64_t, uint32_t,
	    const struct tracker_announce *, const char *);
/*
 * Parse an answer to the request with transaction id txid. 0: it is the
 * answer (*conn_id, or r, filled); -1: the tracker sent an error (action
 * 3) or a broken answer, *cause says which; 1: the packet is not an
 * answer to this request (another transaction id, too short): ignore it.
 * peers6: the request went over IPv6, so peers are 18 bytes each.
 */
int	 tracker_udp_parse_connect(const uint8_t *, size_t, uint32_t,
	    uint64_t *, char **);
int	 tracker_udp_parse_announce(const uint8_t *, size_t, uint32_t, int,
	    struct tracker_response *, char **);
/* "192.0.2.1:6881" or "[2001:db8::1]:6881" into buf (64 bytes is room). */
void	 tracker_peer_text(const struct tracker_peer *, char *, size_t);
/* The name of an event as HTTP announces spell it ("" for none). */
const char *tracker_event_name(enum tracker_event);

#endif
